"""Running the materialised projections: catch up, rebuild from event zero, "as of", status, follow.

A projection (:class:`~projections.projection.LedgerProjection`, an
``eventsourcing.projection.Projection``; listed by name in :mod:`projections.catalogue`) folds the
ledger's events, in global order (the notification log, ``recorder.select_notifications``,
filtered by the projection's ``topics``), into rows of its own ``view_*`` tables. Its
``process_event(event, tracking)`` applies one event through a :class:`~projections.store.ViewTarget`
and then calls ``view.insert_tracking(tracking)``: on the database target that writes the
rows and the position in one transaction (see :mod:`projections.store`); on the in-memory
target it only remembers the position. The same code therefore computes:

* the stored view, caught up incrementally (:func:`catch_up`, batches of events, one
  transaction per batch, compare-and-set on the position);
* a rebuild (:func:`rebuild`): a fresh fold from event zero in memory, then one transaction
  drops the old rows and position and writes the new ones, so the view is never seen half
  rebuilt; events recorded meanwhile are then caught up;
* an "as of" answer (:func:`replay`): a fresh fold in memory up to a position or a time.

Decoding an event is most of the cost of a fold, so a projection names the topics whose
fields it reads (``decoded_topics``); events of its other topics reach it as an
:class:`EventHeader` (stream, version, topic) without being decoded.

eventsourcing's ``ProjectionRunner`` constructs the application from ``application_class(env)``
in a thread; :class:`~ledger.application.CaseLedger` takes a database setting, and the CLI
wants to catch up in the foreground, so this module is the runner, built from the same
pieces (``Projection``, ``Tracking``, a ``TrackingRecorder`` view, the notification log).
"""

from __future__ import annotations

import datetime as _dt
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from eventsourcing.persistence import Tracking

from ledger.application import CaseLedger
from ledger.storage import translate_storage_errors
from projections.catalogue import projection_class, projection_classes
from projections.projection import EventHeader, LedgerProjection
from projections.store import MemoryView, SQLView, TrackingConflict
from projections.store_choice import open_sql_view

__all__ = ["EventHeader", "LedgerProjection", "catch_up", "head", "projection_class", "projection_classes",
           "rebuild", "replay", "run", "status", "view_of"]

PAGE = 2000  # notifications read per query
BATCH = 2000  # events per transaction when catching up
Progress = Callable[[int, int], None]  # (done, total)


def head(ledger: CaseLedger) -> int:
    """The ledger's head: its highest notification id (0 when empty)."""
    with translate_storage_errors("reading the ledger's head"):
        return ledger.recorder.max_notification_id() or 0


_opening = threading.Lock()  # guards each ledger's dict of views and of catch-up locks


def view_of(ledger: CaseLedger, name: str) -> SQLView:
    """The stored view of projection ``name`` (its tables created on first use), one per ledger
    (shared by its threads: :class:`~projections.store.SQLView` keeps each thread's staged rows apart)."""
    views: dict[str, SQLView] = ledger.__dict__.setdefault("_projection_views", {})
    view = views.get(name)
    if view is None:
        with _opening:
            if name not in views:
                cls = projection_class(name)
                with translate_storage_errors(f"opening the {name} projection"):
                    views[name] = open_sql_view(ledger.recorder, name=cls.name, tables=cls.tables)
            view = views[name]
    return view


def _catch_up_lock(ledger: CaseLedger, name: str) -> threading.Lock:
    """One thread of a process catches projection ``name`` up at a time: the others wait for it,
    then find it caught up (rather than folding the same events and losing the compare-and-set)."""
    locks: dict[str, threading.Lock] = ledger.__dict__.setdefault("_projection_catch_up_locks", {})
    lock = locks.get(name)
    if lock is None:
        with _opening:
            lock = locks.setdefault(name, threading.Lock())
    return lock


def position(ledger: CaseLedger, name: str) -> int:
    with translate_storage_errors(f"reading the position of the {name} projection"):
        return view_of(ledger, name).max_tracking_id(ledger.name) or 0  # type: ignore[attr-defined]


def events(ledger: CaseLedger, cls: type[LedgerProjection], *, gt: int, stop: int,
           decode_all: bool = False) -> Iterator[tuple[Any, Tracking]]:
    """(event, tracking) for the projection's topics, in global order, ``gt < id <= stop``."""
    mapper, recorder, app_name = ledger.mapper, ledger.recorder, ledger.name
    decoded = cls.decoded_topics
    start = gt + 1
    while start <= stop:
        with translate_storage_errors("reading the ledger"):
            page = recorder.select_notifications(start, PAGE, stop=stop, topics=cls.topics)
        if not page:
            return
        for n in page:
            if decode_all or n.topic in decoded:
                event: Any = mapper.to_domain_event(n)
            else:
                event = EventHeader(n.originator_id, n.originator_version, n.topic)
            yield event, Tracking(app_name, n.id)
        start = page[-1].id + 1


def catch_up(ledger: CaseLedger, name: str, *, progress: Progress | None = None,
             batch: int = BATCH, projection: LedgerProjection | None = None) -> int:
    """Bring projection ``name`` up to the ledger's head; returns how many events it applied.

    The read commands call this before they query. ``projection`` lets a test substitute one
    (e.g. one that fails on a given event). Several threads of a process may call it at once (a
    server's requests): one catches up while the others wait, then find little or nothing to do;
    other processes are settled by the view's compare-and-set (:mod:`projections.store`).
    """
    with _catch_up_lock(ledger, name):
        return _catch_up(ledger, name, progress=progress, batch=batch, projection=projection)


