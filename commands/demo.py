"""The demo borough: a synthetic local authority with a year of believable casework.

:func:`build_demo` fills an EMPTY ledger, through the public :class:`~ledger.application.CaseLedger`
API only, with:

* a staff directory: Business Support (the admin, added first), six practice teams (Assessment,
  Child in Need, Child Protection, Children in Care, Care Leavers, Early Help), each with a team
  manager and three to five workers, a service manager, a head of service, an IRO, an EDT
  worker, a helpdesk analyst and an auditor;
* ``children`` children, each with a family, a school and the professionals around them, and a
  journey through the teams over the twelve months before :data:`END_DAY`: referral, assessment,
  early help, child in need, child protection, children in care, care leavers; visits, calls,
  meetings, supervision, decisions with reasons and options not chosen, transfers between teams,
  closures, a re-opening, amendments and deletions with reasons, interpreters, third-party
  information with who provided it, and the child's views in their own words.

How: each child's year is planned as timed actions (``occurred_at`` and the moment it is
recorded, in working hours on working days). All plans are merged, sorted by recording time
and carried out in that order, with the ledger's clock set before each action. Most notes are
finalised within three working days; about one in eight is finalised after more than five
(policy s.3 and s.18: the lateness that compliance reports look for).

Reproducible: everything is drawn from ``random.Random(seed)``, including the ids the ledger
gives new cases, notes and decisions (``ledger.new_id``), and the clock comes from the plan, so
the same seed gives byte-identical events (the same event hashes) on any run and backend.

All names, schools, places and events are invented. Any resemblance to real people is chance.
"""

from __future__ import annotations

import datetime as _dt
import random
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.application import LRUCache

from ledger.application import LONDON, CaseLedger
from ledger.errors import RuleViolation

__all__ = ["END_DAY", "START_DAY", "DemoSummary", "build_demo", "working_days_between"]

#: The last day of the demo year (fixed, so that runs are reproducible; not today's date).
END_DAY = _dt.date(2026, 10, 30)
#: The first day of the demo year.
START_DAY = END_DAY - _dt.timedelta(days=365)
#: Bank holidays in England inside the demo year (non-working days, like weekends).
BANK_HOLIDAYS = frozenset({
    _dt.date(2025, 12, 25), _dt.date(2025, 12, 26), _dt.date(2026, 1, 1), _dt.date(2026, 4, 3),
    _dt.date(2026, 4, 6), _dt.date(2026, 5, 4), _dt.date(2026, 5, 25), _dt.date(2026, 8, 31),
})
DAY_OPENS = _dt.time(9, 0)
DAY_CLOSES = _dt.time(17, 30)
END_TIME = _dt.datetime.combine(END_DAY, DAY_CLOSES, tzinfo=LONDON)
#: A note finalised more than this many working days after the event is late (policy s.7).
LATE_AFTER = 5


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`build_demo` wrote, and a few ids for a tour."""

    staff: int
    children: int
    events: int
    notes: int
    decisions: int
    deletions: int
    amendments: int
    late_notes: int
    closures: int
    reallocations: int
    interpreted_notes: int
    example_rich_case: uuid.UUID | None = None
    example_deleted_note_case: uuid.UUID | None = None
    example_amended_case: uuid.UUID | None = None
    example_interpreter_case: uuid.UUID | None = None
    example_prebirth_case: uuid.UUID | None = None
    example_closed_case: uuid.UUID | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in vars(self).items()}


# --- working days -------------------------------------------------------------------------


def is_working_day(day: _dt.date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def add_working_days(day: _dt.date, n: int) -> _dt.date:
    """``n`` working days after ``day`` (``n`` = 0: ``day`` itself, or the next working day)."""
    while not is_working_day(day):
        day += _dt.timedelta(days=1)
    step = 1 if n >= 0 else -1
    for _ in range(abs(n)):
        day += _dt.timedelta(days=step)
        while not is_working_day(day):
            day += _dt.timedelta(days=step)
    return day


def working_days_between(start: _dt.date, end: _dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (Monday to Tuesday is 1)."""
    count, day = 0, start
    while day < end:
        day += _dt.timedelta(days=1)
        count += is_working_day(day)
    return count


def _at(day: _dt.date, hour: int, minute: int) -> _dt.datetime:
    return _dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def _in_hours(when: _dt.datetime) -> _dt.datetime:
    """``when`` if it falls in working hours, else the next opening time (monotonic)."""
    day = when.date()
    if is_working_day(day) and DAY_OPENS <= when.time() < DAY_CLOSES:
        return when
    if is_working_day(day) and when.time() < DAY_OPENS:
        return _at(day, 9, 0)
    return _at(add_working_days(day + _dt.timedelta(days=1), 0), 9, 0)


