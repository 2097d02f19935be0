"""caseledger core. It imports nothing from ``projections`` or ``commands`` (``tests/test_layout.py``).

- ``application``: :class:`~ledger.application.CaseLedger`, the one class every caller uses: its
  commands grouped by use in the services it holds (``ledger.staff``, ``ledger.cases``,
  ``ledger.casework``, ``ledger.access``, ``ledger.investigation``, ``ledger.rollbacks``,
  ``ledger.adoption``, ``ledger.integrity``), listed in its docstring;
- ``services``: those services, one module each; ``core``: what they share (the store, the
  clock, the acting person, the ledger's own reads, retries on a conflicting write). The
  imports run one way: ``application`` -> ``services`` -> ``core`` -> the packages below;
- ``records``: the records and their rules (the case record, casework, milestones, roll-back
  requests, staff, fields, timescales);
- ``access``: who may open or change which record, and the record of every attempt;
- ``integrity``: canonical encoding, stored topics, hash chain, Merkle log, checkpoints,
  snapshots, verification, evidence;
- ``storage``: SQLite and PostgreSQL, and the translation of their errors;
- ``adoption``: the adoption key, the sealed identity link and the matching event;
- ``errors``, ``ids``, ``channel``: the error tree, id prefixes, where a command came from.
"""
