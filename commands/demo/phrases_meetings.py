"""Phrase bank (data): meetings and supervision."""

TEXT = """
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
"""
