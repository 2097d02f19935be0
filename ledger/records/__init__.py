"""The records and their rules: what social care writes down, and what it may not.

- ``case``: the child's case record (one hash-chained aggregate per child), its notes, decisions,
  allocation, closure and re-opening, restriction and grants, and the rules each obeys;
- ``casework``: the other kinds of record on a case (hazards, summaries, chronology entries,
  documents, information sharing, consents, case audits, correction requests);
- ``milestones``: the process milestones (contact to adoption) and the state they fold into;
- ``rollback``: a roll-back request (its own hash-chained stream) and what it may touch;
- ``staff``: the staff directory; ``fields``: one rule for text, reasons and dates;
  ``timescales`` (with ``timescales.toml``): the policy's recording timescales and working days;
  ``dates``: dates and times as people read them.

Invariant: a record changes only by an event its aggregate accepted under these rules, and every
refusal names the field, the rule and the person. May import ``ledger.errors`` and
``ledger.integrity`` (the chain its aggregates are built on); nothing from ``ledger.access``,
``ledger.storage``, the application, ``projections`` or ``commands``.
"""
