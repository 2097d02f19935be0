"""Integrity: what makes the ledger's history provable, and the checks that prove it.

- ``encoding``: the one canonical encoding that is hashed and signed; ``topics``: the stored
  names of the ledger's classes, kept when code moves;
- ``chain``: each event's hash and its link to the previous event of its stream;
- ``merkle``, ``merkle_log``, ``merkle_tree``: RFC 9162 Merkle functions, the log appended in
  each write's transaction, and proofs from its stored nodes;
- ``checkpoint``: signed tree heads (C2SP signed notes); ``transparency``: the stored log as a
  whole; ``snapshots``: snapshots read only when they belong to their events;
- ``chains`` and ``verify``: verification of every chain, then of the whole ledger;
- ``evidence``: bundles an outsider verifies with no database.

Invariant: every stored event is a leaf of the log, chained to its stream, and verification
reads every stored row. May import ``ledger.errors`` and ``ledger.storage`` (error translation);
``evidence`` also reads ``ledger.access`` (an access report's bundle). Nothing from
``projections`` or ``commands``.
"""
