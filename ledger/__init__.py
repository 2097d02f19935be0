"""caseledger core. It imports nothing from ``projections`` or ``commands`` (``tests/test_layout.py``).

- ``application``: :class:`~ledger.application.CaseLedger`, the one class every caller uses;
- ``records``: the records and their rules (the case record, casework, milestones, roll-back
  requests, staff, fields, timescales);
- ``access``: who may open or change which record, and the record of every attempt;
- ``integrity``: canonical encoding, stored topics, hash chain, Merkle log, checkpoints,
  snapshots, verification, evidence;
- ``storage``: SQLite and PostgreSQL, and the translation of their errors;
- ``tokens``: API tokens and sign-in emails, how a staff member is known to the HTTP API;
- ``errors``, ``ids``, ``channel``: the error tree, id prefixes, where a command came from.
"""
