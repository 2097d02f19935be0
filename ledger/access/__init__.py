"""Access: who may open or change which record, and the record of every attempt (policy s.11).

- ``policy``: one pure function, ``decide``, for reads and writes, with the rule in words;
- ``log``: every attempt as an event (one stream per staff member per London day);
- ``facts``: what an attempt was (flags derived one way for reports, alerts and reviews);
- ``review``: a service manager's review of a flagged attempt;
- ``bundle``: an access report's evidence bundle checked against its events;
- ``security``: every failed sign-in to the HTTP API (one stream per client address per day);
- ``group_commit``: the attempts of concurrent callers written in one durable commit.

The application's use of them (the recorded decision before every read and write, the
investigation's reports and alerts) is in :mod:`ledger.services` (``access``, ``investigation``).

Invariant: an attempt is recorded before any data is returned, granted or denied. May import
``ledger.records``, ``ledger.integrity``, ``ledger.storage`` and ``ledger.errors``; nothing from
``projections`` or ``commands``.
"""
