"""Read models, rebuildable from event zero.

- Per-case read views, pure functions of a case record (no storage, no clock): ``views`` (the
  case view and the summary view, and one way in to all of them), ``chronology``, ``audit_view``,
  ``note_views``, over ``wording`` (codes, people, dates and milestones in plain English);
  ``asof`` gives the case as it stood at any point.
- Materialised projections: ``projection`` (what a projection is), ``hazards``, ``caseindex``,
  ``caseviews``; ``catalogue`` lists them by name and ``runner`` runs them (catch up, rebuild,
  "as of"). Their rows are kept by ``store`` (the interface, in memory, SQLite) and
  ``store_postgres``, one of which ``store_choice`` opens for the ledger's backend.
- Reports: ``compliance`` (recording timescales), ``access_report`` and ``access_fhir`` (access
  investigations), ``rollbacks`` (roll-back monitoring), ``render_html`` (printable pages);
  ``plain`` (plain JSON values).

May import ``ledger``; nothing from ``commands``. No import cycle between its modules
(``tests/test_layout.py``).
"""
