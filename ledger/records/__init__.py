"""The records and their rules: what social care writes down, and what it may not.

- ``case``: the child's case record (one hash-chained aggregate per child): its state, its
  events (notes, decisions, allocation, closure and re-opening, restriction and grants, ...),
  its commands and the enums its events store; the rules its commands obey are beside it:
  ``lifecycle`` (opening, allocation, closure, re-opening), ``notes`` (case notes: content,
  drafts, finalising, amending, deleting), ``decisions`` (management and supervision decisions),
  ``restriction`` (restricted records and need-to-know grants);
- ``casework`` (a package, one module per family of kinds): the other kinds of record on a case
  (hazards and alerts, chronology entries, summaries, information sharing and consents,
  correction requests, case audits, documents);
- ``milestones`` (a package, one module per process family: contact and referral, assessment,
  child protection, child in need, early help, looked after, legal): the process milestones
  and the state they fold into;
- ``rollback``: a roll-back request (its own hash-chained stream) and what it may touch;
- ``staff``: the staff directory; ``fields``: one rule for text, reasons, dates and times;
  ``timescales`` (with ``timescales.toml``): the policy's recording timescales and working days;
  ``dates``: dates and times as people read them.

Inside the package, ``case`` imports the modules of its rules, ``casework`` and ``milestones``,
never the reverse (``rollback`` imports ``case``).

Invariant: a record changes only by an event its aggregate accepted under these rules, and every
refusal names the field, the rule and the person. May import ``ledger.errors`` and
``ledger.integrity`` (the chain its aggregates are built on); nothing from ``ledger.access``,
``ledger.storage``, the application, ``projections`` or ``commands``.
"""