def _long_date(day: _dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def _short_date(day: _dt.date) -> str:
    return f"{day.day} {day:%B}"


def _clock_time(when: _dt.datetime) -> str:
    h = when.hour % 12 or 12
    return f"{h}.{when.minute:02d}{'am' if when.hour < 12 else 'pm'}"


def _age(dob: _dt.date, on: _dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


# --- the phrase bank ----------------------------------------------------------------------
#
# "@key" starts a section; "- " starts a fragment; indented lines continue it. A fragment may
# start with tags: an age range "[7-11]" (the child's age), the providers of third-party
# information it suits "<school,gp>", and conditions "(bad)", "(cp,cic)" (one of them must hold:
# how things are going, bad or good; a concern; the team: eh, assess, cin, cp, cic, cl; born or
# unborn). {placeholders} are filled from the note's context; a fragment whose placeholders
# cannot all be filled is skipped (e.g. one that names a partner, for a family without one).

_PHRASES = """
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

# --- meetings ---------------------------------------------------------------------------

@strategy.facts
- Strategy discussion by Teams at {time}, chaired by {tm} (Team Manager, Assessment). Present:
  {police} ({police_unit}), the named nurse for safeguarding, {dsl} ({school}) and me.
- (born) Strategy discussion at {time} by telephone conference, chaired by {tm}. Police, health and
  education took part; information was shared from each agency's records.
- (unborn) Pre-birth strategy discussion by Teams at {time}, chaired by {tm}. Present: police,
  {midwife} (community midwife), the named midwife for safeguarding and me.

@strategy.agreed
- (born) All agencies agreed the threshold for section 47 enquiries is met. Police will visit
  jointly with me tomorrow and a child protection medical is not needed at this stage.
- (born) Agreed: single-agency section 47 enquiry by children's social care, with police sharing
  any further call-outs the same day. {c} to be seen alone within 24 hours.
- (unborn) All agencies agreed that the threshold for section 47 enquiries is met for the unborn
  baby, and that an initial child protection conference should be held before 32 weeks.

@strategy.act
- (born) {sw} to see {c} alone within 24 hours and record it the same day.
- Police to check their systems for any further call-outs and share them today.
- (unborn) Initial child protection conference to be booked before 32 weeks' gestation.
- (unborn) Ask the community midwife to share the booking assessment and scan dates.

@icpc.facts
- Initial child protection conference chaired by {iro}, Independent Reviewing Officer. Present:
  {p1}, {dsl} ({school}), {police} ({police_unit}), {tm} and me. {p1} had seen the report two
  days before and said {sh} agreed with most of it.
- Initial child protection conference held at the civic centre, chaired by {iro}. {p1} attended
  with an advocate. Reports were shared by each agency involved with the family.

@icpc.outcome
- (born) The conference decided that {c} should be the subject of a child protection plan under
  the category of {cat}. A core group will meet within ten working days.
- (born) All agencies agreed that {c} is likely to suffer significant harm; {he} is now the
  subject of a child protection plan under the category of {cat}.
- (unborn) The conference decided that the unborn baby should be the subject of a child
  protection plan under the category of {cat}, starting now, so that the plan is in place at
  the birth.

@icpc.act
- Core group to meet within ten working days; first meeting to be set up by {sw}.
- (unborn) Birth plan to be shared with the maternity unit and the hospital social worker.
- (born) [5-] {sw} to visit at least every ten working days and see {c} alone at each visit.
- (born) [0-4] {sw} to visit at least every ten working days and observe {c} with {p1} each time.
- Send the conference minutes and the plan to {p1} within five working days.

@parent.views
- {p1} said {sh} understood why people were worried but felt {sh} had been "judged on the past".
- {p1} said {sh} wanted to work with us and asked for help with housing first.
- (substance) {p1} said {sh} disagreed with the concerns about {hs} drinking but agreed to the testing.
- {p1} said the plan was "fair" and that {sh} wanted the same things for {c} as we did.

@core.facts
- Core group meeting at {school}. Present: {p1}, {dsl}, the family support worker and me. We
  went through the child protection plan action by action.
- Core group meeting at the children's centre, with {p1}, the health visitor and the family
  support worker. Each agency reported on its actions since the last meeting.

@review.facts
- Review child protection conference chaired by {iro}. Present: {p1}, {dsl}, {tm} and me.
  Progress against the plan was reviewed.
- Review child protection conference. {p1} attended with {sup}; agencies reported on the plan
  since the initial conference.

@cin.facts
- Child in need meeting at {school}. Present: {p1}, {dsl}, the school nurse and me. We reviewed
  the child in need (CIN) plan.
- Child in need review at the office with {p1} and, by Teams, {dsl} and the family support
  worker. The CIN plan was updated.

@taf.facts
- Team Around the Family (TAF) meeting at {school}. Present: {p1}, {dsl} and me. We went
  through the family's action plan.
- TAF meeting at the children's centre with {p1} and the family's health visitor. The action
  plan was reviewed and updated with {p1}.

@lac.facts
- Looked after child review chaired by {iro} (Independent Reviewing Officer), held at {carer}'s
  home. Present: {c}, {carer}, the allocated social worker {sw} and, for the first part,
  {p1}.
- Looked after child review at the office. Present: {c} (for the first half), {carer},
  {sw} and the designated teacher from {school} by Teams. I met {c} alone beforehand.

@lac.decisions
- The care plan remains long-term foster care with {carer}. Family time with {p1} to continue
  monthly, supervised. The next review will be held in six months.
- Recommendations: the placement to be confirmed as {c}'s long-term home at matching panel;
  review health assessment to be booked; {c}'s wish for more phone calls with {hs} sister to be
  acted on.

@pep.facts
- [4-] Personal education plan (PEP) meeting at {school} with the designated teacher, {carer},
  {c} and me. Targets from last term were reviewed.
- [4-] PEP meeting by Teams with the virtual school, the designated teacher and {carer}; {c}
  joined for the last ten minutes to talk about {his} targets.

@famtime.facts
- I observed family time between {c} and {p1} at the family centre from {time} for an hour.
- Family time at the contact centre: {p1} arrived ten minutes late. I observed the session.
- Family time at the family centre. {p1} and {c}'s sibling {sib} came; I observed for the first
  half hour.
@famtime.obs
- (good) {p1} greeted {c} with a hug and had brought a photo album; they looked through it together
  and {c} asked about the people in it.
- (good) {p1} followed {c}'s lead in play and praised {him} when {he} finished the puzzle.
- (bad) {p1} spent much of the session on {hs} phone. {c} played on {his} own and asked twice when
  mummy was coming home.
- (bad) {p1} told {c} that {he} would be "home soon", which is not the plan. I reminded {p1} of
  what had been agreed and {sh} apologised.

@pathway.facts
- [16-] Pathway plan review with {c} at the office. We went through each section: housing,
  education and work, money, health and relationships.
- [16-] Pathway plan review at {c}'s flat. {c} had written some of the plan in advance and led
  parts of the meeting.

@discharge.facts
- Discharge planning meeting on the maternity ward with {p1}, the ward midwife, the hospital
  social worker and me, before {c} goes home.

@edt.police
- Out of hours: telephone call from {police} ({police_unit}) at {time} on {day}. Police were
  called to the address after a report of shouting. {p1} and {c} were safe; {ex} had left before
  police arrived.
- Out of hours: telephone call from {police} ({police_unit}) at {time} on {day}. {ex} was
  arrested outside the flat for breaching his bail conditions. {c} slept through; {p1} was
  shaken but did not want anyone to come out.
@edt.parent
- Out of hours: telephone call from {p1} at {time} on {day}, distressed and asking for help.
  {Sh} said {sh} felt unable to cope tonight. After talking it through {sh} agreed to {sup}
  coming over to stay.

@edt.act
- Handed over to the allocated worker by email first thing on the next working day.
- Passed to the day team for a visit on the next working day.

# --- supervision ------------------------------------------------------------------------

@sup.facts
- Case supervision with {sw} ({sw_des}). We reviewed {c}'s chronology, the last {n} visits and
  the current plan.
- Supervision with {sw}. {sw_first} summarised the work since the last supervision and the
  family's response to the plan. The case record is up to date.
- [3-] Supervision with {sw} ({sw_des}), held at the office. We discussed {c}'s lived experience,
  the views {c} has shared and the progress of the plan.
- (unborn) Supervision with {sw} ({sw_des}). We discussed the pre-birth assessment so far and
  what needs to be in place before the baby is born.

@sup.progress
- (assess,cin,cp,eh) (bad) {sw_first} reported that {p1} cancelled two of the last four visits and
  was not at home for a third.
- (assess,cin,cp,eh) (bad) (born) {sw_first} reported that agencies are giving different
  pictures: school are worried, while {p1} says things are fine at home.
- (assess,cin,cp,eh) (bad) {sw_first} said the agreed actions from the last meeting have mostly
  not happened, and that {p1} is becoming harder to engage.
- (assess,cin,cp,eh) (bad) (born) {sw_first} said {c} seemed quieter and more withdrawn at the
  last two visits.
- (assess,cin,cp,eh) (good) {sw_first} reported that {p1} has kept every appointment since the
  last supervision and that the actions from the last meeting are done.
- (assess,cin,cp,eh) (good) (born) {sw_first} said school and health describe the same
  improvement {sw_first} sees at home.
- (assess,cin,cp,eh) (good) (born) {sw_first} described {c} as more relaxed and chatty at the
  last visit.
- (assess,cin,cp,eh) (good) {sw_first} said {p1} is now raising problems early, before they
  become crises.
- (cic) (bad) {sw_first} reported that the placement is under strain: {carer} {carer_has} asked for
  extra support after a difficult fortnight.
- (cic,cl) (bad) {sw_first} said {c} has missed the last two planned visits and is not answering
  {his} phone.
- (cl) (bad) {sw_first} reported that {c}'s rent arrears are growing and that {he} missed a job
  centre appointment.
- (cic) (good) {sw_first} said {c} is settled and doing well at school, and {carer} {carer_is}
  positive about the placement.
- (cl) (good) {sw_first} said {c} is managing {his} money and tenancy well and keeps in touch.
- (cic,cl) (good) {sw_first} described {c} as more open at the last visit, talking about {his}
  plans for next year.

@sup.late
- Two visit records were finalised late this month; {sw_first} explained this was due to
  court work and agreed to block time for recording on Friday afternoons.

@sup.an.bad
- Progress is slower than the plan needs. We considered whether the current level of
  intervention is enough to keep {c} safe.
- We agreed {c}'s situation has not improved enough since the last review; the plan needs to
  change rather than simply continue.

@sup.an.good
- Progress is clear and consistent across agencies; {c}'s day-to-day life has improved.
- The plan is working; the question now is how to make the changes last once we step back.

# --- decisions --------------------------------------------------------------------------

@dec.accept.decision
- Accept as a referral and allocate to {sw} for a child and family assessment, to be completed
  within 45 working days (by {due}).
@dec.accept.reasons
- The information from the referrer describes concerns about {c}'s care that need a fuller
  understanding of the family's circumstances, strengths and needs.
- This is not the first worry raised about {c}; the pattern needs to be assessed as a whole.
@dec.accept.options
- No further action with advice to the family || the concern comes from a professional who
  sees {c} often, and advice alone would not tell us what is happening at home.
- Step down to Early Help || the level of concern is above the early help threshold until an
  assessment shows otherwise.
- Strategy discussion || at this point there is no information that {c} has suffered, or is
  likely to suffer, significant harm.

@dec.prebirth_accept.decision
- Accept as a pre-birth referral and allocate to {sw} for a pre-birth assessment, to be
  completed well before the baby is due on {edd}.
@dec.prebirth_accept.reasons
- The history of the older children and the concerns from the midwife mean the risks to a
  newborn baby need to be understood, and a plan agreed, before the birth.
@dec.prebirth_accept.options
- Wait until the baby is born || that would leave no time to plan for the baby's safety at birth.
- Early help || the history of proceedings for the older children is above the early help
  threshold.

@dec.strategy.decision
- Hold a strategy discussion today and, if agreed with police and health, start enquiries
  under section 47 of the Children Act 1989.
@dec.strategy.reasons
- The information received suggests {c} may be suffering, or likely to suffer, significant harm.
@dec.strategy.options
- Single-agency child and family assessment || the information meets the threshold for a
  strategy discussion and police hold relevant information.
- Immediate removal under police protection || {p1} has agreed to a safety plan and {sup} can
  support tonight; removal would be disproportionate on what is known.

@dec.icpc.decision
- Transfer to the Child Protection team following the initial child protection conference;
  {c} is the subject of a child protection plan under the category of {cat}.
@dec.icpc.reasons
- Conference agreed that {c} is likely to suffer significant harm and that a multi-agency child
  protection plan is needed.
@dec.icpc.options
- Child in need plan || agencies agreed the level of risk means a plan with the weight of
  child protection is needed for now.
- Keep the case in the Assessment team || the plan needs a worker who can hold it through the
  review conferences.

@dec.cin.decision
- Assessment authorised. {c} is a child in need under section 17; transfer to the Child in Need
  team for a CIN plan.
@dec.cin.reasons
- The assessment shows needs that will not be met without services, and {p1} agrees to the
  plan.
@dec.cin.options
- Close with signposting || the needs identified need co-ordinated support over several months.
- Step down to Early Help || the family need a social worker to co-ordinate the plan at this
  stage.

@dec.nfa.decision
- Assessment authorised. No further action from children's social care; close with advice and
  signposting.
@dec.nfa.reasons
- The assessment found that {c}'s needs are being met. The concern that led to the referral has
  been explained and {p1} has acted on it.
@dec.nfa.options
- Child in need plan || {c}'s needs can be met by universal services; a plan would add nothing.
- Step down to Early Help || {p1} declined early help and {hs} own support network is in place.

@dec.eh.decision
- Assessment authorised. Step down to the Early Help team for a Team Around the Family plan.
@dec.eh.reasons
- The needs are real but below the threshold for a statutory plan; {p1} has agreed to early
  help.
@dec.eh.options
- Child in need plan || the level of need does not require a statutory plan and {p1} consents to
  early help.
- Close with signposting || the family need co-ordinated support to make the changes last.

@dec.open_eh.decision
- Offer an early help assessment and a Team Around the Family, with {p1}'s consent.
@dec.open_eh.reasons
- The concerns are below the threshold for a social work assessment; {p1} has agreed to support.
@dec.open_eh.options
- Refer to the Assessment team || there is no information suggesting {c} is at risk of
  significant harm and {p1} is asking for help.
- No further action || the concerns are unlikely to resolve without support.

@dec.close.decision
- Close the case: the plan's outcomes have been achieved.
@dec.close.reasons
- The changes have lasted for more than three months and are confirmed by school, health and by
  what {c} tells us.
@dec.close.options
- Continue the plan for a further three months || the family no longer need a social worker and
  further involvement could undermine {p1}'s confidence.
- Step down to Early Help || {p1} has a support network and knows how to ask for help if needed.

@dec.step_down_cin.decision
- End the child protection plan, as agreed at the review conference; step down to a child in need
  plan and transfer to the Child in Need team.
@dec.step_down_cin.reasons
- The risk of significant harm has reduced, with consistent progress over the last three
  months.
@dec.step_down_cin.options
- Continue the child protection plan || agencies agreed the risk no longer meets the
  threshold; continuing would be disproportionate.
- Close the case || progress is recent and the family still need support to make it last.

@dec.step_down_eh.decision
- Step down to Early Help: close the child in need plan and transfer to the Early Help team.
@dec.step_down_eh.reasons
- The CIN plan's outcomes are largely achieved; the remaining needs can be met through early
  help.
@dec.step_down_eh.options
- Close the case || {p1} asked for continued support and the changes are still new.
- Continue the CIN plan || the remaining needs do not require a social worker.

@dec.step_up.decision
- Step up to the Assessment team for a child and family assessment.
@dec.step_up.reasons
- Despite the Team Around the Family plan, the concerns have increased, and there is now
  information suggesting {c}'s needs are not being met.
@dec.step_up.options
- Continue the early help plan || it has not brought about change, and the concerns are now
  above the early help threshold.

@dec.plo.decision
- Enter pre-proceedings under the Public Law Outline (PLO): send a letter before proceedings to
  {p1} and hold a pre-proceedings meeting.
@dec.plo.reasons
- The legal planning meeting agreed that the threshold for proceedings is met, but {p1} should
  have a final chance to make the changes with legal advice and a clear plan.
@dec.plo.options
- Issue care proceedings now || {p1} is engaging and a short, clear pre-proceedings plan is
  more proportionate.
- Continue the child protection plan alone || the plan has not brought about change in six
  months.

@dec.accommodate.decision
- {c} to become looked after, in foster care, and transfer to the Children in Care team.
@dec.accommodate.reasons
- Despite pre-proceedings, the risks to {c} at home remain high; {p1} agrees that {c} cannot be
  safely cared for at home at present.
@dec.accommodate.options
- Placement with {sup} || {sup} was assessed and is not able to care for {c} full time.
- Remain at home with increased support || the support offered over the past months has not
  reduced the risk.

@dec.leaver.decision
- Transfer to the Care Leavers team on {c}'s eighteenth birthday; the pathway plan continues.
@dec.leaver.reasons
- {c} is a care leaver and entitled to support up to 25. The transfer has been planned with
  {him} so that it happens on {his} birthday and not before.
@dec.leaver.options
- Stay with the Children in Care team || support after 18 is the Care Leavers team's role.

@dec.prebirth.decision
- Transfer to the Child Protection team following the pre-birth conference; the unborn baby is
  the subject of a child protection plan under the category of {cat}.
@dec.prebirth.reasons
- The risks identified in the pre-birth assessment mean the baby is likely to suffer
  significant harm without a multi-agency plan in place before the birth.
@dec.prebirth.options
- Pre-birth child in need plan || the history and current risks need the weight of a child
  protection plan.
- Legal planning meeting || {p1} is engaging and the plan gives the chance to care for the baby
  safely at home.

@sdec.decision
- (bad) Increase visits to weekly until the next meeting, with at least one unannounced.
- (bad) Hold a family network meeting within four weeks to widen the support around {c}.
- (bad) (cin,cp,cic,eh) Bring the next review meeting forward by a month.
- (bad) (cp) Ask for a legal planning meeting if there is no change by the next review conference.
- (bad) (eh) Discuss stepping up to the Assessment team at the next TAF meeting if there is no
  change.
- (bad) (cic,cl) Ask the IRO for a review of the plan before the next statutory review.
- (good) Continue the plan as agreed; reduce visits to fortnightly.
- (good) (cp,cin,eh) Begin planning to step down at the next review if progress holds.
- (good) Keep the current plan; focus the next month on making the changes last.
- (good) (cic,cl) Keep the current plan; {sw_first} to start work with {c} on {his} life story.
@sdec.reasons
- The plan needs to match the current level of need and what {c} is telling us.
- (unborn) The plan needs to match the current level of risk and be ready before the birth.
- Decided after reviewing the chronology, the latest visits and information from other agencies.
@sdec.options
- (bad) Keep visiting at the current frequency || this does not match the current level of
  concern.
- (bad) (cp,cin) Escalate to a legal planning meeting now || the family are still engaging, so
  escalation would be premature.
- (bad) (eh) Step up to the Assessment team now || {p1} is still engaging with the plan and has
  asked for more time.
- (good) Close or step down now || the changes are too recent to be relied on.
- (good) Increase visits || progress does not call for it, and more visits could undermine {p1}'s
  confidence.
"""


@dataclass(frozen=True)
class _Fragment:
    text: str
    lo: int | None
    hi: int | None
    providers: tuple[str, ...]
    conditions: tuple[frozenset[str], ...]


_TAG = re.compile(r"^(?:\[(\d*)-(\d*)\]|<([a-z_,]+)>|\(([a-z_,]+)\))\s*")


def _parse_phrases(text: str) -> dict[str, list[_Fragment]]:
    bank: dict[str, list[_Fragment]] = {}
    key: str | None = None
    current: list[str] = []

    def flush() -> None:
        if key is not None and current:
            bank[key].append(_fragment(" ".join(current)))
        current.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            flush()
            key = line[1:].strip()
            bank.setdefault(key, [])
        elif line.startswith("- "):
            flush()
            current.append(line[2:].strip())
        elif line.startswith(" ") and current:
            current.append(line.strip())
    flush()
    return bank


def _fragment(text: str) -> _Fragment:
    lo = hi = None
    providers: tuple[str, ...] = ()
    conditions: list[frozenset[str]] = []
    while (m := _TAG.match(text)) is not None:
        if m.group(3):
            providers = tuple(m.group(3).split(","))
        elif m.group(4):
            conditions.append(frozenset(m.group(4).split(",")))
        else:
            lo = int(m.group(1)) if m.group(1) else None
            hi = int(m.group(2)) if m.group(2) else None
        text = text[m.end():]
    return _Fragment(text, lo, hi, providers, tuple(conditions))


PHRASES = _parse_phrases(_PHRASES)


class _Context(dict[str, Any]):
    """Placeholder values for one note; a missing (or empty) value makes a fragment unusable."""

    def __missing__(self, key: str) -> Any:
        raise KeyError(key)


class _Writer:
    """Composes text from the phrase bank for one child, avoiding repeats on the same record."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def options(self, key: str, ctx: _Context, provider: str | None = None) -> list[tuple[str, str]]:
        out = []
        age = ctx.get("age")
        tags = ctx.get("tags", frozenset())
        for frag in PHRASES.get(key, ()):
            if not all(group & tags for group in frag.conditions):
                continue
            if frag.lo is not None or frag.hi is not None:
                if age is None or age < (frag.lo or 0) or (frag.hi is not None and age > frag.hi):
                    continue
            if provider is not None and provider not in frag.providers:
                continue
            try:
                out.append((frag.text, frag.text.format_map(ctx)))
            except KeyError:
                continue
        return out

    def one(self, key: str, ctx: _Context, provider: str | None = None) -> str:
        opts = self.options(key, ctx, provider)
        if not opts:
            return ""
        fresh = [o for o in opts if o[0] not in self.used] or opts
        template, text = self.rng.choice(fresh)
        self.used.add(template)
        return text

    def some(self, key: str, ctx: _Context, k: int) -> list[str]:
        out: list[str] = []
        for _ in range(k):
            text = self.one(key, ctx)
            if text and text not in out:
                out.append(text)
        return out


# --- people -------------------------------------------------------------------------------

TEAMS = ("Assessment", "Child in Need", "Child Protection", "Children in Care", "Care Leavers",
         "Early Help")

_STAFF_NAMES = [
    "Adaeze Okafor", "Tom Brennan", "Fatima Begum", "Marek Kowalski", "Chloe Henderson",
    "Yusuf Demir", "Shanice Campbell", "Rajinder Sandhu", "Eleni Georgiou", "Ciaran Doyle",
    "Hannah Goldberg", "Kwame Asante", "Priyanka Shah", "Daniel Okoro", "Laura McAllister",
    "Imran Hussain", "Bethany Clarke", "Gareth Evans", "Aisha Mohamed", "Nadia Rahman",
    "Oliver Whitfield", "Grace Mensah", "Stelios Christou", "Joanne Price", "Mehmet Yilmaz",
    "Rebecca Ashworth", "Femi Adebayo", "Katarzyna Wisniewska", "Sean Gallagher", "Amira Haddad",
    "Lucy Fairbairn", "Tariq Mahmood", "Ruth Abernethy", "Deborah Okonjo", "Hollie Simmons",
    "Marcus Grant", "Zainab Ali", "Niamh Keane", "Jasmine Patel", "Ewan Fraser", "Precious Moyo",
    "Andreea Popescu", "Leon Richards", "Samira Osman", "Catherine Lloyd", "Jonathan Webb",
    "Funmi Olatunji", "Harpreet Gill", "Moira Duncan", "Kemal Aydin", "Victoria Hale",
    "Abdi Warsame", "Natalie Brooks", "Ifeoma Nwosu", "Gemma Rowlands", "Chidi Eze",
    "Anjali Mistry", "Siobhan O'Connor", "Dev Chauhan", "Rosa Fernandes",
]
_TITLED = [
    "Mrs Karen Whitfield", "Mr Paul Ogunleye", "Ms Sarah Lindqvist", "Mrs Nasreen Akhtar",
    "Mr David Cheung", "Ms Joanne Pike", "Mrs Helen Marsh", "Mr Tunde Bakare", "Ms Claire Dobson",
    "Mrs Angela Costa", "Mr Simon Hale", "Ms Rachel Birch", "Mrs Dolores Grant", "Ms Leah Morgan",
    "Mr Jon Pearce", "Ms Ruth Ibekwe", "Ms Amanda Price", "Mrs Sunita Rao", "Mr Gary Holt",
    "Ms Beverley Quinn", "Mrs Yvonne Achterberg", "Mr Kieran Walsh", "Ms Ngozi Eze",
    "Mrs Theresa Flynn",
]
_POLICE = ["DC Sarah Hollis", "PC Dan Matthews", "DC Raj Bhatt", "PC Emma Stokes", "DS Lee Fenwick"]
_GPS = ["Carlton House Surgery", "Bounces Road Medical Centre", "Green Lanes Health Centre",
        "Ridge Avenue Surgery", "Moorfield Road Practice"]
_GP_DOCTORS = ["Dr Sandhu", "Dr Okoye", "Dr Hartley", "Dr Meyer", "Dr Qureshi"]
_PRIMARY = ["Brookfield Primary School", "St Mary's Catholic Primary School",
            "Hazelwood Lane Primary School", "Northfield Primary School", "Wilbury Way Primary School",
            "Churchfield Primary School"]
_SECONDARY = ["Oakwood Park Academy", "Ridgeway Community School", "St Columba's Catholic High School",
              "Meadowside Academy"]
_NURSERY = ["Little Acorns Nursery", "Rainbow Children's Centre Nursery"]
_COLLEGE = ["Northgate College", "Lee Valley Sixth Form College"]
_AREAS = ["Edmonton", "Ponders End", "Bush Hill Park", "Palmers Green", "Enfield Lock", "Southgate"]
_FOSTER = ["Joy and Michael Adeyemi", "Carol Bennett", "Sue and Tony Harding", "Farida Choudhury",
           "Linda and Errol Francis", "Agnieszka and Mark Lewis"]

#: background -> boys, girls, women, men, surnames, the family's first language (None: English).
_BACKGROUNDS: dict[str, tuple[list[str], list[str], list[str], list[str], list[str], str | None]] = {
    "white_british": (
        ["Harry", "Alfie", "Mason", "Riley", "Jayden", "Tyler", "Charlie", "Leo", "Archie", "Kai"],
        ["Lily", "Ava", "Poppy", "Freya", "Ruby", "Isla", "Mia", "Evie", "Skye", "Amber"],
        ["Kayleigh", "Stacey", "Gemma", "Danielle", "Leanne", "Jade", "Samantha", "Kerry", "Chelsea",
         "Rebecca", "Lauren", "Nicola", "Tracey", "Hayley"],
        ["Craig", "Lee", "Dean", "Ryan", "Wayne", "Darren", "Shaun", "Jamie", "Liam", "Gavin", "Scott",
         "Carl"],
        ["Hughes", "Morris", "Turner", "Wright", "Cooper", "Bailey", "Harris", "Fletcher", "Dunn",
         "Parsons", "Murphy", "Byrne"], None),
    "polish": (
        ["Jakub", "Szymon", "Kacper", "Filip", "Antoni"], ["Zofia", "Julia", "Maja", "Lena", "Hanna"],
        ["Agnieszka", "Magdalena", "Ewa", "Joanna", "Monika"], ["Tomasz", "Piotr", "Marcin", "Pawel"],
        ["Nowak", "Wojcik", "Kowalczyk", "Mazur", "Krawczyk", "Dudek"], "Polish"),
    "romanian": (
        ["Andrei", "Luca", "Darius", "Stefan", "Matei"], ["Maria", "Ioana", "Elena", "Bianca", "Sofia"],
        ["Florentina", "Mihaela", "Alina", "Ramona", "Daniela"], ["Ionut", "Marian", "Florin", "Adrian"],
        ["Popa", "Ionescu", "Stan", "Dumitru", "Lazar", "Munteanu"], "Romanian"),
    "somali": (
        ["Abdirahman", "Mohamed", "Yusuf", "Hamza", "Abdullahi"],
        ["Hodan", "Sagal", "Ayaan", "Maryan", "Hibo"],
        ["Fadumo", "Hawa", "Sahra", "Amina", "Khadra"], ["Abdi", "Hassan", "Ahmed", "Ismail"],
        ["Farah", "Warsame", "Hussein", "Osman", "Jama", "Nur"], "Somali"),
    "arab": (
        ["Omar", "Kareem", "Adam", "Zaid", "Yousef"], ["Layla", "Noor", "Sara", "Rania", "Hala"],
        ["Rasha", "Huda", "Lina", "Maha", "Dalia"], ["Khalid", "Ammar", "Samer", "Walid"],
        ["Haddad", "Al-Khatib", "Hamdan", "Saleh", "Darwish", "Nasser"], "Arabic"),
    "pakistani": (
        ["Ayaan", "Zayn", "Ibrahim", "Rayyan", "Musa"], ["Aleena", "Hafsa", "Inaya", "Maryam", "Zara"],
        ["Saima", "Nasreen", "Rubina", "Shazia", "Farzana"], ["Tariq", "Imran", "Asif", "Naveed"],
        ["Khan", "Hussain", "Akhtar", "Iqbal", "Raza", "Malik"], "Urdu"),
    "bangladeshi": (
        ["Rahim", "Ayan", "Arif", "Tanvir"], ["Nusrat", "Sumaiya", "Tasnim", "Raisa"],
        ["Shirin", "Rokeya", "Taslima", "Hasina"], ["Jamal", "Sohel", "Anwar", "Kamal"],
        ["Miah", "Uddin", "Begum", "Ahmed", "Rahman"], "Bengali"),
    "turkish": (
        ["Emir", "Yusuf", "Mert", "Efe"], ["Elif", "Zeynep", "Defne", "Azra"],
        ["Ayse", "Fatma", "Emine", "Hatice"], ["Mustafa", "Murat", "Huseyin", "Serkan"],
        ["Yildiz", "Kaya", "Demir", "Celik", "Sahin"], "Turkish"),
    "nigerian": (
        ["Daniel", "Tobi", "Emmanuel", "Samuel", "David"], ["Precious", "Favour", "Tiwa", "Chioma"],
        ["Funke", "Blessing", "Ngozi", "Yetunde", "Bisi"], ["Tunde", "Chinedu", "Emeka", "Segun"],
        ["Adeyemi", "Okafor", "Balogun", "Eze", "Oladipo", "Nwankwo"], None),
    "ghanaian": (
        ["Kofi", "Kwame", "Nana", "Jeremiah"], ["Ama", "Abena", "Esi", "Akosua"],
        ["Akua", "Efua", "Adwoa", "Gifty"], ["Kwabena", "Yaw", "Kojo", "Kwesi"],
        ["Mensah", "Boateng", "Owusu", "Asante", "Ofori"], None),
    "caribbean": (
        ["Malachi", "Jaden", "Tyrese", "Kyrie", "Reuben"], ["Nia", "Kiara", "Tiana", "Jada", "Amara"],
        ["Shereen", "Marcia", "Tanisha", "Simone"], ["Delroy", "Marlon", "Andre", "Jermaine"],
        ["Campbell", "Thompson", "Grant", "Brown", "Francis", "Reid"], None),
    "greek_cypriot": (
        ["Andreas", "Christos", "Nikos", "Marios"], ["Eleni", "Maria", "Christina", "Anastasia"],
        ["Despina", "Androulla", "Georgia"], ["Costas", "Panayiotis", "Michalis"],
        ["Georgiou", "Christodoulou", "Ioannou", "Charalambous"], None),
}
_BACKGROUND_WEIGHTS = {"white_british": 30, "polish": 7, "romanian": 6, "somali": 6, "arab": 4,
                       "pakistani": 5, "bangladeshi": 4, "turkish": 6, "nigerian": 9, "ghanaian": 5,
                       "caribbean": 10, "greek_cypriot": 4}
_INTERPRETERS = {
    "Polish": ["Beata Malinowska", "Agata Sobczak"], "Romanian": ["Cristina Radu", "Oana Vasilescu"],
    "Somali": ["Faisal Aden", "Nimco Yusuf"], "Arabic": ["Rami Aziz", "Mona Sabry"],
    "Urdu": ["Shabana Qureshi", "Zahid Butt"], "Bengali": ["Rokeya Khatun", "Jamal Chowdhury"],
    "Turkish": ["Derya Arslan", "Ozan Kaya"],
}
_INTERPRETER_SERVICES = ["DA Languages", "thebigword", "Language Line"]
#: Council staff who interpret now and then (they are not users of the ledger).
_STAFF_INTERPRETERS = {"Urdu": "Nazia Iqbal", "Turkish": "Selin Arslan", "Somali": "Hodan Ali",
                       "Polish": "Ewelina Kowal", "Arabic": "Yasmin Saad"}

#: The care journeys a child can take, and how many working days each needs to play out.
_JOURNEY_PATTERN = ["cp", "nfa", "cin", "eh_close", "cic", "prebirth", "leaver", "cin_down",
                    "cp_stay", "eh_up", "cic_in", "nfa", "cin", "cp", "eh_close", "cin",
                    "cp", "nfa", "cin_down", "cic_in", "cin", "cp_stay", "eh_close", "leaver", "cp"]
_JOURNEY_LENGTH = {"cp": 200, "nfa": 45, "cin": 170, "eh_close": 110, "cic": 200, "prebirth": 140,
                   "leaver": 120, "cin_down": 200, "cp_stay": 120, "eh_up": 180, "cic_in": 60}
_CONCERNS_FOR = {
    "cp": ["neglect", "domestic_abuse", "substance", "mental_health"],
    "cp_stay": ["neglect", "domestic_abuse", "substance"],
    "cic": ["neglect", "substance", "domestic_abuse"],
    "cin": ["attendance", "mental_health", "housing", "health", "neglect"],
    "cin_down": ["attendance", "mental_health", "housing", "health"],
    "nfa": ["attendance", "health", "housing", "neglect"],
    "eh_close": ["attendance", "housing", "health"],
    "eh_up": ["attendance", "neglect", "mental_health"],
    "prebirth": ["substance", "domestic_abuse", "mental_health"],
    "cic_in": ["neglect"], "leaver": ["neglect"],
}
_CP_CATEGORY = {"neglect": "neglect", "substance": "neglect", "domestic_abuse": "emotional abuse",
                "mental_health": "neglect", "attendance": "neglect", "housing": "neglect",
                "health": "neglect"}
_REFERRERS = {
    "attendance": ["school"], "neglect": ["school", "health visitor", "neighbour", "anonymous"],
    "domestic_abuse": ["police", "school", "family member"], "mental_health": ["GP", "family member"],
    "substance": ["anonymous", "police", "neighbour"], "housing": ["family member", "school", "GP"],
    "health": ["health visitor", "GP"],
}
_AGES = {"cp": (0, 12), "cp_stay": (0, 11), "cic": (5, 14), "cin": (3, 15), "cin_down": (4, 14),
         "nfa": (2, 15), "eh_close": (5, 13), "eh_up": (5, 12), "cic_in": (8, 15)}


@dataclass
class _Person:
    staff_id: str
    full_name: str
    designation: str
    team: str
    roles: list[str]

    @property
    def first(self) -> str:
        return self.full_name.split()[0]


@dataclass
class _Directory:
    admin: _Person
    everyone: list[_Person]
    managers: dict[str, _Person]
    workers: dict[str, list[_Person]]
    service_manager: _Person
    head_of_service: _Person
    iro: _Person
    edt: _Person


def _staff_directory(rng: random.Random) -> _Directory:
    names = _STAFF_NAMES[:]
    rng.shuffle(names)
    taken: set[str] = set()
    everyone: list[_Person] = []

    def person(designation: str, team: str, *roles: str) -> _Person:
        name = names.pop()
        base = ".".join(re.sub(r"[^a-z]", "", part.lower()) for part in (name.split()[0], name.split()[-1]))
        sid, n = base, 2
        while sid in taken:
            sid, n = f"{base}{n}", n + 1
        taken.add(sid)
        p = _Person(sid, name, designation, team, list(roles))
        everyone.append(p)
        return p

    admin = person("Systems Administrator", "Business Support", "admin")
    hos = person("Head of Service", "Children's Social Care", "head_of_service")
    sm = person("Service Manager", "Safeguarding and Family Support", "service_manager")
    managers: dict[str, _Person] = {}
    workers: dict[str, list[_Person]] = {}
    for team in TEAMS:
        managers[team] = person("Team Manager", team, "team_manager")
        crew = [person("Senior Practitioner", team, "senior_practitioner")]
        for i in range(rng.randint(2, 4)):
            if team == "Early Help":
                crew.append(person("Early Help Practitioner", team, "social_worker"))
            elif team == "Care Leavers" and i == 0:
                crew.append(person("Personal Adviser", team, "social_worker"))
            else:
                crew.append(person("Social Worker", team, "social_worker"))
        workers[team] = crew
    iro = person("Independent Reviewing Officer", "Safeguarding and Quality Assurance", "iro")
    edt = person("Emergency Duty Social Worker", "Emergency Duty Team", "edt")
    person("Helpdesk Analyst", "LCS Helpdesk", "helpdesk")
    person("Quality Assurance Auditor", "Quality Assurance", "auditor")
    return _Directory(admin, everyone, managers, workers, sm, hos, iro, edt)


@dataclass
class _Family:
    """One child, the adults around them and the professionals who know them."""

    child_first: str
    surname: str
    boy: bool
    dob: _dt.date
    expected: bool  # a pre-birth referral: dob is the expected date of birth at referral
    ctx: dict[str, str]
    language: str | None
    needs_interpreter: bool
    interpreters: list[tuple[str, str, str]]  # (name, kind, organisation or relation)


def _family(rng: random.Random, journey: str, referral: _dt.date, force_interpreter: bool) -> _Family:
    if force_interpreter:
        bg = rng.choice([b for b, v in _BACKGROUNDS.items() if v[5]])
    else:
        bg = rng.choices(list(_BACKGROUND_WEIGHTS), weights=list(_BACKGROUND_WEIGHTS.values()))[0]
    boys, girls, women, men, surnames, language = _BACKGROUNDS[bg]
    boy = rng.random() < 0.5
    first = rng.choice(boys if boy else girls)
    surname = rng.choice(surnames)
    if journey == "prebirth":
        dob, expected = referral + _dt.timedelta(days=rng.randint(120, 150)), True
    elif journey == "leaver":
        dob, expected = referral - _dt.timedelta(days=365 * 17 + rng.randint(120, 280)), False
    else:
        lo, hi = _AGES[journey]
        dob, expected = referral - _dt.timedelta(days=rng.randint(lo * 365 + 40, hi * 365 + 300)), False
    household = rng.choices(["mother", "mother_partner", "parents", "father"], weights=[45, 20, 25, 10])[0]
    if household == "father" and journey in ("prebirth", "cic", "cic_in", "leaver"):
        household = "mother"
    mother, father = rng.choice(women), rng.choice(men)
    other_men = [m for m in men if m != father] or men
    ctx: dict[str, str] = {"dad": father}
    if household == "father":
        ctx.update(p1=father, p1rel="father", sh="he", hr="him", hs="his", Sh="He", Hs="His")
    else:
        ctx.update(p1=mother, p1rel="mother", sh="she", hr="her", hs="her", Sh="She", Hs="Her")
        if household == "parents":
            ctx.update(p2=father, p2rel="father", ex=father)
        elif household == "mother_partner":
            partner = rng.choice(other_men)
            ctx.update(p2=partner, p2rel="mother's partner", ex=partner)
        else:
            ctx.update(ex=father)
    sup_rel = rng.choice(["maternal grandmother", "aunt", "paternal grandmother", "family friend"])
    sup_name = rng.choice([w for w in women if w != mother] or women)
    ctx.update(sup=f"{sup_name} ({sup_rel})", sup_first=sup_name, sup_rel=sup_rel,
               sup_full=f"{sup_name} {surname}" if "grand" in sup_rel or sup_rel == "aunt" else sup_name)
    titled = rng.sample(_TITLED, 8)
    age = _age(dob, referral) if not expected else -1
    if 2 <= age <= 4:
        ctx.update(school=rng.choice(_NURSERY), dsl=titled[0], dsl_role="nursery manager")
    elif 4 < age <= 10:
        ctx.update(school=rng.choice(_PRIMARY), dsl=titled[0], dsl_role="designated safeguarding lead")
    elif 11 <= age <= 15:
        ctx.update(school=rng.choice(_SECONDARY), dsl=titled[0], dsl_role="designated safeguarding lead")
    elif age >= 16:
        ctx.update(college=rng.choice(_COLLEGE), school=rng.choice(_COLLEGE), dsl=titled[0],
                   dsl_role="safeguarding officer")
    if age <= 4:
        ctx.update(hv=titled[1])
    gp_i = rng.randrange(len(_GPS))
    ctx.update(gp=_GPS[gp_i], gpname=_GP_DOCTORS[gp_i], police=rng.choice(_POLICE),
               police_unit=rng.choice(["Child Abuse Investigation Team", "Safeguarding Hub",
                                       "Domestic Abuse Unit"]),
               idva=titled[2], dao=titled[3], cc=titled[4], hso=titled[5], midwife=titled[6],
               area=rng.choice(_AREAS))
    if journey in ("cic", "cic_in", "leaver"):
        carer = rng.choice(_FOSTER)
        couple = " and " in carer
        ctx.update(carer=carer, carer_word="foster carers" if couple else "foster carer",
                   carer_has="have" if couple else "has", carer_is="are" if couple else "is")
    if rng.random() < 0.5 and journey not in ("leaver",):
        ctx.update(sib=rng.choice([n for n in boys + girls if n != first]))
    needs_interpreter = bool(language) and (force_interpreter or rng.random() < 0.45)
    interpreters: list[tuple[str, str, str]] = []
    if language:
        names = _INTERPRETERS[language]
        interpreters = [(n, "contracted_service", rng.choice(_INTERPRETER_SERVICES)) for n in names]
        interpreters.append((f"{rng.choice(women)} {surname}", "family_member", "sister"))
        if language in _STAFF_INTERPRETERS:
            interpreters.insert(2, (_STAFF_INTERPRETERS[language], "staff_member",
                                    "Family Support Worker, Early Help"))
    return _Family(first, surname, boy, dob, expected, ctx, language, needs_interpreter, interpreters)


# --- the plan -----------------------------------------------------------------------------


@dataclass
class _Action:
    """One command to carry out at ``at`` (the recording time)."""

    at: _dt.datetime
    child: int  # -1: the staff directory
    seq: int
    op: str
    args: dict[str, Any]
    segment: int = 0
    after: int | None = None  # seq of the action this one depends on (same child)
    note: str | None = None  # the plan's key of the note created or acted on
    occurred: _dt.datetime | None = None


@dataclass
class _Runtime:
    case_id: uuid.UUID | None = None
    notes: dict[str, uuid.UUID] = field(default_factory=dict)


class _ChildPlan:
    """Plans one child's year: phases in teams, and the notes and decisions in each."""

    def __init__(self, idx: int, rng: random.Random, staff: _Directory, journey: str,
                 referral: _dt.date, family: _Family, concerns: list[str], referrer: str) -> None:
        self.idx, self.rng, self.staff, self.journey = idx, rng, staff, journey
        self.referral, self.fam, self.concerns, self.referrer = referral, family, concerns, referrer
        self.writer = _Writer(rng)
        self.actions: list[_Action] = []
        self.seq = 0
        self.segment = 0
        self.team = ""
        self.worker: _Person | None = None
        self.notes: dict[str, dict[str, Any]] = {}  # key -> plan facts about the note
        self.progress = 0.0  # 0: the start of the child's story, 1: the end of the demo year
        self.cutoff = add_working_days(END_DAY, -3)

    # --- building blocks ---------------------------------------------------------------

    def add(self, at: _dt.datetime, op: str, after: int | None = None, note: str | None = None,
            occurred: _dt.datetime | None = None, **args: Any) -> _Action:
        action = _Action(at, self.idx, self.seq, op, args, self.segment, after, note, occurred)
        self.seq += 1
        self.actions.append(action)
        return action

    def lag(self, urgent: bool = False) -> int:
        """Working days from the event to recording it: mostly 0-3, about one in eight late (6-12)."""
        r = self.rng.random()
        if r < (0.07 if urgent else 0.15):
            return self.rng.randint(6, 12)
        r = self.rng.random()
        if urgent:
            return 0 if r < 0.6 else 1
        return 0 if r < 0.2 else 1 if r < 0.6 else 2 if r < 0.8 else 3 if r < 0.93 else self.rng.randint(4, 5)

    def record_time(self, occurred: _dt.datetime, lag: int) -> _dt.datetime:
        day = add_working_days(occurred.date(), lag)
        if day == occurred.date():
            earliest = occurred + _dt.timedelta(minutes=self.rng.randint(25, 150))
            if earliest.time() >= _dt.time(17, 15):
                return self.record_time(occurred, 1)
            latest = _at(day, 17, 20)
            span = int((latest - earliest).total_seconds() // 60)
            return earliest + _dt.timedelta(minutes=self.rng.randint(0, max(span, 0)))
        return _at(day, self.rng.randint(9, 16), self.rng.randrange(0, 60, 1))

    def slot(self, day: _dt.date, after_school: bool = False) -> _dt.datetime:
        if after_school:
            return _at(day, self.rng.choice([15, 16]), self.rng.choice([30, 40, 45, 50]))
        return _at(day, self.rng.randint(9, 15), self.rng.choice([0, 10, 15, 30, 40, 45]))

    def age_on(self, day: _dt.date) -> int | None:
        if day < self.fam.dob:
            return None
        return _age(self.fam.dob, day)

    def band(self, day: _dt.date) -> str | None:
        age = self.age_on(day)
        if age is None or age < 3:
            return None
        return "little" if age <= 6 else "middle" if age <= 11 else "teen" if age <= 17 else "adult"

    def ctx(self, occurred: _dt.datetime, state: str = "", seen: bool = False) -> _Context:
        day = occurred.date()
        f = self.fam
        age = self.age_on(day)
        he, him, his = ("he", "him", "his") if f.boy else ("she", "her", "her")
        ctx = _Context({k: v for k, v in f.ctx.items() if v})
        unborn = age is None
        ctx.update(
            c=f.child_first if not unborn else "the baby", cfull=f"{f.child_first} {f.surname}",
            he=he, him=him, his=his, He=he.capitalize(), His=his.capitalize(),
            himself="himself" if f.boy else "herself",
            date=_short_date(day), day=f"{day:%A}", time=_clock_time(occurred),
            next=_long_date(add_working_days(day, self.rng.randint(8, 12))),
            past=_short_date(day - _dt.timedelta(days=self.rng.randint(4, 20))),
            att_bad=str(self.rng.randint(61, 86)), att_good=str(self.rng.randint(91, 98)),
            n=str(self.rng.randint(3, 7)), iro=self.staff.iro.full_name,
            cat=_CP_CATEGORY[self.concerns[0]],
            edd=_short_date(f.dob), weeks=str(max(12, 40 - (f.dob - day).days // 7)),
        )
        if age is not None:
            ctx["age"] = age
        team = {"Early Help": "eh", "Assessment": "assess", "Child in Need": "cin", "Child Protection": "cp",
                "Children in Care": "cic", "Care Leavers": "cl"}.get(self.team, "")
        family = {"exdad" if "ex" in f.ctx and f.ctx["ex"] == f.ctx["dad"] else "",
                  "dadhome" if ctx.get("p2rel") == "father" else ""}
        family.add("visit" if seen else "")  # fragments that need someone there in person
        ctx["tags"] = frozenset({"unborn" if unborn else "born", team, state, *self.concerns, *family} - {""})
        dad = ctx["p1rel"] == "father"  # what the child calls the parent at home
        ctx.update(mum="dad" if dad else "mum", Mum="Dad" if dad else "Mum",
                   mummy="daddy" if dad else "mummy", Mummy="Daddy" if dad else "Mummy")
        ctx["adult"] = ctx["carer"] if team == "cic" and "carer" in ctx else ctx["p1"]
        if self.worker:
            ctx.update(sw=self.worker.full_name, sw_first=self.worker.first, sw_des=self.worker.designation)
        if self.team:
            ctx["tm"] = self.staff.managers[self.team].full_name
        present = [f"{ctx['p1']} ({ctx['p1rel']})"]
        if "p2" in ctx and self.rng.random() < 0.6:
            present.append(f"{ctx['p2']} ({ctx['p2rel']})")
        if not unborn:
            present.append(ctx["c"])
        if "sib" in ctx and self.rng.random() < 0.4:
            present.append(f"{ctx['sib']} ({his} sibling)")
        ctx["present"] = ", ".join(present[:-1]) + " and " + present[-1] if len(present) > 1 else present[0]
        return ctx

    def state(self) -> str:
        """"bad" or "good": how things are for the child now, along the journey's arc."""
        arcs = {"cic": 0.25, "cp_stay": 0.35, "eh_up": 0.3, "cic_in": 0.55, "leaver": 0.55}
        base = arcs.get(self.journey, 0.15)
        return "good" if self.rng.random() < base + 0.7 * self.progress else "bad"

    def place(self, day: _dt.date | None = None) -> str:
        if day is not None and self.age_on(day) is None:
            return "prebirth"
        return {"Children in Care": "care", "Care Leavers": "leaving"}.get(self.team, self.concerns[0])

    # --- notes -------------------------------------------------------------------------

    def note(self, occurred: _dt.datetime, kind: str, author: _Person, content: dict[str, Any], *,
             urgent: bool = False, lag: int | None = None) -> str | None:
        """Plan a note; most are recorded and finalised at once, some drafted and finalised later."""
        if occurred.date() > self.cutoff:
            return None
        key = f"n{len(self.notes)}"
        lag = self.lag(urgent) if lag is None else lag
        self.progress = min(1.0, max(self.progress, (occurred.date() - self.referral).days / 330))
        entry = {"occurred": occurred, "kind": kind, "author": author, "content": content,
                 "segment": self.segment, "drafted": False}
        if lag > LATE_AFTER and self.rng.random() < 0.45:
            early = self.record_time(occurred, self.rng.randint(0, 2))
            later = self.record_time(occurred, lag)
            draft = content
            if content.get("analysis"):  # the analysis is written up later, before finalising
                draft = {k: v for k, v in content.items() if k != "analysis"}
            a = self.add(early, "note", note=key, occurred=occurred, acting=author.staff_id, kind=kind,
                         content=draft, finalise=False)
            if draft is not content:
                mid = self.record_time(occurred, max(1, lag - self.rng.randint(1, 3)))
                a = self.add(max(mid, early + _dt.timedelta(minutes=5)), "revise", after=a.seq, note=key,
                             acting=author.staff_id, changes={"analysis": content["analysis"]})
            self.add(later, "finalise", after=a.seq, note=key, acting=author.staff_id)
            entry.update(drafted=True, final_at=later)
        else:
            at = self.record_time(occurred, lag)
            self.add(at, "note", note=key, occurred=occurred, acting=author.staff_id, kind=kind,
                     content=content, finalise=True)
            entry["final_at"] = at
        self.notes[key] = entry
        return key

    def interpreter(self, ctx: _Context, setting: str = "contracted") -> dict[str, str] | None:
        """Pick an interpreter for a conversation with the parent, and say so in the facts.

        ``setting``: "contracted" (a visit), "phone" or "meeting"; a family member stands in now and
        then at a visit, when the booked interpreter does not come.
        """
        if not self.fam.needs_interpreter:
            return None
        name, kind, org = self.fam.interpreters[0 if self.rng.random() < 0.55 else 1]
        if setting == "contracted" and self.rng.random() < 0.12:
            name, kind, org = self.fam.interpreters[-1]  # a family member, when the interpreter did not come
        elif setting != "phone" and len(self.fam.interpreters) > 3 and self.rng.random() < 0.1:
            name, kind, org = self.fam.interpreters[2]  # a member of staff who speaks the language
        ctx.update(lang=self.fam.language or "", interp=name, interp_org=org, interp_rel=org)
        sections = {"family_member": "interp.family", "staff_member": "interp.staff"}
        section = sections.get(kind, f"interp.{setting}")
        ctx["interp_line"] = self.writer.one(section, ctx)
        label = f"{name}, {ctx['p1']}'s {org}" if kind == "family_member" else f"{name} ({org})"
        return {"name": label, "kind": kind}

    def views(self, ctx: _Context, day: _dt.date, topic: str, state: str) -> str:
        band = self.band(day)
        if band is None:
            return ""
        picks = self.writer.some(f"{topic}.v.{band}.{state}", ctx, 1)
        if self.rng.random() < 0.5 or not picks:
            picks += self.writer.some(f"v.{band}", ctx, 1)
        return " ".join(f'"{p}"' for p in picks)

    def visit(self, day: _dt.date, kind: str = "home_visit", *, urgent: bool = False,
              author: _Person | None = None) -> str | None:
        age = self.age_on(day)
        school_age = age is not None and 5 <= age <= 17
        after_school = kind == "home_visit" and school_age and self.rng.random() < 0.4
        occurred = self.slot(day, after_school=after_school)
        state, topic = self.state(), self.place(day)
        ctx = self.ctx(occurred, state, seen=True)
        if kind == "other" and not self.writer.options("open.school", ctx):
            kind = "home_visit"
        interp = self.interpreter(ctx) if kind != "other" and topic not in ("care", "leaving") else None
        if topic == "care":
            opening = (f"Statutory visit to {ctx['c']} at {ctx['carer']}'s home in {ctx['area']}. "
                       f"Present: {ctx['c']} and {ctx['carer']}.")
        elif topic == "leaving":
            opening = self.writer.one("seen.alone.adult", ctx)
        elif kind == "office_visit":
            opening = self.writer.one("open.office", ctx)
        elif kind == "other":
            opening = self.writer.one("open.school", ctx) or self.writer.one("open.home", ctx)
        else:
            section = "open.unannounced" if self.rng.random() < 0.3 else "open.home"
            opening = self.writer.one(section, ctx)
        facts = [opening]
        if interp:
            facts.append(ctx["interp_line"])
        facts += self.writer.some(f"{topic}.{state}", ctx, 1 + (self.rng.random() < 0.5))
        if len(self.concerns) > 1 and topic == self.concerns[0] and self.rng.random() < 0.4:
            facts += self.writer.some(f"{self.concerns[1]}.{state}", ctx, 1)
        band = self.band(day)
        if band and (state == "good" or self.rng.random() < 0.3):
            facts += self.writer.some(f"ach.{band}", ctx, 1)
        seen = age is not None
        alone = bool(band) and (age or 0) >= 4 and (topic == "leaving" or self.rng.random() < 0.7)
        if age is not None and age < 3:
            facts.append(self.writer.one("seen.baby", ctx) or self.writer.one("seen.together", ctx))
        elif topic == "leaving":
            pass
        elif alone and band:
            facts.append(self.writer.one(f"seen.alone.{band}", ctx))
        elif seen and topic != "leaving":
            facts.append(self.writer.one("seen.together", ctx))
        analysis = self.writer.some(f"{topic}.an_{state}", ctx, 1)
        if self.rng.random() < 0.35:
            analysis += self.writer.some("an.general", ctx, 1)
        if interp and interp["kind"] == "family_member":
            analysis.append(f"Using {ctx['p1']}'s {ctx['interp_rel']} to interpret was not ideal: "
                            "I cannot be sure everything was passed on accurately, and it limits what "
                            f"{ctx['p1']} may feel able to say. A contracted interpreter will be booked.")
        actions = self.writer.some(f"{topic}.act", ctx, 1 + (self.rng.random() < 0.6))
        actions += self.writer.some("act.general", ctx, 1)
        content = {
            "facts": " ".join(t for t in facts if t), "analysis": " ".join(analysis),
            "actions": " ".join(actions), "child_seen": seen, "child_seen_alone": alone and seen,
            "child_views": self.views(ctx, day, topic, state) if seen else "",
            "interpreter": interp,
        }
        return self.note(occurred, kind, author or self.current(), content, urgent=urgent)

    def call(self, day: _dt.date, *, urgent: bool = False) -> str | None:
        """A telephone call or email: third-party information from a professional, or the parent."""
        occurred = self.slot(day)
        state, topic = self.state(), self.place(day)
        ctx = self.ctx(occurred, state)
        providers = [p for p in _PROVIDERS if self.writer.options(f"{topic}.tp_{state}", ctx, p)
                     and _fits(_PROVIDERS[p], ctx)]
        if providers and self.rng.random() < 0.75:
            provider = self.rng.choice(providers)
            who, intro = (t.format_map(ctx) for t in _PROVIDERS[provider])
            email = self.rng.random() < 0.2
            if email:
                intro = intro.replace("Telephone call from", "Email from")
            facts = [intro, self.writer.one(f"{topic}.tp_{state}", ctx, provider)]
            analysis = self.writer.some(f"{topic}.an_{state}", ctx, 1) if self.rng.random() < 0.6 else []
            actions = self.writer.some(f"{topic}.act", ctx, 1)
            content: dict[str, Any] = {"facts": " ".join(facts), "analysis": " ".join(analysis),
                       "actions": " ".join(actions), "source": "third_party", "provided_by": who}
            return self.note(occurred, "email" if email else "telephone_call", self.current(), content,
                             urgent=urgent)
        interp = self.interpreter(ctx, "phone") if topic not in ("care", "leaving") else None
        facts = [self.writer.one("call.parent", ctx) if topic != "leaving"
                 else f"Telephone call with {ctx['c']}."]
        if interp:
            facts.append(ctx["interp_line"])
        facts += self.writer.some(f"{topic}.{state}", ctx, 1)
        content = {"facts": " ".join(facts), "actions": " ".join(self.writer.some(f"{topic}.act", ctx, 1)),
                   "interpreter": interp}
        if topic == "leaving":
            content.update(child_seen=False, child_views=self.views(ctx, day, topic, state))
        return self.note(occurred, "telephone_call", self.current(), content, urgent=urgent)

    def meeting(self, day: _dt.date, section: str, *, extra: str = "", author: _Person | None = None,
                urgent: bool = False, child_there: bool = False, outcome: str = "",
                kind: str = "meeting") -> str | None:
        occurred = _at(day, self.rng.choice([10, 11, 13, 14]), self.rng.choice([0, 30]))
        state, topic = self.state(), self.place(day)
        ctx = self.ctx(occurred, state, seen=True)
        interp = self.interpreter(ctx, "meeting") if topic not in ("care", "leaving", "prebirth") else None
        facts = [self.writer.one(f"{section}.facts", ctx)]
        if interp:
            facts.append(ctx["interp_line"])
        facts += self.writer.some(f"{topic}.{state}", ctx, 1)
        facts += self.writer.some(f"{topic}.tp_{state}", ctx, 1)
        if extra:
            facts.append(self.writer.one(extra, ctx))
        if section not in ("lac", "pep", "pathway", "famtime") and self.rng.random() < 0.7:
            facts.append(self.writer.one("parent.views", ctx))
        if outcome:
            facts.append(self.writer.one(outcome, ctx))
        views = self.views(ctx, day, topic, state) if (child_there or self.rng.random() < 0.5) else ""
        if views and not child_there:
            facts.append(f"I shared {ctx['c']}'s views, given to me at my last visit, with the meeting.")
        analysis = self.writer.some(f"{topic}.an_{state}", ctx, 1)
        own_actions = f"{section}.act" in PHRASES
        actions = self.writer.some(f"{section}.act" if own_actions else f"{topic}.act", ctx, 2)
        content = {"facts": " ".join(t for t in facts if t), "analysis": " ".join(analysis),
                   "actions": " ".join(actions), "child_seen": child_there and self.age_on(day) is not None,
                   "child_views": views, "interpreter": interp}
        return self.note(occurred, kind, author or self.current(), content, urgent=urgent)

    def decision(self, day: _dt.date, key: str, *, by: _Person | None = None, kind: str = "management",
                 at: _dt.datetime | None = None, state: str = "") -> None:
        occurred = at or _at(day, self.rng.randint(9, 16), self.rng.choice([0, 15, 30, 45]))
        if occurred.date() > self.cutoff:
            return
        state = state or self.state()
        ctx = self.ctx(occurred, state)
        ctx["due"] = _long_date(add_working_days(self.referral, 45))
        manager = by or self.staff.managers[self.team]
        if kind == "supervision":
            decision = self.writer.one("sdec.decision", ctx)
            reasons = " ".join(self.writer.some("sdec.reasons", ctx, 1) + self.writer.some(
                f"sup.an.{state}", ctx, 1))
            options = self.writer.some("sdec.options", ctx, 2)
        else:
            decision = self.writer.one(f"dec.{key}.decision", ctx)
            reasons = " ".join(self.writer.some(f"dec.{key}.reasons", ctx, 2))
            options = self.writer.some(f"dec.{key}.options", ctx, 2)
        risks = " ".join(self.writer.some(f"{self.place(occurred.date())}.risk", ctx, 2)) or \
            f"The risks to {ctx['c']} set out in the assessment."
        opts = [dict(zip(("option", "why_not"), (s.strip() for s in o.split("||")), strict=True))
                for o in options]
        lag = self.rng.choice([0, 0, 1, 1, 2, 3])
        args: dict[str, Any] = dict(acting=manager.staff_id, kind=kind, decision=decision, reasons=reasons,
                                    risks_considered=risks, options_not_chosen=opts, occurred_at=occurred)
        if kind == "supervision":
            args["supervisee"] = self.current().staff_id
        self.add(self.record_time(occurred, lag), "decision", **args)

    def supervision(self, day: _dt.date) -> None:
        occurred = _at(day, self.rng.choice([10, 11, 14, 15]), self.rng.choice([0, 30]))
        if occurred.date() > self.cutoff:
            return
        manager = self.staff.managers[self.team]
        state = self.state()
        ctx = self.ctx(occurred, state)
        topic = self.place(day)
        facts = [self.writer.one("sup.facts", ctx)] + self.writer.some("sup.progress", ctx, 2)
        if self.rng.random() < 0.15:
            facts.append(self.writer.one("sup.late", ctx))
        content = {"facts": " ".join(facts), "analysis": self.writer.one(f"sup.an.{state}", ctx),
                   "actions": " ".join(self.writer.some(f"{topic}.act", ctx, 2))}
        self.note(occurred, "supervision", manager, content)
        self.decision(day, "", kind="supervision", at=occurred, state=state)

    def new_worker(self, team: str) -> _Person:
        return self.rng.choice([w for w in self.staff.workers[team] if w is not self.worker])

    def current(self) -> _Person:
        assert self.worker is not None
        return self.worker

    # --- phases ------------------------------------------------------------------------

    def open(self, team: str, source: str) -> None:
        self.team = team
        self.worker = self.rng.choice(self.staff.workers[team])
        day = self.referral
        contact = _at(day, self.rng.randint(8, 10), self.rng.choice([5, 20, 35, 50]))
        opened = contact + _dt.timedelta(minutes=self.rng.randint(30, 120))
        manager = self.staff.managers[team]
        args: dict[str, Any] = dict(acting=manager.staff_id, referral_date=day, referral_source=source,
                                    child_name=f"{self.fam.child_first} {self.fam.surname}", team=team,
                                    worker=self.worker.staff_id)
        if self.fam.expected:
            args["child_name"] = f"Unborn baby {self.fam.surname}"
            args["expected_date_of_birth"] = self.fam.dob
        else:
            args["date_of_birth"] = self.fam.dob
        self.add(opened, "open", **args)
        ctx = self.ctx(contact)
        who = self.referrer_name(ctx)
        topic = "prebirth" if self.fam.expected else self.concerns[0]
        if team in ("Children in Care", "Care Leavers"):
            facts = (f"Transfer in from another local authority: {ctx['cfull']} moved into a foster "
                     "placement "
                     f"with {ctx['carer']} in {ctx['area']} on {ctx['past']}. The previous local authority "
                     "sent the care plan, chronology and latest review minutes.")
        else:
            facts = " ".join([f"Referral received from {who}.", self.writer.one(f"{topic}.referral", ctx),
                              f"{ctx['p1']} has been told about the referral."
                              if source != "anonymous" else "The caller did not want to be named."])
        content = {"facts": facts, "source": "third_party", "provided_by": who,
                   "actions": f"Passed to {manager.full_name} (Team Manager) for a decision today."}
        self.note(contact, "contact", self.current(), content, lag=0)

    def referrer_name(self, ctx: _Context) -> str:
        src = self.referrer
        if self.team in ("Children in Care", "Care Leavers"):
            return "the placing authority's allocated social worker"
        return {
            "school": f"{ctx.get('dsl', 'the head teacher')}, {ctx.get('dsl_role', 'head teacher')}, "
                      f"{ctx.get('school', 'the school')}",
            "police": f"{ctx['police']}, {ctx['police_unit']}",
            "health visitor": f"{ctx.get('hv', ctx['midwife'])}, health visitor",
            "GP": f"{ctx['gpname']}, GP, {ctx['gp']}",
            "family member": f"{ctx['sup_full']}, {ctx['c']}'s {ctx['sup_rel']}",
            "anonymous": "an anonymous caller (name withheld at the caller's request)",
            "neighbour": f"a neighbour, {self.rng.choice(_TITLED)}",
            "midwife": f"{ctx['midwife']}, community midwife",
        }[src]

    def transfer(self, day: _dt.date, team: str, reason: str, by: _Person | None = None) -> None:
        occurred = _at(day, self.rng.randint(10, 16), self.rng.choice([0, 30]))
        if occurred.date() > self.cutoff:
            return
        manager = by or self.staff.managers[team]
        self.team = team
        self.worker = self.new_worker(team)
        self.add(self.record_time(occurred, self.rng.choice([0, 0, 1])), "allocate", acting=manager.staff_id,
                 team=team, worker=self.worker.staff_id, reason=reason)

    def close(self, day: _dt.date, reason: str) -> None:
        if day > self.cutoff:
            return
        manager = self.staff.managers[self.team]
        at = self.record_time(_at(day, 12, 0), self.rng.choice([0, 1, 2]))
        self.add(at, "close", acting=manager.staff_id, reason=reason, closed_on=day)
        self.segment += 1

    def cadence(self, start: _dt.date, end: _dt.date, every: tuple[int, int],
                offset: int = 0) -> Iterator[_dt.date]:
        """Working days from ``start`` to ``end``, ``every`` (min, max) working days apart."""
        day = add_working_days(start, offset + self.rng.randint(*every) // 2)
        while day < end and day <= self.cutoff:
            yield day
            day = add_working_days(day, self.rng.randint(*every))

    def routine(self, start: _dt.date, end: _dt.date, visits: tuple[int, int], meetings: tuple[int, int],
                meeting: str, calls: tuple[int, int], supervision: tuple[int, int]) -> None:
        for day in self.cadence(start, end, visits):
            kind = "home_visit" if self.team in ("Children in Care",) or self.rng.random() < 0.8 else \
                self.rng.choice(["office_visit", "other"])
            self.visit(day, kind, urgent=self.team == "Child Protection")
        for day in self.cadence(start, end, meetings, offset=5):
            self.meeting(day, meeting, child_there=meeting in ("lac", "pep", "pathway"),
                         author=self.staff.iro if meeting == "lac" else None,
                         extra="lac.decisions" if meeting == "lac" else "")
        for day in self.cadence(start, end, calls, offset=2):
            self.call(day)
        for day in self.cadence(start, end, supervision, offset=8):
            self.supervision(day)

    def phase_assessment(self, start: _dt.date, outcome: str) -> _dt.date:
        def d(n: int) -> _dt.date:
            return add_working_days(start, n)

        if outcome == "cp":
            self.decision(start, "strategy")
            self.meeting(d(1), "strategy", extra="strategy.agreed", urgent=True)
            self.visit(d(1), urgent=True)
            self.call(d(3), urgent=True)
            self.visit(d(5), "other", urgent=True)
            self.call(d(7))
            self.visit(d(9), urgent=True)
            self.supervision(d(10))
            icpc = d(14)
            self.meeting(icpc, "icpc", outcome="icpc.outcome")
            self.decision(icpc, "icpc")
            self.transfer(d(15), "Child Protection", "Transfer after the initial child protection "
                          "conference: the case needs a child protection worker for the plan.")
            return d(15)
        self.decision(start, "accept")
        self.visit(d(self.rng.randint(2, 4)))
        self.call(d(self.rng.randint(5, 7)))
        self.visit(d(self.rng.randint(9, 12)), self.rng.choice(["office_visit", "other", "home_visit"]))
        self.call(d(self.rng.randint(13, 16)))
        self.supervision(d(self.rng.randint(17, 19)))
        self.visit(d(self.rng.randint(21, 26)))
        if self.rng.random() < 0.5:
            self.call(d(self.rng.randint(27, 30)))
        end = d(self.rng.randint(31, 40))
        self.decision(end, {"nfa": "nfa", "cin": "cin", "eh": "eh"}[outcome])
        if outcome == "nfa":
            self.close(end, "Child and family assessment completed and authorised: no further action. "
                       "The family have been given advice and signposted to universal services.")
        elif outcome == "cin":
            self.transfer(add_working_days(end, 1), "Child in Need", "Step-across after the assessment: "
                          "a child in need plan is needed.")
        else:
            self.transfer(add_working_days(end, 1), "Early Help", "Step-down after the assessment: the "
                          "family agreed to early help.")
        return add_working_days(end, 1)

    def phase_cp(self, start: _dt.date, outcome: str) -> _dt.date | None:
        review = add_working_days(start, 62)
        end = add_working_days(start, 250) if outcome == "stay" else review
        if outcome == "cic":
            end = add_working_days(start, 80)
        self.meeting(add_working_days(start, 8), "core", urgent=True)
        self.routine(start, end, visits=(8, 11), meetings=(18, 24), meeting="core", calls=(9, 14),
                     supervision=(18, 24))
        if self.rng.random() < 0.6 and "ex" in self.fam.ctx:
            day = start + _dt.timedelta(days=self.rng.randint(20, 60))
            day += _dt.timedelta(days=(5 - day.weekday()) % 7)  # a Saturday
            occurred = _at(day, self.rng.choice([21, 22, 23]), self.rng.choice([5, 20, 40]))
            ctx = self.ctx(occurred)
            content = {"facts": self.writer.one("edt.parent", ctx),
                       "actions": self.writer.one("edt.act", ctx)}
            if self.concerns[0] == "domestic_abuse" or not content["facts"]:
                content.update(facts=self.writer.one("edt.police", ctx), source="third_party",
                               provided_by=f"{ctx['police']}, {ctx['police_unit']}")
            self.note(occurred, "telephone_call", self.staff.edt, content, lag=0)
        if outcome == "stay":
            while review <= self.cutoff:
                self.meeting(review, "review")
                review = add_working_days(review, self.rng.randint(120, 128))
            return None
        if outcome == "cic":
            self.decision(add_working_days(start, 45), "plo", by=self.staff.service_manager)
            self.meeting(add_working_days(start, 55), "core")
            self.decision(end, "accommodate", by=self.staff.head_of_service)
            self.transfer(add_working_days(end, 1), "Children in Care",
                          f"{self.fam.child_first} became looked after; transfer to the Children in Care "
                          "team.")
            return add_working_days(end, 1)
        self.meeting(review, "review")
        self.decision(review, "step_down_cin")
        self.transfer(add_working_days(review, 1), "Child in Need", "Step-down: the child protection plan "
                      "ended at the review conference; a child in need plan follows.")
        return add_working_days(review, 1)

    def phase_cin(self, start: _dt.date, outcome: str) -> _dt.date | None:
        end = add_working_days(start, self.rng.randint(85, 120))
        self.routine(start, end, visits=(14, 20), meetings=(28, 34), meeting="cin", calls=(12, 18),
                     supervision=(22, 28))
        if end > self.cutoff:
            return None
        if outcome == "close":
            self.decision(end, "close")
            self.close(end, "Child in need plan completed: the outcomes have been met and the family "
                       "agree the case can close.")
            return None
        self.decision(end, "step_down_eh")
        self.transfer(add_working_days(end, 1), "Early Help", "Step-down to early help at the end of the "
                      "child in need plan, with the family's agreement.")
        return add_working_days(end, 1)

    def phase_eh(self, start: _dt.date, outcome: str) -> _dt.date | None:
        end = add_working_days(start, self.rng.randint(60, 90))
        self.routine(start, end, visits=(10, 15), meetings=(28, 32), meeting="taf", calls=(12, 18),
                     supervision=(28, 34))
        if end > self.cutoff:
            return None
        if outcome == "close":
            self.decision(end, "close")
            self.close(end, "Team Around the Family plan completed; the family no longer need early help "
                       "and know how to ask for support again.")
            return None
        self.decision(end, "step_up")
        self.transfer(add_working_days(end, 1), "Assessment", "Step-up from early help: concerns have "
                      "increased and need a child and family assessment.")
        return add_working_days(end, 1)

    def phase_care(self, start: _dt.date) -> None:
        eighteen = _dt.date(self.fam.dob.year + 18, self.fam.dob.month, min(self.fam.dob.day, 28))
        end = min(eighteen, END_DAY)
        self.meeting(add_working_days(start, 18), "lac", author=self.staff.iro, extra="lac.decisions",
                     child_there=True)
        self.routine(start, end, visits=(26, 30), meetings=(60, 70), meeting="pep", calls=(15, 22),
                     supervision=(25, 30))
        for day in self.cadence(add_working_days(start, 10), end, (25, 35)):
            self.meeting(day, "famtime", child_there=True, kind="other", extra="famtime.obs")
        for day in self.cadence(add_working_days(start, 70), end, (120, 130)):
            self.meeting(day, "lac", author=self.staff.iro, extra="lac.decisions", child_there=True)
        if eighteen <= self.cutoff:
            self.decision(add_working_days(eighteen, -10), "leaver")
            self.transfer(eighteen, "Care Leavers", f"{self.fam.child_first} is eighteen today: "
                          "transfer to the Care Leavers team as planned.")
            self.phase_leaving(add_working_days(eighteen, 0))

    def phase_leaving(self, start: _dt.date) -> None:
        self.meeting(add_working_days(start, 5), "pathway", child_there=True)
        self.routine(start, END_DAY, visits=(30, 40), meetings=(120, 130), meeting="pathway",
                     calls=(12, 20), supervision=(35, 45))

    def phase_prebirth(self, start: _dt.date) -> None:
        def d(n: int) -> _dt.date:
            return add_working_days(start, n)

        self.decision(start, "prebirth_accept")
        for n in (3, 12, 22):
            occurred = self.slot(d(n + self.rng.randint(0, 2)))
            state = self.state()
            ctx = self.ctx(occurred, state, seen=True)
            interp = self.interpreter(ctx)
            kind = "home_visit" if n != 12 else "office_visit"
            facts = [self.writer.one(f"prebirth.{kind}", ctx)] + ([ctx["interp_line"]] if interp else [])
            facts += self.writer.some(f"prebirth.{state}", ctx, 2)
            self.note(occurred, kind, self.current(),
                      {"facts": " ".join(facts), "analysis": self.writer.one("prebirth.an", ctx),
                       "actions": " ".join(self.writer.some("prebirth.act", ctx, 2)), "interpreter": interp})
        self.call(d(7))
        self.supervision(d(15))
        self.meeting(d(25), "strategy", extra="strategy.agreed")
        self.meeting(d(33), "icpc", outcome="icpc.outcome")
        self.decision(d(33), "prebirth")
        self.transfer(d(34), "Child Protection", "Transfer after the pre-birth child protection conference.")
        birth = self.fam.dob + _dt.timedelta(days=self.rng.randint(-12, 5))
        self.meeting(d(42), "core")
        self.routine(d(36), birth - _dt.timedelta(days=3), visits=(8, 11), meetings=(18, 24), meeting="core",
                     calls=(10, 14), supervision=(18, 24))
        self.fam.dob = birth
        born = self.slot(add_working_days(birth, 0))
        ctx = self.ctx(born)
        weight = f"{self.rng.randint(2, 3)}.{self.rng.randint(1, 9)}kg"
        self.note(born, "telephone_call", self.current(), {
            "facts": f"Telephone call from {ctx['midwife']}, community midwife: {self.fam.child_first} "
                     f"was born on {_short_date(birth)} at the maternity unit, weighing {weight}. Mother and "
                     "baby are well and are expected to stay in for two days.",
            "source": "third_party", "provided_by": f"{ctx['midwife']}, community midwife",
            "actions": "Discharge planning meeting to be held on the ward before discharge."}, urgent=True)
        self.meeting(add_working_days(birth, 1), "discharge", urgent=True, child_there=True)
        self.phase_cp(add_working_days(birth, 2), "stay")

    def plan(self) -> None:
        j = self.journey
        start = self.referral
        if j == "cic_in":
            self.open("Children in Care", "another local authority: transfer in")
            self.phase_care(start)
            return
        if j == "leaver":
            self.open("Children in Care", "another local authority: transfer in")
            self.phase_care(start)
            return
        if j == "prebirth":
            self.referrer = "midwife"
            self.open("Assessment", "community midwife")
            self.phase_prebirth(start)
            return
        source = {"school": "school: designated safeguarding lead", "police": "police: domestic abuse "
                  "notification" if self.concerns[0] == "domestic_abuse" else "police"}.get(
            self.referrer, self.referrer)
        if j in ("eh_close", "eh_up"):
            self.open("Early Help", source)
            self.decision(start, "open_eh")
            nxt = self.phase_eh(start, "close" if j == "eh_close" else "up")
            if nxt:
                nxt = self.phase_assessment(nxt, "cin")
                if nxt:
                    self.phase_cin(nxt, "close")
            return
        self.open("Assessment", source)
        if j == "nfa":
            self.phase_assessment(start, "nfa")
            if self.rng.random() < 0.5:
                self.reopen_later()
            return
        if j in ("cin", "cin_down"):
            nxt = self.phase_assessment(start, "cin")
            nxt = self.phase_cin(nxt, "close" if j == "cin" else "down")
            if nxt:
                self.phase_eh(nxt, "close")
            return
        nxt = self.phase_assessment(start, "cp")
        if j == "cp":
            nxt = self.phase_cp(nxt, "cin")
            if nxt:
                self.phase_cin(nxt, "close")
        elif j == "cp_stay":
            self.phase_cp(nxt, "stay")
        else:
            nxt = self.phase_cp(nxt, "cic")
            if nxt:
                self.phase_care(nxt)

    def reopen_later(self) -> None:
        closing = [a for a in self.actions if a.op == "close"]
        if not closing:
            return
        day = add_working_days(closing[-1].args["closed_on"], self.rng.randint(40, 70))
        if add_working_days(day, 45) > self.cutoff:
            return
        manager = self.staff.managers["Assessment"]
        ctx = self.ctx(self.slot(day))
        self.add(self.record_time(_at(day, 10, 0), 0), "reopen", acting=manager.staff_id,
                 reason=f"New referral from {self.referrer_name(ctx)} on {_short_date(day)}; re-opened "
                        "for a new child and family assessment rather than opening a second record.")
        self.worker = self.new_worker("Assessment")
        self.team = "Assessment"
        self.add(self.record_time(_at(day, 10, 30), 0), "allocate", acting=manager.staff_id,
                 team="Assessment", worker=self.worker.staff_id,
                 reason="Allocated for the new assessment after re-referral.")
        self.progress = 0.2
        self.phase_assessment(add_working_days(day, 1), "eh")

    # --- corrections: amendments, deletions -------------------------------------------

    def finished_notes(self, lo_days: int = 10) -> list[str]:
        """Notes finalised well before the end of the demo year (room for a correction after)."""
        last = add_working_days(END_DAY, -lo_days)
        return [k for k, n in self.notes.items() if n["final_at"].date() <= last]

    def amend(self) -> bool:
        """Plan one amendment of a finalised note: the note is first recorded with the slip in it."""
        candidates = self.finished_notes(25)
        self.rng.shuffle(candidates)
        kinds = ["views", "interpreter", "school", "date", "neighbour"]
        self.rng.shuffle(kinds)
        for kind in kinds:
            for key in candidates:
                planned = self.amendment(kind, key)
                if planned is None:
                    continue
                original, changes, reason, by_manager = planned
                n = self.notes[key]
                self.replace_content(key, original)
                when = self.record_time(n["final_at"], self.rng.randint(2, 12))
                amender: _Person = n["author"]
                if by_manager or self.rng.random() < 0.2:
                    amender = self.staff.managers[self.team_at(when)]
                    if not by_manager:
                        reason = ("Team manager's amendment after case file audit: "
                                  f"{reason[0].lower()}{reason[1:]}")
                after = max(a.seq for a in self.actions if a.note == key)
                self.add(when, "amend", after=after, note=key, segment_of=key, acting=amender.staff_id,
                         reason=reason, changes=changes)
                n["amended"] = True
                return True
        return False

    def amendment(self, kind: str, key: str) -> tuple[dict[str, Any], dict[str, Any], str, bool] | None:
        """(the note as first written, the correction, the reason, made by a manager?) or None."""
        n = self.notes[key]
        c = n["content"]
        ctx = self.ctx(n["occurred"])
        original = dict(c)
        if kind == "views" and c.get("child_views") and c.get("child_seen_alone"):
            original["child_views"] = ""
            return original, {"child_views": c["child_views"]}, (
                f"Added {ctx['c']}'s views, which I wrote down at the visit but left out of this note "
                "in error."), False
        if kind == "interpreter" and c.get("interpreter"):
            original["interpreter"] = None
            return original, {"interpreter": c["interpreter"]}, (
                "Added the interpreter's name and service, which were left out in error (policy s.7)."), False
        if kind == "school" and "school" in ctx and ctx["school"] in c.get("facts", ""):
            same_kind = next(k for k in (_PRIMARY, _SECONDARY, _NURSERY, _COLLEGE) if ctx["school"] in k)
            wrong = self.rng.choice([s for s in same_kind if s != ctx["school"]])
            original["facts"] = c["facts"].replace(ctx["school"], wrong)
            return original, {"facts": c["facts"]}, (
                f"Corrected the name of the school: {ctx['c']} attends {ctx['school']}, not {wrong}."), False
        if kind == "date" and c.get("actions") and n["kind"] in ("home_visit", "office_visit"):
            right = _long_date(add_working_days(n["occurred"].date(), 10))
            typo = _long_date(add_working_days(n["occurred"].date(), 10) - _dt.timedelta(days=7))
            original["actions"] = f"{c['actions']} Next visit booked for {typo}."
            changes = {"actions": f"{c['actions']} Next visit booked for {right}."}
            n["content"] = {**c, **changes}
            reason = f"Corrected the date of the next visit: it is {right}, not {typo} as first typed."
            return original, changes, reason, False
        if kind == "neighbour" and c.get("provided_by", "").startswith("a neighbour, "):
            withheld = "a neighbour (name withheld at their request)"
            changes = {"provided_by": withheld, "facts": c["facts"].replace(c["provided_by"], withheld)}
            return original, changes, ("The neighbour asked not to be named to the family; their name is "
                                       "removed from the note and kept on the contact record only "
                                       "(policy s.7)."), True
        return None

    def replace_content(self, key: str, original: dict[str, Any]) -> None:
        for a in self.actions:
            if a.note == key and a.op == "note":
                if a.args["content"].get("analysis") is None and "analysis" in original:
                    original = {k: v for k, v in original.items() if k != "analysis"}
                a.args["content"] = original

    def delete(self, others: Sequence[_ChildPlan], style: str) -> bool:
        candidates = [k for k in self.finished_notes(20) if not self.notes[k].get("amended")]
        if not candidates:
            return False
        base = self.notes[self.rng.choice(candidates)]
        segment = base["segment"]
        manager = self.staff.managers[self.team_at(base["occurred"])]
        other = [o for o in others if o is not self and o.fam.surname != self.fam.surname]
        if style == "wrong_child" and not other:
            style = "duplicate"
        occurred = base["occurred"]
        author: _Person = base["author"]
        first = next(a for a in self.actions if a.note is not None and self.notes.get(a.note) is base)
        if style == "duplicate":
            content, final = base["content"], True
            at = first.at + _dt.timedelta(minutes=self.rng.randint(1, 4))
            what = base["kind"].replace("_", " ")
            reason = (f"Duplicate entry: the {what} of {_short_date(occurred.date())} "
                      "was saved twice after the system timed out; the first entry is kept.")
        elif style == "wrong_child":
            stranger = self.rng.choice(other)
            state = stranger.state()
            ctx = stranger.ctx(occurred, state, seen=True)
            facts = [self.writer.one("open.home", ctx)]
            facts += stranger.writer.some(f"{stranger.place()}.{state}", ctx, 2)
            content = {"facts": " ".join(facts), "actions": stranger.writer.one("act.general", ctx)}
            final = True
            at = self.record_time(occurred, self.rng.randint(0, 2))
            reason = ("Recorded on the wrong child's file in error: this note is about a different family. "
                      "It has been re-recorded on the correct child's record.")
        else:
            content = {"facts": "Note started in error."}
            final = False
            at = self.record_time(occurred, 0)
            reason = ("Draft started in error during refresher training on the recording screens; it records "
                      "no contact with the family.")
        self.segment, saved = segment, self.segment
        key = f"n{len(self.notes)}"
        a = self.add(at, "note", note=key, occurred=occurred, acting=author.staff_id, kind=base["kind"],
                     content=content, finalise=final)
        self.notes[key] = {"occurred": occurred, "kind": base["kind"], "author": author, "content": content,
                           "segment": segment, "final_at": at, "deleted": True, "drafted": not final}
        self.add(self.record_time(at, self.rng.randint(1, 6)), "delete", after=a.seq, note=key,
                 acting=manager.staff_id, reason=reason)
        self.segment = saved
        return True

    def team_at(self, when: _dt.datetime) -> str:
        """The team holding the case at ``when`` (by the plan's recording times)."""
        team = str(self.actions[0].args["team"])
        for a in self.actions:
            if a.op == "allocate" and a.at <= when:
                team = str(a.args["team"])
        return team


_PROVIDERS = {
    "school": ("{dsl}, {dsl_role}, {school}", "Telephone call from {dsl}, {dsl_role} at {school}."),
    "hv": ("{hv}, health visitor", "Telephone call from {hv}, health visitor."),
    "gp": ("{gpname}, GP, {gp}", "Telephone call from {gpname} at {gp}."),
    "police": ("{police}, {police_unit}", "Telephone call from {police} of the {police_unit}."),
    "idva": ("{idva}, independent domestic violence adviser (IDVA)",
             "Telephone call from {idva}, independent domestic violence adviser."),
    "dao": ("{dao}, recovery worker, drug and alcohol service",
            "Telephone call from {dao}, {p1}'s recovery worker at the drug and alcohol service."),
    "cc": ("{cc}, care coordinator, community mental health team",
           "Telephone call from {cc}, {p1}'s care coordinator in the community mental health team."),
    "hso": ("{hso}, housing officer", "Telephone call from {hso}, housing officer."),
    "carer": ("{carer}, {carer_word}", "Telephone call from {carer}, {c}'s {carer_word}."),
    "college": ("{dsl}, {dsl_role}, {college}", "Telephone call from {dsl}, {dsl_role} at {college}."),
    "sup": ("{sup_full}, {c}'s {sup_rel}", "Telephone call from {sup_full}, {c}'s {sup_rel}."),
    "midwife": ("{midwife}, community midwife", "Telephone call from {midwife}, community midwife."),
}


def _fits(templates: Sequence[str], ctx: _Context) -> bool:
    try:
        for t in templates:
            t.format_map(ctx)
    except KeyError:
        return False
    return True


# --- carrying out the plan ----------------------------------------------------------------


class _DemoClock:
    """The ledger's clock during the demo: set by hand before each action."""

    def __init__(self, now: _dt.datetime) -> None:
        self.now = now

    def __call__(self) -> _dt.datetime:
        return self.now


def _schedule(plan: _ChildPlan) -> list[_Action]:
    """Make one child's actions consistent in time, then drop what falls after the demo year.

    Everything is recorded after the case is opened and after what it depends on; a closure comes
    after everything before it (no drafts left open), a re-opening after the closure.
    """
    actions = sorted(plan.actions, key=lambda a: a.seq)
    by_seq = {a.seq: a for a in actions}
    note_segment = {k: n["segment"] for k, n in plan.notes.items()}
    for a in actions:
        if "segment_of" in a.args:
            a.segment = note_segment[a.args.pop("segment_of")]
    floor = actions[0].at
    out: list[_Action] = []
    for segment in sorted({a.segment for a in actions}):
        members = [a for a in actions if a.segment == segment]
        reopen = [a for a in members if a.op == "reopen"]
        for a in reopen:
            a.at = _in_hours(max(a.at, floor + _dt.timedelta(minutes=1)))
            floor = a.at
        for a in members:
            if a.op in ("close", "reopen"):
                continue
            if a is not actions[0]:
                a.at = max(a.at, floor + _dt.timedelta(minutes=1))
            if a.after is not None:
                a.at = max(a.at, by_seq[a.after].at + _dt.timedelta(minutes=1))
            a.at = _in_hours(a.at)
        for a in members:
            if a.op == "close":
                last = max((m.at for m in members if m.op not in ("close", "reopen")), default=floor)
                a.at = _in_hours(max(a.at, last + _dt.timedelta(minutes=10)))
                a.args["closed_on"] = min(a.args["closed_on"], a.at.date())
                floor = a.at
        out += members
    kept = [a for a in out if a.at <= END_TIME]
    closes = [a for a in out if a.op == "close" and a.at > END_TIME]
    if closes:  # a closure that did not happen: nothing after it happens either
        kept = [a for a in kept if a.segment < closes[0].segment or
                (a.segment == closes[0].segment and a.op != "close")]
    return kept


def _journeys(rng: random.Random, children: int) -> list[str]:
    pattern = (_JOURNEY_PATTERN * (children // len(_JOURNEY_PATTERN) + 1))[:children]
    rng.shuffle(pattern)
    return pattern


def _plan_borough(rng: random.Random, staff: _Directory, children: int) -> list[_ChildPlan]:
    journeys = _journeys(rng, children)
    interpreted = set(rng.sample(range(children), max(1, round(children * 0.14))))
    year = working_days_between(START_DAY, END_DAY)
    plans: list[_ChildPlan] = []
    for i, journey in enumerate(journeys):
        room = max(0, year - _JOURNEY_LENGTH[journey] - 10)
        offset = min(int(rng.triangular(0, room, 0)), room) if room else 0
        referral = add_working_days(START_DAY, offset + 1)
        family = _family(rng, journey, referral, i in interpreted)
        concerns = rng.sample(_CONCERNS_FOR[journey], min(2, len(_CONCERNS_FOR[journey])))
        age = _age(family.dob, referral) if not family.expected else 0
        if "attendance" in concerns and not 5 <= age <= 16:
            concerns = [c for c in concerns if c != "attendance"] or ["neglect"]
        if "domestic_abuse" in concerns and "ex" not in family.ctx:
            concerns = [c for c in concerns if c != "domestic_abuse"] or ["neglect"]
        referrer = rng.choice(_REFERRERS[concerns[0]])
        if referrer == "health visitor" and "hv" not in family.ctx:
            referrer = "GP"
        if referrer == "school" and "school" not in family.ctx:
            referrer = "family member"
        plans.append(_ChildPlan(i, rng, staff, journey, referral, family, concerns, referrer))
    for p in plans:
        p.plan()
    # Corrections, spread over the borough: about one child in four has an amendment, one in
    # eight a deleted note; at least one of each.
    order = list(range(children))
    rng.shuffle(order)
    for n, i in enumerate(order):
        if n < max(1, round(children * 0.25)):
            plans[i].amend()
    rng.shuffle(order)
    for n, i in enumerate(order):
        if n < max(1, round(children * 0.12)):
            plans[i].delete(plans, ("duplicate", "wrong_child", "draft")[n % 3])
    return plans


def build_demo(ledger: CaseLedger, *, children: int = 50, seed: int = 1,
               progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Fill an empty ledger with a synthetic borough (see the module docstring).

    Raises :class:`~ledger.errors.RuleViolation` if the ledger already holds events. The same
    ``seed`` and ``children`` always give the same events, byte for byte.
    """
    existing = ledger.event_count()
    if existing:
        raise RuleViolation(
            f"the demo fills an empty ledger, but {ledger.backend.display} already holds {existing} "
            f"event{'s' if existing != 1 else ''}; use a new SQLite file or an empty PostgreSQL database "
            "or schema"
        )
    if children < 1:
        raise RuleViolation(f"the demo needs at least one child; got children={children}")
    rng = random.Random(seed)
    ids = random.Random(rng.getrandbits(64))
    staff = _staff_directory(rng)
    plans = _plan_borough(rng, staff, children)

    actions: list[_Action] = []
    for i, member in enumerate(staff.everyone):
        actions.append(_Action(_at(START_DAY, 9, i), -1, i, "staff", {
            "acting": None if member is staff.admin else staff.admin.staff_id, "staff_id": member.staff_id,
            "full_name": member.full_name, "designation": member.designation, "team": member.team,
            "roles": member.roles}))
    for plan in plans:
        actions += _schedule(plan)
    actions.sort(key=lambda a: (a.at, a.child, a.seq))

    clock = _DemoClock(actions[0].at)
    repo = ledger.repository
    saved = ledger.clock, ledger.new_id, repo.cache, repo.fastforward, repo.deepcopy_from_cache
    ledger.clock = clock
    ledger.new_id = lambda: uuid.UUID(int=ids.getrandbits(128), version=4)
    # Speed, for the build only: keep the aggregates just saved in memory instead of replaying
    # each case record from the store before every action. The demo is the only writer, and a
    # failed command ends the build, so no copy is needed. What is stored is the same.
    repo.cache, repo.fastforward, repo.deepcopy_from_cache = LRUCache(maxsize=500), False, False
    runtime = [_Runtime() for _ in plans]
    tally: dict[str, int] = {}
    late = interpreted = 0
    occurred: dict[tuple[int, str], _dt.datetime] = {}
    flagged: dict[str, uuid.UUID | None] = {}
    try:
        for done, a in enumerate(actions, 1):
            clock.now = a.at
            _carry_out(ledger, a, runtime[a.child] if a.child >= 0 else None)
            tally[a.op] = tally.get(a.op, 0) + 1
            if a.op == "note":
                occurred[(a.child, a.note or "")] = a.occurred or a.at
                if a.args["content"].get("interpreter"):
                    interpreted += 1
                    flagged.setdefault("interpreter", runtime[a.child].case_id)
            if (a.op == "note" and a.args["finalise"]) or a.op == "finalise":
                when = occurred[(a.child, a.note or "")]
                late += working_days_between(when.date(), a.at.date()) > LATE_AFTER
            if a.op in ("delete", "amend", "close") and a.child >= 0:
                flagged.setdefault(a.op, runtime[a.child].case_id)
            if progress is not None:
                progress(done, len(actions))
    finally:
        ledger.clock, ledger.new_id, repo.cache, repo.fastforward, repo.deepcopy_from_cache = saved

    per_child = Counter(a.child for a in actions if a.child >= 0)
    richest = max(range(len(plans)), key=lambda i: (per_child[i], -i))
    prebirth = next((runtime[i].case_id for i, p in enumerate(plans) if p.journey == "prebirth"), None)
    return DemoSummary(
        staff=len(staff.everyone), children=children, events=ledger.event_count(),
        notes=tally.get("note", 0), decisions=tally.get("decision", 0), deletions=tally.get("delete", 0),
        amendments=tally.get("amend", 0), late_notes=late, closures=tally.get("close", 0),
        reallocations=tally.get("allocate", 0), interpreted_notes=interpreted,
        example_rich_case=runtime[richest].case_id,
        example_deleted_note_case=flagged.get("delete"), example_amended_case=flagged.get("amend"),
        example_interpreter_case=flagged.get("interpreter"), example_prebirth_case=prebirth,
        example_closed_case=flagged.get("close"),
    )


def _carry_out(ledger: CaseLedger, a: _Action, rt: _Runtime | None) -> None:
    args = a.args
    if a.op == "staff":
        ledger.add_staff(args["acting"], staff_id=args["staff_id"], full_name=args["full_name"],
                         designation=args["designation"], team=args["team"], roles=args["roles"])
        return
    assert rt is not None
    if a.op == "open":
        kwargs = {k: v for k, v in args.items() if k != "acting"}
        rt.case_id = ledger.open_case(args["acting"], **kwargs).id
        return
    case_id = rt.case_id
    assert case_id is not None
    if a.op == "note":
        assert a.note is not None and a.occurred is not None
        rt.notes[a.note] = ledger.record_case_note(args["acting"], case_id, kind=args["kind"],
                                                   occurred_at=a.occurred, finalise=args["finalise"],
                                                   **args["content"])
    elif a.op == "revise":
        ledger.revise_case_note(args["acting"], case_id, rt.notes[a.note or ""], **args["changes"])
    elif a.op == "finalise":
        ledger.finalise_case_note(args["acting"], case_id, rt.notes[a.note or ""])
    elif a.op == "amend":
        ledger.amend_case_note(args["acting"], case_id, rt.notes[a.note or ""], reason=args["reason"],
                               **args["changes"])
    elif a.op == "delete":
        ledger.delete_case_note(args["acting"], case_id, rt.notes[a.note or ""], reason=args["reason"])
    elif a.op == "decision":
        kwargs = {k: v for k, v in args.items() if k != "acting"}
        ledger.record_decision(args["acting"], case_id, **kwargs)
    elif a.op == "allocate":
        ledger.allocate(args["acting"], case_id, team=args["team"], worker=args["worker"],
                        reason=args["reason"])
    elif a.op == "close":
        ledger.close_case(args["acting"], case_id, reason=args["reason"], closed_on=args["closed_on"])
    elif a.op == "reopen":
        ledger.reopen_case(args["acting"], case_id, reason=args["reason"])
    else:  # pragma: no cover - the plan only makes the operations above
        raise RuleViolation(f"the demo plan has an unknown operation {a.op!r}")
