"""Phrase bank (data): the concerns parental mental health, substance misuse, housing and health."""

TEXT = """
# --- concerns: parental mental health ---------------------------------------------------

@mental_health.referral
- {p1} has told {hs} GP that {sh} sometimes cannot get out of bed for days and has had thoughts
  of ending {hs} life. {Sh} is the only adult at home with {c}.
- {p1} was taken to A&E by ambulance on {past} after an overdose of {hs} prescribed medication.
  {c} was with a neighbour overnight. {p1} has since been discharged home.
- A family member is worried that {p1} has stopped eating, is not answering the door and has
  said "the kids would be better off without me".

@mental_health.bad
- (visit) {p1} was in bed when I arrived at {time}; {p2} let me in. The curtains in the living room were
  closed and {p1} said {sh} had not been out for a week.
- (visit) [9-] {p1} was still in bed at {time}; {c} let me in. {p1} said {sh} had not been out for a
  week and that {c} had been going to the shop for milk.
- {p1} said {sh} stopped taking {hs} medication two weeks ago because it made {hr} feel "flat".
  {Sh} has not told {hs} GP.
- (visit) {p1} spoke very quietly and said {sh} felt "numb". {Sh} was not sure of the date of {c}'s next
  appointment and had not opened the post for some time.
- {p1} said {sh} has been having panic attacks in the supermarket, so now orders shopping online
  when {sh} has the money, and otherwise goes without.

@mental_health.good
- {p1} is now seeing {hs} care coordinator from the community mental health team every
  fortnight and has started new medication. {Sh} said {sh} is sleeping better.
- {p1} has started going to a women's group at the children's centre on Wednesday mornings and
  said it is the first thing in months that is "just for me".
- (visit) {p1} was dressed and had been out to the shops before my visit. The living room curtains were
  open and there was washing drying on the rack.
- {p1} told me {sh} had a bad week but rang {hs} sister and the crisis line, as in the plan, and
  {c} went to {hs} sister's for two nights.

@mental_health.tp_bad
- <cc> {p1} did not attend {hs} last appointment and did not answer calls. The care
  coordinator is concerned about {hs} mood and has asked the GP to review {hs} medication.
- <gp> {p1} has not collected {hs} repeat prescription since {past}. The GP has written to
  {hr} offering an urgent appointment.
- <school> [5-] {c} has told staff that {mum} "is poorly in bed a lot" and that {he} makes
  {his} own breakfast.

@mental_health.tp_good
- <cc> {p1} has attended every appointment since {past} and is engaging well. The care
  coordinator sees {hr} mood as much more stable.
- <gp> {p1}'s medication was reviewed on {past}; {sh} reported fewer bad days and is taking it
  regularly.

@mental_health.an_bad
- {p1}'s low mood is affecting {hs} ability to meet {c}'s needs day to day. There is no other
  adult in the home to step in on bad days, so the plan depends on {p1} asking for help early,
  which {sh} has not yet been able to do.
- [8-] {c} is taking on tasks beyond {his} age (shopping, making meals, looking after {mum}). {He}
  may be a young carer, and this is affecting {his} school attendance and friendships.
- Stopping medication without telling the GP raises the risk of another crisis. {p1} needs to
  feel that telling professionals how {sh} is will not automatically lead to {c} being removed.

@mental_health.an_good
- {p1}'s mental health is more stable and {sh} is using the support around {hr}. The
  contingency plan worked in practice last week, which is the best test of it.
- [5-] With {p1} better, {c} has been able to be a child again: going to friends' houses and
  after-school clubs rather than staying home to keep an eye on {mum}.

@mental_health.act
- With {p1}'s consent, speak to {hs} care coordinator about the plan and how we share
  information if {hs} mood drops.
- (bad) [8-] Refer {c} to the young carers service.
- Agree a written contingency plan naming {sup} as the person who looks after {c} if {p1}
  becomes unwell.
- {p1} to book a GP appointment to talk about {hs} medication by {next}; I will check with {hr}
  on the phone.

@mental_health.risk
- A further mental health crisis, with {c} at home alone with {p1}, is the main risk.
- [8-] {c} taking on a caring role that affects {his} own wellbeing and schooling.

@mental_health.v.little.bad
- {Mummy} is sad and sleeps a lot. I give {hr} cuddles.
@mental_health.v.little.good
- {Mummy} took me to the park and we fed the ducks.
@mental_health.v.middle.bad
- I make my own toast when {mum}'s poorly. I know how to do it.
- I don't go to my friend's house because I need to check on {mum}.
@mental_health.v.middle.good
- {Mum} took me swimming on Saturday. {Sh} hasn't done that for ages.
- {Mum}'s happier now. {Sh} sings in the kitchen again.
@mental_health.v.teen.bad
- I don't want to talk about {mum}. {Sh}'s fine. I just need to be at home for {hr}.
- If I tell you stuff you'll take me away, so what's the point.
@mental_health.v.teen.good
- {Sh}'s doing better. I can go to my mate's after school again.
- It's not my job to look after {hr} anymore, the nurse does that.

# --- concerns: substance misuse ---------------------------------------------------------

@substance.referral
- An anonymous caller said there are visitors to the flat at all hours, a strong smell of
  cannabis in the stairwell and that {c} has been seen outside on {his} own late at night.
- {p1} attended A&E on {past} heavily intoxicated with {c} in {hs} care. Staff were worried
  about {hs} ability to care for {c} and {sup} collected them both.
- Police stopped a car driven by {p2} with {c} in the back seat; he was over the drink-drive
  limit and was arrested.

@substance.bad
- (visit) There was a strong smell of cannabis in the hallway and living room. {p1} said a friend had
  smoked there the night before and that {sh} does not use it {hr}self.
- (visit) I saw around twenty empty cans of strong lager in the recycling. {p2} said they were from a
  family party at the weekend.
- {p1} said {sh} uses cocaine "now and then, at weekends" when {c} is at {sup_first}'s, and does not
  see it as a problem.
- (visit) {p1}'s speech was slurred and {sh} struggled to follow the conversation; {sh} said {sh} had
  taken a sleeping tablet. I did not leave until {sup} arrived.

@substance.good
- (visit) {p1} showed me {hs} appointment card for the drug and alcohol service. {Sh} has been to four
  key-work sessions and said {hs} last two tests were negative.
- {p2} has not drunk alcohol for ten weeks, which his recovery worker has confirmed. He said he
  now goes to a mutual aid group on Thursday evenings.
- (visit) There were no signs of drug or alcohol use in the home, and {p1} was clear and focused
  throughout the visit.

@substance.tp_bad
- <dao> {p1} did not attend {hs} last two appointments at the drug and alcohol service and the
  last test, on {past}, was positive for cocaine.
- <police> Police executed a drugs warrant at the address on {past}; a small amount of cannabis
  was found in the kitchen. No arrests were made. {c} was at school.
- <sup> {sup_first} said {p1} was "out of it" when she dropped {c} home on Sunday and she took {c}
  back to hers for the night.

@substance.tp_good
- <dao> {p1} has attended every key-work session since {past} and {hs} last four tests were
  negative. The recovery worker describes {hr} as motivated.
- <sup> {sup_first} said {p1} has "been a different person" for the past month and that she has had
  no worries when dropping {c} home.

@substance.an_bad
- {p1}'s account does not match what I saw or what other agencies report. When {p1} is using,
  {sh} is less able to notice and respond to {c}'s needs, and visitors to the home who are using
  or dealing add a further risk.
- Alcohol use at this level, together with the drink-driving offence, suggests {p2}'s use is
  not under control. The plan relies on a sober adult being with {c} at all times, and that
  cannot yet be relied on.
- {p1} sees the drug use as separate from {hs} parenting. Until {sh} can see how it affects
  {c}, change is unlikely to last.

@substance.an_good
- Test results, attendance at key work and what I saw at home all point the same way: {p1} is
  not currently using. Relapse is common in the first year, so the plan needs to stay in place.
- The home feels calmer and more predictable, and {c}'s routine has been kept. This is what
  matters most for {c}.

@substance.act
- (bad) Refer {p1} to the drug and alcohol service; {p1} agreed to a referral today.
- Agree a written safety plan: no drugs or alcohol in the home or while caring for {c}; {sup}
  is the named sober adult if {p1} has used.
- Ask the drug and alcohol service for test results monthly, with {p1}'s written consent.
- (bad) Discuss hair strand testing in supervision if the positive tests continue.

- (good) Continue monthly testing until the next review, as agreed with {p1}.

@substance.risk
- {c} being cared for by an adult under the influence of drugs or alcohol.
- Visitors to the home who are using or supplying drugs.

@substance.v.little.bad
- {Mummy} was sleeping on the floor and wouldn't wake up.
@substance.v.little.good
- {Mummy} played Lego with me all day.
@substance.v.middle.bad
- {Mum}'s friends come round late and it gets loud. I can't sleep.
- (dadhome) Dad smells funny when he's been out. He goes all wobbly.
@substance.v.middle.good
- (dadhome) Dad's not drinking now. He came to parents' evening.
- Nobody comes round at night anymore. I like it better.
@substance.v.teen.bad
- Everyone smokes weed round here, it's not a big deal.
- I'd rather be at my nan's when {mum}'s friends are round.
@substance.v.teen.good
- {Mum}'s actually trying this time. I can tell.
- It's calmer at home. I don't have to check on {hr} before I go out.

# --- concerns: housing ------------------------------------------------------------------

@housing.referral
- The family were evicted on {past} and are now in one room at a hostel for homeless families.
  {c} has missed school since the move because the hostel is two buses from school.
- [0-] The family's flat has black mould in every room. {c} has been to the GP three times with
  chest infections this winter and the landlord has not done the repairs.
- The family have been sofa-surfing with friends for six weeks since the tenancy ended, moving
  every few nights.

@housing.bad
- (visit) The family are living in one room at the hostel: a double bed, a cot and a travel cot. The
  kitchen is shared with five other families on the same floor.
- (visit) There is black mould on the bedroom wall around the window and on the corner of {c}'s
  mattress. {p1} said {sh} cleans it every week but it comes back.
- (visit) The bathroom ceiling has water coming through from the flat above, with a bucket on the floor.
  {p1} showed me emails to the landlord going back to the summer.
- {p1} said {sh} is worried about the letter saying the family may be moved to temporary
  accommodation out of the borough, away from school and {hs} support.

@housing.good
- (visit) The family moved into a two-bedroom flat on {past}. {p1} has painted {c}'s room and the
  boxes are nearly all unpacked.
- (visit) The landlord has treated the mould and replaced the bedroom window; the rooms smelled fresh
  and there were no signs of damp.
- {p1} has been given a permanent tenancy and said it is "the first time in two years I've felt
  settled".

@housing.tp_bad
- <hso> The family are on the list for temporary accommodation, but nothing is available in
  the borough this month and an offer may be out of the area.
- <gp> {c} has had three chest infections since October and the GP has written to the landlord
  about the damp, so far with no reply.

@housing.tp_good
- <hso> The family have accepted an offer of a two-bedroom flat in the borough, with keys due on
  {next}.
- <school> [4-] {c} has settled well since the move and is getting to school on time on the bus.

@housing.an_bad
- Housing is outside {p1}'s control and is the main source of stress for the family at the
  moment. The cramped, damp conditions are affecting {c}'s health and sleep, and the uncertainty
  makes it harder for {p1} to focus on anything else in the plan.
- Moving out of the borough would cut {c} off from school and the family from {hs} support
  network, which is one of the main protective factors in this case.

@housing.an_good
- Stable housing has taken a great deal of pressure off {p1}. {Sh} now has space to focus on
  {c}'s routines and the rest of the plan.

@housing.act
- Write to the housing team in support of the family's application, setting out {c}'s health
  needs and the link to school.
- (bad) Ask environmental health to inspect the property for damp and mould.
- Help {p1} apply for a school travel pass for {c} while the family are in temporary
  accommodation.
- Apply to the local welfare fund for a cooker and beds for the new flat.

@housing.risk
- Damp and overcrowding affecting {c}'s health, sleep and schooling.
- A move out of the borough would cut the family off from school and support.

@housing.v.little.bad
- We all sleep in the big bed. The baby kicks me.
@housing.v.little.good
- I've got my own bedroom now! It's got a window.
@housing.v.middle.bad
- There's no room for my stuff. I do my homework on the bed.
- I hate the hostel. The kitchen's always dirty.
@housing.v.middle.good
- I've got my own room now and I'm allowed posters.
- The new flat is near school so I can walk.
@housing.v.teen.bad
- I can't bring anyone back to the hostel. It's embarrassing.
- I just want to stay in one place for once.
@housing.v.teen.good
- It's decent. I've got my own room and the Wi-Fi works.

# --- concerns: health appointments --------------------------------------------------------

@health.referral
- [0-4] {c} has not had {his} immunisations and has missed three appointments at the child
  development centre for a suspected speech delay.
- {c} has missed three appointments at the paediatric clinic for {his} asthma and was admitted
  to hospital on {past} with a severe attack.
- [4-] {c} has not been seen by a dentist and has several badly decayed teeth; {he} has been
  in pain at school.

@health.bad
- {p1} said {sh} missed {c}'s hospital appointment because {sh} had no money for the bus and did
  not know {sh} could claim the fare back.
- {c}'s inhaler was out of date and {p1} could not find the spacer.
- {p1} said {sh} did not think the speech therapy appointments were needed because "boys talk
  late".
- (visit) [4-] {c} was holding {his} jaw and {p1} said {he} had been in pain for a few days but that
  {sh} could not find an NHS dentist taking new patients.

@health.good
- (visit) {c} went to the eye clinic on {past} and now has glasses, which {he} was wearing.
- (visit) {p1} has set up phone reminders for every appointment and showed me the calendar.
- {c} has had {his} immunisations brought up to date at the GP surgery.
- (visit) {c}'s asthma plan is on the fridge and {p1} showed me how {sh} uses the spacer with {him}.

@health.tp_bad
- <gp> {c} was not brought to {his} appointment on {past}. This is the third missed appointment
  since the summer.
- <hv> [0-4] The two-year review was missed and {c} has not been seen by the health visitor
  since {he} was nine months old.

@health.tp_good
- <gp> {c} has attended every appointment since {past} and {his} asthma is much better
  controlled.
- <hv> [0-4] {c} attended the two-year review with {p1}; development is now within the expected
  range apart from speech, which is being followed up.

@health.an_bad
- The missed appointments are a pattern, not bad luck. {c}'s health needs are going unmet, and
  left untreated they will affect {his} development and schooling. The practical barriers (bus
  fare, reminders) are real, but {p1} also does not yet see the appointments as important.

@health.an_good
- {p1} is now making sure {c}'s health needs are met and has found ways round the practical
  barriers. {c} is visibly better for it.

@health.act
- (bad) Help {p1} claim bus fares back from the hospital's travel scheme.
- Ask the GP to send the family text reminders for appointments.
- Go with {p1} and {c} to the next clinic appointment on {next}.
- (bad) [4-] Ring the dental helpline with {p1} to find an urgent NHS dental appointment for {c}.

@health.risk
- Untreated health needs affecting {c}'s development, comfort and schooling.

@health.v.little.bad
- My teeth hurt when I eat sweeties.
@health.v.little.good
- I've got glasses like Harry Potter!
@health.v.middle.bad
- I don't like the hospital. It smells weird.
@health.v.middle.good
- My puffer helps. I can run in PE now.
@health.v.teen.bad
- I don't need a dentist. It's fine.
@health.v.teen.good
- My asthma's loads better. I haven't had an attack since the summer.
"""
