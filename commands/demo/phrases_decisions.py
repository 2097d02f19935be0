"""Phrase bank (data): management and supervision decisions."""

TEXT = """
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
