"""Phrase bank (data): openings, interpreters, seeing the child, achievements, views, analysis,
actions, calls."""

TEXT = """
@open.home
- Planned home visit. Present: {present}.
- Announced home visit at {time}. {p1} had tidied the living room and made tea; present were {present}.
- Home visit at {time}, arranged at the last visit. Present: {present}.
- [5-] Home visit after school at {time}, so that {c} would be in. Present: {present}.

@open.unannounced
- Unannounced home visit at {time}. {p1} answered the door after a few minutes and let me in.
- Unannounced visit at {time}, as agreed in the plan. {p1} was surprised but welcoming. Present: {present}.
- Unannounced home visit at {time}. The door was answered by {p1}; {c} was at home.

@open.office
- {p1} came to the office at {time} for a planned meeting; {c} came too.
- Office visit: {p1} and {c} came to the family room at the civic centre at {time}.

@open.school
- [4-] I visited {c} at {school} at {time}, with the agreement of {dsl}, who found us a quiet room.
- [4-] Visit to {c} at {school}. We met in the library at {time}; {c} chose to see me without a
  teacher present.

@interp.contracted
- The visit was interpreted in {lang} by {interp} ({interp_org}), in person. I checked with
  {p1} at the start that {sh} understood the interpreter and was happy to go on.
- {interp} of {interp_org} interpreted in {lang} by telephone, on speaker. {p1} was given time
  to ask questions after each part.
- Interpreted in {lang} throughout by {interp} ({interp_org}). {c} was not asked to interpret
  for {hs} parent.

@interp.phone
- {interp} of {interp_org} interpreted in {lang} on a three-way telephone call.
- The call was interpreted in {lang} by {interp} ({interp_org}), on a conference line.
@interp.meeting
- {interp} ({interp_org}) interpreted in {lang} for {p1} throughout the meeting, in person.
- {p1} was supported by {interp} of {interp_org}, interpreting in {lang}, who joined by Teams.

@interp.family
- The booked interpreter did not arrive. {interp}, {p1}'s {interp_rel}, interpreted in {lang}
  at {p1}'s request. I kept the visit to practical matters and did not discuss the concerns in
  detail through a family member.

@interp.staff
- {interp} ({interp_org}), who speaks {lang}, interpreted at {p1}'s request; no contracted
  interpreter was available at short notice.

@seen.baby
- [0-0] {c} was awake and alert, lying on a play mat. {He} followed my face and smiled when {p1}
  spoke to {him}. {His} nappy had been changed recently and {he} was dressed for the weather.
- [0-0] {c} was asleep in {his} Moses basket in the living room, on {his} back, with no loose
  bedding. {p1} woke {him} for a feed during the visit and held {him} close while {he} fed.
- [0-1] {c} was being fed when I arrived. {p1} held {him} securely and talked to {him}
  throughout; {c} settled quickly afterwards.
- [1-2] {c} was toddling between the sofa and the coffee table and brought me {his} toys one by
  one. {He} went to {p1} for comfort when {he} bumped {his} head and was soothed quickly.
- [1-2] {c} was in a high chair eating pasta with {his} fingers. {He} babbled and pointed at the
  window when a bus went past. {He} looked clean and well cared for.

@seen.together
- I saw {c} with {p1}. {He} sat close to {hr} for most of the visit and joined in when we talked
  about school.
- [3-] {c} showed me {his} bedroom and {his} toys and talked to me with {p1} in the room.
- [3-] I spoke with {c} in the living room with {p1} present; {he} was chatty and relaxed.

@seen.alone.little
- I saw {c} alone in {his} bedroom. We played with the dolls' house and I asked who lives in
  each room and what happens there.
- I saw {c} on {his} own in the kitchen while {p1} was in the garden. We drew {his} family with
  felt tips and talked about each person.
- I saw {c} alone and used the three houses tool (a house of worries, a house of good things and
  a house of dreams) with pictures, as {he} cannot yet write much.

@seen.alone.middle
- I saw {c} alone in {his} bedroom and we used the three houses tool (worries, good things,
  dreams). {He} wrote some of it {himself}.
- I saw {c} on {his} own at the kitchen table; we did the 'my week' worksheet together.
- I saw {c} alone and we used feelings cards; {he} picked out the cards for home and for school.
- I saw {c} alone while we walked to the corner shop and back; {he} talked more easily side by
  side than face to face.

@seen.alone.teen
- I saw {c} alone in {his} room. {He} did not want to do any worksheets, so we just talked.
- I took {c} for a drink at the café on the high street so we could talk on our own.
- I saw {c} on {his} own in the car after the visit; {he} talked more once we were out of the house.
- I saw {c} alone and went through the safety plan with {him}; {he} added the name of a friend's
  mum {he} trusts.

@seen.alone.adult
- I met {c} on {his} own at a café near {his} flat.
- {c} came to the office on {his} own and we talked in the family room.

@ach.little
- [3-6] {c} has started at nursery three mornings a week and {adult} said {he} runs in without
  looking back.
- [3-6] {c} was "star of the week" in {his} class and brought home a certificate, now on the fridge.
- [3-6] {c} can now write {his} name and showed me proudly.
- [3-6] {c} has started swimming lessons on Saturday mornings with {adult}.

@ach.middle
- [7-11] {c} was picked for the school football team and played in the first match last Saturday.
- [7-11] {c} sang a solo at the school carol concert; {adult} filmed it and showed me.
- [7-11] {c}'s reading has come on: {his} teacher has moved {him} up two book bands.
- [7-11] {c} has joined the Cubs and has earned {his} first badge.
- [7-11] {c} got a certificate for 100% attendance this half term.

@ach.teen
- [12-17] {c} has got a Saturday job at a bakery on the high street and is saving for a bike.
- [12-17] {c} was chosen for the school's Duke of Edinburgh bronze group.
- [12-17] {c}'s science teacher told {adult} that {he} is on track for a good grade in the mocks.
- [12-17] {c} has been going to the youth club on Tuesday evenings and helps run the tuck shop.
- [12-17] {c} performed in the school's production of Bugsy Malone.

@ach.adult
- [18-] {c} passed {his} driving theory test last week.
- [18-] {c} has finished the first term of {his} college course with good feedback on {his}
  coursework.
- [18-] {c} has paid {his} rent on time every month since moving in.

@v.little
- I like my bed. It's got stars on it.
- {Mummy} reads me the bus book. The wheels go round and round!
- I got a sticker at nursery for tidying up.
- My best friend is Ellie. We play horses.
- I want a puppy. A brown one.

@v.middle
- I like school because of my friend Kayden. We sit together at lunch.
- My favourite thing is going to the park with {mum} on Sundays.
- I want to be a vet when I grow up, or a footballer.
- Nan does the best roast potatoes. I like going to hers.
- I don't like it when people ask me too many questions, but you're alright.

@v.teen
- I just want everyone to stop worrying about me. I'm fine.
- I want to do plumbing at college like my uncle. He earns loads.
- My mates are my family, to be honest. They get it.
- I'd rather talk to you than my teachers. They just tell {mum} everything.

@v.adult
- I want to do it on my own now, but it's good knowing you're there.
- I just want a normal life: a job, my own place, my friends round.

@an.general
- (assess,cin,cp,eh) {p1} was open with me and engaged well, which is a strength to build on.
- The family's support network is small; this makes the plan more fragile if anything goes
  wrong.
- [5-] {c} was able to tell me clearly what {he} likes and worries about, which suggests {he}
  trusts the adults around {him} to listen.

@act.general
- Next visit by {next}.
- Update the chronology with today's events.
- (assess,cin,cp,eh) Share this note with {p1} at the next visit, as agreed.
- (cic,cl) Go through this note with {c} at the next visit, as agreed.
- (assess,cin,cp,eh) Write to {p1} summarising what we agreed, in plain English.

@call.parent
- Telephone call to {p1} to check how the week had gone.
- Telephone call from {p1}, who rang the duty line asking for me.
- Telephone call to {p1} to confirm the time of the next meeting and to follow up on last week's
  visit.
"""