def _catch_up(ledger: CaseLedger, name: str, *, progress: Progress | None, batch: int,
              projection: LedgerProjection | None) -> int:
    view = view_of(ledger, name)
    cls = type(projection) if projection is not None else projection_class(name)
    proj = projection or cls(view, ledger)  # type: ignore[arg-type]  # SQLView is a ViewTarget via its recorder
    done = 0
    for _attempt in range(5):
        try:
            return done + _catch_up_once(ledger, view, cls, proj, progress, batch)
        except TrackingConflict:
            continue  # another process caught up first: start again from its position
    raise TrackingConflict(f"projection {name}: other processes kept moving it; try again")


def _catch_up_once(ledger: CaseLedger, view: SQLView, cls: type[LedgerProjection], proj: LedgerProjection,
                   progress: Progress | None, batch: int) -> int:
    app = ledger.name
    target = head(ledger)
    with translate_storage_errors(f"reading the position of the {cls.name} projection"):
        stored = view.max_tracking_id(app)  # type: ignore[attr-defined]
    pos = stored or 0
    if pos >= target:
        return 0
    done = 0
    stream = events(ledger, cls, gt=pos, stop=target)
    last = pos
    with translate_storage_errors(f"catching up the {cls.name} projection"):
        while True:
            n = 0
            with view.batch(app, stored), proj.batched():
                for event, tracking in stream:
                    proj.process_event(event, tracking)
                    last = tracking.notification_id
                    n += 1
                    if n >= batch:
                        break
            done += n
            if n:
                stored = last
            if progress is not None:
                progress(last - pos, target - pos)
            if n < batch:
                break
        if last < target:  # no event of its topics after ``last``: it has still seen up to the head
            with view.batch(app, stored):
                view.insert_tracking(Tracking(app, target))
    if progress is not None:
        progress(target - pos, target - pos)
    return done


def fold(ledger: CaseLedger, cls: type[LedgerProjection], *, upto: int | None = None,
         until: _dt.datetime | None = None, progress: Progress | None = None) -> tuple[MemoryView, int, Any]:
    """A fresh fold from event zero in memory: (view, position reached, last event's time).

    ``upto``: a notification id (default: the head); ``until``: stop before the first event
    recorded after this time (events are then all decoded, to read their times).
    """
    target = head(ledger) if upto is None else min(upto, head(ledger))
    memory = MemoryView(cls.tables)
    proj = cls(memory, ledger)
    reached, when = 0, None
    with proj.batched():
        for i, (event, tracking) in enumerate(events(ledger, cls, gt=0, stop=target, decode_all=until is not None)):
            if until is not None and event.timestamp > until:
                break
            proj.process_event(event, tracking)
            reached = tracking.notification_id
            when = getattr(event, "timestamp", when)
            if progress is not None and i % 5000 == 0:
                progress(reached, target)
    if until is None:
        reached = target  # every event up to the target was considered
    if progress is not None:
        progress(target, target)
    return memory, reached, when


def replay(ledger: CaseLedger, name: str, *, upto: int | None = None,
           until: _dt.datetime | None = None) -> tuple[MemoryView, int, Any]:
    """The "as of" view: :func:`fold` of projection ``name`` up to a position or a time."""
    return fold(ledger, projection_class(name), upto=upto, until=until)


def rebuild(ledger: CaseLedger, name: str, *, progress: Progress | None = None) -> dict[str, Any]:
    """Drop the view's rows and position and replay from event zero (atomically), then catch up."""
    cls = projection_class(name)
    view = view_of(ledger, name)
    started = time.perf_counter()
    memory, reached, _ = fold(ledger, cls, progress=progress)
    with translate_storage_errors(f"writing the rebuilt {name} projection"):
        view.replace_all(memory.data, Tracking(ledger.name, reached) if reached else None, ledger.name)
    after = catch_up(ledger, name)
    return {"projection": name, "position": reached, "rows": {t: len(r) for t, r in memory.data.items()},
            "seconds": round(time.perf_counter() - started, 3), "caught_up_after": after}


def status(ledger: CaseLedger, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Each projection's position against the head, and its lag (events not yet applied)."""
    top = head(ledger)
    out = []
    for name in names or list(projection_classes()):
        pos = position(ledger, name)
        out.append({"projection": name, "description": projection_class(name).description,
                    "position": pos, "head": top, "lag": max(0, top - pos)})
    return out


def run(ledger: CaseLedger, names: Sequence[str], *, once: bool = False, interval: float = 1.0,
        stop: threading.Event | None = None, report: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Catch the projections up; unless ``once``, keep following new events until ``stop`` is set.

    Follows by polling the head every ``interval`` seconds: it sees events written by other
    processes on both backends (SQLite has no cross-process notification).
    """
    stop = stop or threading.Event()
    applied = {name: 0 for name in names}
    while True:
        for name in names:
            n = catch_up(ledger, name)
            applied[name] += n
            if n and report is not None:
                report(name, n)
        if once or stop.wait(interval):
            return applied
