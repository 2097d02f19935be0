"""The application's commands, grouped by use: one small service object each, held by
:class:`~ledger.application.CaseLedger` (``ledger.staff``, ``ledger.cases``, ``ledger.casework``,
``ledger.access``, ``ledger.investigation``, ``ledger.rollbacks``, ``ledger.adoption``,
``ledger.integrity``, ``ledger.tokens``).

- ``staff``: the staff directory's commands; ``cases``: a case record's life (open, allocate,
  close, reopen); ``casework``: case notes, decisions, milestones and casework records;
- ``access``: the access decision recorded before every read and write, the lists a person may
  see, restrictions and need-to-know grants; ``investigation``: the access log read for reports,
  alerts and reviews;
- ``rollbacks``: roll-back requests (policy s.13); ``adoption``: matching and the sealed link;
- ``integrity``: signed checkpoints, inclusion proofs, the log's size;
- ``tokens``: API tokens and sign-in emails (how a staff member signs in to the HTTP API).

Invariant: every command that touches a case goes through ``access`` (the attempt decided and
recorded before anything is returned or written), and every command that writes does so in one
atomic write, run again whole on a conflicting write (:func:`ledger.core.command`).

May import ``ledger.core`` and the packages below it (``records``, ``access``, ``integrity``,
``storage``), and a service may hold another (``access``); never ``ledger.application``, nor
``projections`` or ``commands``.
"""
