"""Phrase bank (data): children in care, care leavers, pre-birth."""

TEXT = """
# --- children in care -------------------------------------------------------------------

@care.bad
- {carer} said {c} has been waking at night and refusing to go to bed before midnight since the
  last family time.
- [10-] {carer} said {c} stayed out until 11pm on Saturday without saying where {he} was; {he}
  was reported missing and came back by taxi. {He} would not say who paid for it.
- [6-] {c} has been hiding food in {his} bedroom. {carer} {carer_has} found wrappers under the
  bed and {carer_has} started leaving a snack box out that {c} can help {him}self from.
- [8-] {c} said {he} wants to go home and that {he} hates "all the rules" in placement.
- Family time on {past} was cancelled because {p1} did not confirm; {c} was upset and broke a
  glass in {his} room.

@care.good
- (visit) {c} showed me {his} bedroom at {carer}'s. {He} has chosen the paint colour and put up photos
  of {his} family and {his} friends from school.
- [6-] {c} has settled well in placement. {carer} said {he} now helps cook on Sunday and has
  started calling the family dog "my dog".
- {c}'s initial health assessment was completed on {past}; {his} immunisations are up to date
  and a dental appointment is booked.
- Family time with {p1} at the family centre went well. {p1} brought {c}'s favourite snacks and
  they played Uno; {c} said goodbye calmly.
- [10-] {c} has kept to the agreed curfew every night for a month and {carer} {carer_has} extended it
  by half an hour at weekends.

@care.tp_bad
- <carer> {c} came home from school upset on {past} and said another pupil had said {he} "lives
  with strangers". {He} refused tea and did not sleep well.
- <school> [5-] {c} has been in isolation twice this week for refusing to follow instructions.
  The school are concerned {he} is unsettled since the change of placement.

@care.tp_good
- <carer> {c} had a good week. {He} went to a friend's birthday party and was home at the agreed
  time.
- <school> [5-] {c}'s personal education plan targets are being met and {he} has settled into
  {his} new class.

@care.an_bad
- {c}'s behaviour is likely to be {his} way of showing distress about the uncertainty in family
  time, not a sign that the placement is wrong. {carer} {carer_is} responding with patience; the
  placement needs extra support to stay stable.
- [10-] Going missing, unexplained money and new older friends are warning signs of
  exploitation. A return home interview is needed, and the exploitation screening tool should
  be completed.

@care.an_good
- The placement is meeting {c}'s needs and {he} is forming a real attachment to {carer}. Stability
  is the most important thing for {c} now, and everything in the plan should protect it.
- {c} is doing well at school and has friendships of {his} own; these are signs of a child who
  feels safe.

@care.act
- (bad) Ask the supervising social worker for {carer} about extra support sessions for the placement.
- (bad) [10-] Arrange a return home interview within 72 hours and complete the exploitation screening
  tool.
- (bad) Review the family time arrangements with {p1}: confirm 24 hours before, or the session moves.
- Book {c}'s review health assessment and dental check.
- (good) Ask {carer} to keep a note of {c}'s achievements this term for {his} life story book.
- (good) Arrange for {c} to have a say in planning {his} next review, and where it is held.

@care.risk
- Another placement move would add to the disruption {c} has already lived through.
- [10-] Going missing and contact with older people who may exploit {him}.

@leaving.risk
- Losing the tenancy, and with it the stability {c} has built up.
- Isolation and low mood, with less family support than most young people have.

@care.v.little.good
- I like it at Auntie's house. She makes pancakes.
@care.v.little.bad
- I want to go home to mummy.
@care.v.middle.good
- I like it here, the food's nice and I've got my own room.
- I'm allowed to have friends for tea on Fridays.
@care.v.middle.bad
- I miss my mum. I want to see her more than once a month.
- I don't like it when family time gets cancelled. It's not fair.
@care.v.teen.good
- It's alright here. They don't treat me like a little kid.
- I want to stay here till I'm eighteen. Don't move me again.
@care.v.teen.bad
- They're not my parents. I'll come in when I want.
- Nobody asked me if I wanted to come here.

# --- care leavers -----------------------------------------------------------------------

@leaving.bad
- {c} has rent arrears of two months at {his} semi-independent flat and has had a warning
  letter. {He} said {his} Universal Credit was stopped after a missed appointment.
- {c} said {he} has stopped going to college because {he} "can't see the point" and is sleeping
  until the afternoon.
- {c} has lost {his} passport and birth certificate in the move and cannot open a bank account
  without them.
- {c} said {he} has been feeling low and has not registered with a GP since moving.

@leaving.good
- (visit) {c} has been offered an apprenticeship with a local electrician starting in September and
  showed me the letter.
- {c} has paid off {his} rent arrears and is now on a budgeting plan we drew up together.
- {c} has registered with the GP and has started talking therapy, which {he} found on {his} own.
- {c} has got {his} provisional driving licence and opened a bank account.

@leaving.tp_bad
- <hso> {c}'s landlord reports noise complaints and visitors late at night; a warning letter
  was sent on {past}.
- <college> {c}'s attendance at college this term is 58% and {he} is at risk of being withdrawn
  from the course.

@leaving.tp_good
- <college> {c} passed the first unit of {his} course and {his} tutor describes {him} as "one of
  the most reliable in the group".
- <hso> {c}'s rent account is up to date and there have been no complaints.

@leaving.an_bad
- {c} is finding the move to independence hard, as many care leavers do, with less support than
  other young people have from their families. The risk is that small problems with money and
  housing turn into losing the tenancy.
- {c}'s low mood and isolation are my main worry; {he} is less likely to ask for help than to
  withdraw.

@leaving.an_good
- {c} is growing in confidence and taking charge of {his} own life. {He} knows when to ask for
  help and does so.

@leaving.act
- (bad) Help {c} apply for a new birth certificate and passport, paid for from the leaving care grant.
- (bad) Go with {c} to the job centre on {next} to sort out the Universal Credit claim.
- Review the pathway plan with {c} before {next}.
- (bad) Ask the housing provider for a repayment plan for the arrears, in {c}'s name.
- Pass on the details of the care leavers' drop-in on Thursday afternoons.
- (good) Update the pathway plan with {c}'s new goals for next year.

@leaving.v.adult.bad
- Everything's just a lot at once. Bills, college, all of it.
- I don't want another worker. I've had loads. I just want you.
@leaving.v.adult.good
- I'm proud of myself, to be honest. I didn't think I'd get the apprenticeship.
- I want to do it on my own now, but it's good knowing you're there.

# --- pre-birth --------------------------------------------------------------------------

@prebirth.referral
- {p1} is {weeks} weeks pregnant, due on {edd}. {Sh} had two older children who were adopted
  after care proceedings in 2021 because of neglect linked to {hs} drug use.
- {p1} booked late, at {weeks} weeks, and has missed two antenatal appointments. {Sh} told the
  midwife that {p2} "has a temper" and that the police have been called to the flat before.
- {p1} is {weeks} weeks pregnant and has a long history of depression with two hospital
  admissions. {Sh} stopped {hs} medication when {sh} found out {sh} was pregnant.

@prebirth.home_visit
- Home visit for the pre-birth assessment. {p1} is {weeks} weeks pregnant. We talked through {hs}
  own childhood, {hs} support network and what {sh} has already got ready for the baby.
- Home visit. {p1} is now {weeks} weeks pregnant. The nursery corner has a cot, clothes washed
  and folded, and a car seat still in its box.
- Home visit for the pre-birth assessment, with {p1} and {p2}. We went through a typical day
  and night with a newborn and who would do what.
@prebirth.office_visit
- Pre-birth assessment session at the office. {p1} showed me the scan photos and talked about
  what went wrong for {hs} older children and what is different now.
- Pre-birth assessment session at the office, {p1} is {weeks} weeks pregnant. We drew up {hs}
  family tree together and marked who could help after the birth.

@prebirth.an
- {p1} is engaging with the assessment and can talk about the past, which is a strength. The
  question is whether the changes {sh} describes have lasted long enough to be relied on once
  the baby is here, when the pressure will be much greater.
- A new baby cannot protect themselves and the risks from the past are serious. {p1}'s support
  network is small, and the plan for the first weeks after birth needs to be in place before the
  birth, not after.

@prebirth.act
- Ask the community midwife for an update after each antenatal appointment.
- Plan a pre-birth strategy discussion before 30 weeks' gestation.
- Complete a family network meeting with {p1} to identify who can support after the birth.

@prebirth.bad
- {p1} has missed {hs} last antenatal appointment and did not answer the midwife's calls.
- (domestic_abuse) {p1} said {sh} and {ex} had argued about money last week and that he "put his
  fist through the wardrobe". {Sh} said this was a one-off.
- (domestic_abuse) {p1} said {ex} has been sending {hr} messages at night and turned up at the flat
  drunk on Saturday. {Sh} did not call the police.
- {p1} has not yet bought anything for the baby and said {sh} "can't think that far ahead".
- (substance) {p1} said {sh} had "a couple of joints" at the weekend to help {hr} sleep, and did
  not think it would affect the baby.
- (mental_health) {p1} said {sh} has been crying most days and is not sleeping, and has not told
  the midwife because {sh} is frightened of what we will do.
@prebirth.good
- {p1} has been to every antenatal appointment since the last meeting, and the midwife is happy
  with the baby's growth.
- (visit) {p1} has set up the cot and bought a car seat with the maternity grant. {Sh} showed me a list
  of who {sh} can ring in the night.
- (visit) (substance) {p1} showed me {hs} last three test results from the drug and alcohol service, all
  negative.
- (mental_health) {p1} has been seen by the perinatal mental health team and has restarted {hs}
  medication with their advice.
- (domestic_abuse) {p1} has joined a Freedom Programme group and said {sh} has told {ex} not to
  come to the flat.
@prebirth.tp_bad
- <midwife> {p1} missed {hs} antenatal appointment on {past} and the midwife could not reach {hr}
  by phone. A home visit by the midwife found no one in.
@prebirth.tp_good
- <midwife> {p1} attended {hs} antenatal appointment on {past}; the baby is growing well and
  {p1} has agreed a birth plan.
@prebirth.an_bad
- {p1} is not yet able to show that the changes {sh} describes are lasting. A new baby will
  bring much more pressure, and the plan for the first weeks needs to be firm before the birth.
@prebirth.an_good
- {p1} is engaging consistently and preparing for the baby; {hs} support network is clearer.
  The risks from the past remain, and the plan must test the changes once the baby is here.
@prebirth.risk
- The history of the older children and the current concerns mean a newborn baby, who depends
  entirely on the adults caring for them, is at risk of significant harm.
"""
