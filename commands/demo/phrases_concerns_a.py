"""Phrase bank (data): the concerns school attendance, neglect and domestic abuse."""

TEXT = """
# --- concerns: school attendance -----------------------------------------------------

@attendance.referral
- {c}'s attendance has fallen to {att_bad}% this term. {He} has missed {n} days with no reason
  given, most of them Mondays and Fridays, and is often late on the days {he} comes in.
- The school has been trying to reach {p1} about {c}'s absences for three weeks. Calls go
  unanswered and {p1} did not come to the attendance meeting on {past}. Attendance is {att_bad}%.
- [11-] {c} has been missing lessons after registration; staff have seen {him} leaving the site
  at lunchtime with older young people who do not attend the school. Attendance is {att_bad}%.
- [5-10] {c} arrives late most mornings, hungry and tired, and told {his} teacher that {he} "had
  to wait for {mum} to wake up". Attendance is {att_bad}%.

@attendance.bad
- [5-] {p1} said {c} had been off with a cough last week and that {sh} had forgotten to ring the
  school. No appointment had been made with the GP.
- (visit) [5-] At {time} on a school day {c} was at home in {his} pyjamas watching television. {p1} said
  {c} had refused to get up and that {sh} could not make {him} go.
- (visit) [5-] {p1} showed me a letter from the school warning of a fixed penalty notice for
  unauthorised absence. {Sh} said {sh} had not opened it until this morning.
- [5-] {p1} said mornings are "a battle": {c} will not go to bed before midnight because {he} is
  on {his} tablet, and then cannot be woken.
- [11-] {p1} said {sh} does not know where {c} goes when {he} leaves school at lunchtime and that
  {he} will not tell {hr}.
- [5-] {p1} said {c} has complained of stomach aches on school mornings since the start of term,
  and that on those days {sh} lets {him} stay at home.

@attendance.good
- (visit) [5-] {p1} showed me the latest attendance printout from the school: {att_good}% over the last
  six weeks, with no unauthorised absences.
- (visit) [5-] The morning routine chart we made together is on the fridge. {p1} said {c} ticks it off
  each morning and gets to choose Friday's tea if {he} is on time all week.
- [5-10] {c} now walks to school with a neighbour's children, which {p1} said has made mornings
  calmer. {He} has not been late since half term.
- [11-] {c} is back on a full timetable after the return-to-school plan agreed with the school.
  {p1} said {he} now gets up with an alarm clock rather than {his} phone.
- [5-] {p1} now rings the school office before 9am on any day {c} is unwell, and has booked a GP
  appointment about {his} stomach aches.

@attendance.tp_bad
- <school> [5-] Attendance for the half term is {att_bad}%. {c} was late on {n} mornings, and on
  two of those {he} said {he} had not had breakfast. Breakfast club has been offered and not
  taken up.
- <school> [5-] {c} has been absent for {n} days since {past} with no call from home. The
  attendance officer's home visits found no one in.
- <school> [11-] {c} was seen leaving the school grounds at lunchtime on {past} and did not come
  back for afternoon lessons. The school could not reach {p1} until after 5pm.

@attendance.tp_good
- <school> [5-] Attendance since the last meeting is {att_good}%, the best since {c} started at
  the school. {He} has joined the homework club on Tuesdays.
- <school> [5-] {c} has been on time every day for three weeks. {His} teacher says {he} is more
  settled in class and is catching up with {his} reading.

@attendance.an_bad
- The pattern of Monday and Friday absences points to disorganised mornings at home rather than
  illness. Missing school is leaving {c} behind and cut off from friends, and it means fewer
  days when {he} is seen by adults who would notice if things got worse.
- {p1}'s explanations for the absences have changed from visit to visit. I think {sh} is
  struggling to get up in the mornings, which fits with what {sh} has said about sleeping
  badly; this needs exploring with {hr} rather than treating as a school matter alone.
- [11-] Missing lessons, leaving the site and spending time with older young people who are not
  in education are warning signs of exploitation. This needs to be weighed together with the
  attendance concern, not separately.
- {p1} is not refusing help, but does not yet see {c}'s attendance as a problem. Until {sh}
  does, agreed plans are unlikely to hold for more than a week or two.

@attendance.an_good
- Attendance has improved steadily since the morning routine was agreed. This is a change {p1}
  has made and kept going, and it is already helping {c}: the school say {he} is more settled.
- The improvement has now lasted two half terms, which suggests a real change in the family's
  routine rather than a response to our involvement.

@attendance.act
- Attend the attendance panel at {school} with {p1} on {next}.
- Ask the school's attendance officer to send weekly attendance figures by email every Friday
  until the next review.
- Offer {p1} a place on the Early Help parenting group (routines and bedtimes); {p1} to let me
  know by {next}.
- Ask the school about a breakfast club place for {c}, paid for from the school's hardship fund.
- (bad) [11-] Share the concern about {c} leaving the school site with the exploitation lead and
  complete the exploitation screening tool by {next}.

- (good) Agree with {p1} to reduce visits to every three weeks while attendance holds.
- (good) Ask the school to send {c}'s end-of-term report so we can celebrate it with {him}.

@attendance.risk
- Continued absence will leave {c} further behind and means fewer days when {he} is seen by
  professionals.
- [11-] Time out of school with older young people raises the risk of criminal exploitation.

@attendance.v.little.bad
- I stay home with {mummy} when {sh}'s tired. We watch the telly.
- I don't like school when I'm late. Everyone's already on the carpet.
@attendance.v.little.good
- I got a sticker for coming every day! It's a gold one.
@attendance.v.middle.bad
- I don't like going in when I'm late because everyone looks at me.
- Sometimes my belly hurts in the morning and {mum} says I can stay home.
- I'm always tired because my brother plays his games really loud at night.
@attendance.v.middle.good
- It's better now. I get there before the bell and I can play football first.
- Miss said I'm a good reader now. I'm on the orange books.
@attendance.v.teen.bad
- School's pointless. They just put me in isolation anyway.
- I go in, I just don't stay. The lessons are boring and the teachers are always on my case.
- I'm not being funny, but it's not your business where I go at lunch.
@attendance.v.teen.good
- I've been in every day this half term. Mr Clarke said I can redo my mock.
- It's alright. I like DT, and my new form tutor actually listens.

# --- concerns: neglect ---------------------------------------------------------------

@neglect.referral
- [4-] {c} has come to school in the same clothes for several days, has an untreated rash on
  {his} hands and has been seen taking food from other children's lunch boxes.
- [0-3] At a home visit the health visitor found the flat cold, very little food in the kitchen,
  dirty nappies on the bedroom floor and {c}'s cot without a sheet.
- A neighbour is worried that {c} is often left with different adults and that the family's
  curtains are closed all day. They have heard {c} crying for long periods in the evenings.
- [4-] {c} told a teaching assistant that there was "no dinner again" last night, and has been
  falling asleep in class. {His} shoes have holes and {his} coat is too small.

@neglect.bad
- (visit) The kitchen had dirty dishes piled in the sink and on the worktops and the bin was
  overflowing. There was bread, milk and cereal in the cupboards but no fresh food.
- [3-] {c}'s bedroom had a mattress on the floor with no sheet and a duvet with no cover. {p1}
  said the bed frame had broken and {sh} was waiting for a new one.
- [4-] {c} had head lice and {p1} said {sh} had not had the money for treatment.
- (visit) The flat was cold; {p1} said the gas meter had run out two days ago and {sh} was waiting for
  {hs} benefit payment on Friday.
- (visit) [0-3] There was a strong smell of urine in the bedroom. {c}'s nappy was heavy and {p1} said
  {sh} had run out of nappies the night before.
- The family's dog had soiled the hallway and the mess had not been cleaned up.

@neglect.good
- (visit) The flat was clean and warm. There was fresh fruit in a bowl and a meal planner on the fridge
  that {p1} had written with the family support worker.
- (visit) [2-] {c} now has a bed with clean bedding, delivered by the furniture scheme last week. {p1}
  had put {his} drawings on the wall above it.
- (visit) {p1} has set up a weekly shopping list and showed me the receipts; {sh} said budgeting this way
  means the electric no longer runs out.
- (visit) [4-] {c} was wearing the new school uniform bought with the uniform grant; {p1} said {he} had
  been "walking taller" since.
- (visit) [0-3] The changing bag was packed and the nursery bag ready by the door. {p1} said {sh} now
  gets everything ready the night before.

@neglect.tp_bad
- <school> [4-] {c} came in on {past} in the same clothes as the previous three days and ate
  two breakfasts at breakfast club. Staff washed {his} PE kit at school.
- <hv> [0-4] {c} has dropped from the 50th to the 9th centile for weight since the last check.
  Two appointments at the baby clinic were missed.
- <gp> {c} has not been brought to two appointments for {his} skin condition, and the repeat
  prescription for {his} cream has not been collected since {past}.

@neglect.tp_good
- <school> [4-] {c} has had clean clothes and a packed lunch every day this half term. Staff
  say {he} is chattier and less tired.
- <hv> [0-4] {c}'s weight is back on the 25th centile and {p1} came to the last two clinic
  appointments on time.

@neglect.an_bad
- Home conditions have not improved since the last visit despite the support offered. The
  concern is less the untidiness itself than what it means for {c}: going without clean clothes
  and regular meals, which other people are starting to notice.
- {p1} is warm towards {c} and clearly loves {him}, but is not yet able to keep the basics of
  care going without someone checking in. The risk is that the neglect becomes long-standing
  and accepted as normal.
- The picture from school, health and home is consistent: {c}'s basic needs are being met some
  of the time but not reliably. The cumulative effect of low-level neglect is easy to miss from
  one visit alone.
- Money is a real pressure on this family, but it does not explain everything I saw; some of
  what is missing costs nothing, such as a regular bedtime or clearing the bedroom floor.

@neglect.an_good
- The improvement in home conditions has lasted six weeks now, over two unannounced visits,
  which suggests a real change rather than preparation for my visits.
- {p1} is now meeting {c}'s day-to-day needs without prompting. The practical help has worked
  because {p1} chose what to work on first.

@neglect.act
- (bad) Family support worker to visit twice a week for the next four weeks to help with a cleaning
  and meals routine.
- (bad) Apply to the council's furniture scheme for a bed frame and bedding for {c}.
- (bad) [4-] Ask the school nurse to see {c} about the rash and the head lice, with {p1}'s consent.
- Refer {p1} to the food bank and the welfare rights service for a benefits check.
- [0-4] Health visitor to weigh {c} fortnightly; I will ask for the weights after each visit.

- (good) Reduce the family support worker's visits to once a week and review in a month.

@neglect.risk
- Neglect that goes on over time harms {c}'s health, learning and sense of being cared for.
- [0-2] A baby cannot ask for food or warmth; missed feeds and a cold home are a direct risk to
  {c}'s health.

@neglect.v.little.bad
- My tummy hurts when there's no breakfast.
- My bed is on the floor. The spiders come.
@neglect.v.little.good
- {Mummy} made pasta and I helped stir it.
- I've got a new bed with dinosaurs!
@neglect.v.middle.bad
- I don't like having friends round because our house is messy.
- Sometimes there's nothing for tea, so I have cereal. I don't mind cereal.
@neglect.v.middle.good
- My room's got a proper bed now. It's got football covers.
- {Mum}'s been doing dinners every night, even Tuesdays.
@neglect.v.teen.bad
- I just sort myself out for food, it's fine. My nan gives me money.
- I wash my own clothes. {Mum} can't be bothered.
@neglect.v.teen.good
- {Mum}'s been on it with the shopping. There's actually stuff in the fridge now.
- The flat's nicer. I don't mind people coming round now.

# --- concerns: domestic abuse ---------------------------------------------------------

@domestic_abuse.referral
- Police were called to the home at 11.40pm after a neighbour heard shouting and a child
  screaming. {p1} had a cut lip and told officers that {ex} had pushed {hr} into a door frame.
  {c} was at home. {ex} was arrested and has been bailed not to contact {p1}.
- Police attended after {p1} rang 999 saying {ex} was at the door and would not leave. This is
  the third incident reported in eight months. The risk assessment (DASH) was graded high and
  the case has been referred to MARAC (the multi-agency risk assessment conference).
- (exdad) [4-] {c} told {his} teacher that "daddy broke the telly and mummy was crying". {He} has been
  hiding under the table in class when there are loud noises.
- A family member is worried that {ex} controls {p1}'s money and phone and that {p1} no longer
  sees her friends. They saw bruising on {p1}'s arm last weekend.

@domestic_abuse.bad
- (visit) {p1} said {ex} has been sending {hr} messages at night asking to see {c} and saying {sh} will
  "regret it" if {sh} goes to the police again. {Sh} showed me the messages on {hs} phone.
- (visit) There was a hole in the living room door at head height that was not there at my last visit.
  {p1} said it happened when {ex} came round to collect his things.
- {p1} said {sh} had let {ex} back into the home for {c}'s birthday and that he stayed for three
  nights.
- {p1} said {sh} had dropped the charges against {ex} because "he's said sorry and he's getting
  help". {Sh} did not know the name of any service he is working with.
- (visit) {p1} was tearful and said {ex} had turned up outside the school at home time twice this week.

@domestic_abuse.good
- (visit) {p1} has finished eight of the twelve Freedom Programme sessions and showed me the workbook
  {sh} keeps.
- {p1} said there has been no contact from {ex} since the non-molestation order was made on
  {past}. The locks were changed through the Sanctuary scheme.
- {p1} told me, without being asked, that {sh} had blocked {ex}'s number and reported the last
  message to the police, which shows {sh} is using the safety plan.
- Contact between {c} and {ex} now happens at the family centre on Saturdays, supervised, and
  {p1} said {sh} feels "in control of it for the first time".

@domestic_abuse.tp_bad
- <police> Police were called to the address at 10.15pm on {past}. {ex} was found in the
  communal hallway in breach of his bail conditions and was arrested. {c} was asleep.
- <idva> {p1} missed {hs} last two appointments with the IDVA service and has not answered
  their calls. The IDVA is worried {ex} may be back in the home.
- <school> [4-] {c} told a teaching assistant that "mummy's friend shouted in the night" and
  {he} had not slept.

@domestic_abuse.tp_good
- <idva> {p1} has kept every appointment with the IDVA service this month and has a safety plan
  that {sh} can describe in detail.
- <police> There have been no call-outs to the address since {past}, and {ex} has kept to his
  bail conditions.

@domestic_abuse.an_bad
- {p1} is minimising what happened, which is common for someone living with coercive control
  and does not mean {sh} does not care about {c}. The risk of further incidents is high while
  {ex} knows where the family live and has a key.
- [3-] {c}'s behaviour (hiding, startling at loud noises, wetting the bed again) is consistent
  with a child who has been frightened at home. {He} does not have to see an assault to be
  harmed by living with one.
- Letting {ex} back into the home suggests the safety plan is not yet {p1}'s own. Working on
  {hs} confidence and isolation is likely to protect {c} more than repeating the rules.

@domestic_abuse.an_good
- {p1} is now acting protectively without prompting: {sh} reported the last message {hr}self
  and kept to the contact arrangements. The risk has reduced but not gone, as separation is a
  known time of higher risk.
- The home is calmer and {c} is more settled. This has followed {ex} leaving, and {p1}'s work
  with the Freedom Programme has helped {hr} see the pattern of what happened.

@domestic_abuse.act
- (bad) With {p1}'s agreement, share the messages with the officer in charge of the police
  investigation by {next}.
- (bad) Refer {p1} to the IDVA service today; {p1} agreed.
- Review the safety plan with {p1}: who {sh} rings, the code word for {c}, and where the spare
  phone is kept.
- Ask for an update from MARAC on the actions agreed for this family.
- [4-] Ask the school to tell me the same day if {ex} is seen near the school.

- (good) Review the safety plan with {p1} at the next visit, in case anything has changed.
- (good) Ask the family centre for a report on the supervised contact before the next meeting.

@domestic_abuse.risk
- Further violence from {ex}, with {c} in the home, is the main risk.
- [3-] Living with domestic abuse harms children's emotional health even when they do not see it.

@domestic_abuse.v.little.bad
- (exdad) Daddy was shouting and mummy was crying. I hid under my bed with Bunny.
- I don't like the loud noises at night.
@domestic_abuse.v.little.good
- (exdad) Daddy's not living here now. We go to the park on Saturdays with the lady.
@domestic_abuse.v.middle.bad
- I put my headphones on really loud when they argue. Then I can't hear it.
- I want mum to be safe. I don't want him to come back.
- I'm scared he'll come to school.
@domestic_abuse.v.middle.good
- It's quieter at home now. Mum laughs more.
- (exdad) I like seeing dad at the centre. Nobody shouts there.
@domestic_abuse.v.teen.bad
- I'm not scared of him. If he tries it again I'll stop him.
- Mum always takes him back. There's no point saying anything.
@domestic_abuse.v.teen.good
- Things are alright. Mum's got her own life back.
- I don't want to see him yet. Maybe when I'm older.
"""
