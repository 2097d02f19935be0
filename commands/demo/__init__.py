"""The demo borough: a synthetic local authority with a year of believable casework.

:func:`build_demo` fills an EMPTY ledger, through the public :class:`~ledger.application.CaseLedger`
API only, with:

* a staff directory: Business Support (the admin, added first), six practice teams (Assessment,
  Child in Need, Child Protection, Children in Care, Care Leavers, Early Help), each with a team
  manager and three to five workers, a service manager, a head of service, an IRO, an EDT
  worker, a helpdesk analyst and an auditor;
* ``children`` children, each with a family, a school and the professionals around them, and a
  journey through the teams over the twelve months before :data:`END_DAY`: referral, assessment,
  early help, child in need, child protection, children in care, care leavers; visits, calls,
  meetings, supervision, decisions with reasons and options not chosen, transfers between teams,
  closures, a re-opening, amendments and deletions with reasons, interpreters, third-party
  information with who provided it, and the child's views in their own words;
* on the last afternoon, an adoption record and a staff member's relative's record restricted,
  a need-to-know grant, and access attempts for the access report to find: a denied attempt by
  the member of staff concerned, a denied attempt without a grant, bulk browsing, an
  out-of-hours self-claim and a break-glass (:mod:`~commands.demo.access`).

How: each child's year is planned as timed actions (``occurred_at`` and the moment it is
recorded, in working hours on working days). All plans are merged, sorted by recording time
and carried out in that order, with the ledger's clock set before each action. Most notes are
finalised within three working days; about one in eight is finalised after more than five
(policy s.3 and s.18: the lateness that compliance reports look for).

Reproducible: everything is drawn from ``random.Random(seed)``, including the ids the ledger
gives new cases, notes and decisions (``ledger.new_id``), and the clock comes from the plan, so
the same seed gives byte-identical events (the same event hashes) on any run and backend, for
ledgers opened with no channel (or the same one). ``caseledger demo`` opens it with the command line's channel
(:mod:`ledger.channel`: the OS user, host, process and command, stamped on every event like any
command's), so its builds differ from each other in that stamp only.

All names, schools, places and events are invented. Any resemblance to real people is chance.

The package: :mod:`~commands.demo.build` carries out the plan (:func:`build_demo`); the plan
of one child is built up in layers, :mod:`~commands.demo.notes` (notes, calls, meetings,
decisions), :mod:`~commands.demo.phases` (the journey through the teams),
:mod:`~commands.demo.corrections` (amendments, deletions); :mod:`~commands.demo.people` makes the
staff and the families, :mod:`~commands.demo.phrases` composes text from the phrase bank (data in
the ``phrases_*`` modules), :mod:`~commands.demo.days` is the calendar.
"""

from commands.demo.build import build_demo
from commands.demo.days import END_DAY, START_DAY, working_days_between
from commands.demo.summary import DemoSummary

__all__ = ["END_DAY", "START_DAY", "DemoSummary", "build_demo", "working_days_between"]
