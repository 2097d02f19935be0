"""Casework on a case record: case notes, decisions, process milestones and casework records.

Every command goes through the access policy first
(:meth:`ledger.services.access.AccessService.gate`: the attempt decided and recorded), then the
case's own rules (:mod:`ledger.records.case`, :mod:`ledger.records.casework`,
:mod:`ledger.records.milestones`), then saves in one atomic write.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from ledger.access.policy import Action, Part
from ledger.core import LedgerCore, Service, command
from ledger.errors import NotFound
from ledger.ids import resolve_prefix
from ledger.records.case import note_content
from ledger.services.access import AccessService

__all__ = ["CaseworkService"]


class CaseworkService(Service):
    """``ledger.casework``: record_note, revise_note, finalise_note, amend_note, delete_note,
    record_decision, record_milestone, record, update."""

    def __init__(self, ledger: LedgerCore, access: AccessService) -> None:
        super().__init__(ledger)
        self.access = access

    # --- case notes ------------------------------------------------------------------------------

    @command
    def record_note(self, acting: str | None, case_id: uuid.UUID | str, *, kind: str,
                    occurred_at: _dt.datetime, facts: str, finalise: bool = False,
                    **content: Any) -> uuid.UUID:
        """Record a case note as a draft (or draft and finalise at once); returns its id."""
        ledger = self.ledger
        _, actor, case = self.access.gate(acting, case_id, Action.WRITE, Part.NOTE)
        note_id = ledger.new_id()
        now = ledger.now()
        case.record_case_note(actor=actor, note_id=note_id, kind=kind, occurred_at=occurred_at,
                              now=now, content=note_content(facts=facts, **content))
        if finalise:
            case.finalise_case_note(actor=actor, note_id=note_id, now=now)
        ledger.store("recording a case note", case)
        return note_id

    def _note_id(self, case_id: uuid.UUID | str, note_id: uuid.UUID | str) -> tuple[Any, Callable[[], None]]:
        """The case note ``note_id`` names on the case: a UUID, or the first hex digits of exactly one note's id.

        Returns (the id, or the text as typed when it names none, and a check that raises the error). The
        check runs after the access decision, so that a person who may not open the case learns nothing
        about its notes: the attempt is decided and recorded first."""
        try:
            case = self.ledger.case(case_id)
        except NotFound:
            return note_id, lambda: None  # the access decision reports the missing case
        try:
            found = resolve_prefix(note_id, lambda: [uuid.UUID(k) for k in case.notes], "case note")
        except NotFound as e:
            error = e

            def fail() -> None:
                raise error

            return note_id, fail
        return found, lambda: None

    @command
    def revise_note(self, acting: str | None, case_id: uuid.UUID | str, note_id: uuid.UUID | str,
                    *, occurred_at: _dt.datetime | None = None, **changes: Any) -> None:
        """Revise a draft case note (its author only)."""
        nid, unresolved = self._note_id(case_id, note_id)
        _, actor, case = self.access.gate(acting, case_id, Action.WRITE, Part.NOTE, item=str(nid))
        unresolved()
        note = case.notes.get(str(nid))
        base = dict(note["content"]) if note else {}
        content = note_content(**{**base, **changes}) if note else {}
        case.revise_case_note(actor=actor, note_id=nid, content=content, occurred_at=occurred_at,
                              now=self.ledger.now())
        self.ledger.store("revising a case note", case)

    @command
    def finalise_note(self, acting: str | None, case_id: uuid.UUID | str, note_id: uuid.UUID | str) -> None:
        """Finalise a draft case note (its author only): from then on it changes only by amendment."""
        nid, unresolved = self._note_id(case_id, note_id)
        _, actor, case = self.access.gate(acting, case_id, Action.WRITE, Part.NOTE, item=str(nid))
        unresolved()
        case.finalise_case_note(actor=actor, note_id=nid, now=self.ledger.now())
        self.ledger.store("finalising a case note", case)

    @command
    def amend_note(self, acting: str | None, case_id: uuid.UUID | str, note_id: uuid.UUID | str,
                   *, reason: str, **changes: Any) -> None:
        """Amend a finalised case note, with a reason (its author, or team manager or above)."""
        nid, unresolved = self._note_id(case_id, note_id)
        _, actor, case = self.access.gate(acting, case_id, Action.WRITE, Part.NOTE, item=str(nid), purpose=reason)
        unresolved()
        note = case.notes.get(str(nid))
        content = note_content(**{**note["content"], **changes}) if note else {}
        case.amend_case_note(actor=actor, note_id=nid, content=content, reason=reason, now=self.ledger.now())
        self.ledger.store("amending a case note", case)

    @command
    def delete_note(self, acting: str | None, case_id: uuid.UUID | str, note_id: uuid.UUID | str,
                    *, reason: str) -> None:
        """Delete a case note, with a reason (team manager or above, policy s.12)."""
        nid, unresolved = self._note_id(case_id, note_id)
        _, actor, case = self.access.gate(acting, case_id, Action.DELETE, Part.NOTE, item=str(nid), purpose=reason)
        unresolved()
        case.delete_case_note(actor=actor, note_id=nid, reason=reason, now=self.ledger.now())
        self.ledger.store("deleting a case note", case)

    # --- decisions, milestones, casework records -------------------------------------------------------

    @command
    def record_decision(self, acting: str | None, case_id: uuid.UUID | str, *, decision: str,
                        reasons: str, risks_considered: str,
                        options_not_chosen: Sequence[dict[str, str]], kind: str = "management",
                        occurred_at: _dt.datetime | None = None,
                        supervisee: str | None = None) -> uuid.UUID:
        """Record a decision with its reasons, the risks considered and the options not chosen."""
        ledger = self.ledger
        _, actor, case = self.access.gate(acting, case_id, Action.WRITE, Part.PROCESS)
        now = ledger.now()
        decision_id = ledger.new_id()
        case.record_decision(
            actor=actor, decision_id=decision_id, kind=kind, decision=decision, reasons=reasons,
            risks_considered=risks_considered, options_not_chosen=options_not_chosen,
            occurred_at=occurred_at or now, now=now,
            supervisee=ledger.staff_member(supervisee) if supervisee else None,
        )
        ledger.store("recording a decision", case)
        return decision_id

    @command
    def record_milestone(self, acting: str | None, case_id: uuid.UUID | str, *, kind: str,
                         occurred_at: _dt.datetime | None = None, **details: Any) -> uuid.UUID:
        """Record a process milestone (see :mod:`ledger.records.milestones` for the kinds and rules)."""
        ledger = self.ledger
        # Recorded as a write: the milestone's own rule says which kinds need team manager or above.
        _, actor, case = self.access.gate(acting, case_id, Action.WRITE, Part.PROCESS, item=kind)
        now = ledger.now()
        milestone_id = ledger.new_id()
        case.record_milestone(actor=actor, milestone_id=milestone_id, kind=kind, details=details,
                              occurred_at=occurred_at or now, now=now)
        ledger.store(f"recording the milestone {kind}", case)
        return milestone_id

    @command
    def record(self, acting: str | None, case_id: uuid.UUID | str, *, kind: str,
               occurred_at: _dt.datetime | None = None, **details: Any) -> uuid.UUID:
        """Record a casework record (see :mod:`ledger.records.casework` for the kinds and rules)."""
        ledger = self.ledger
        _, actor, case = self.access.gate(acting, case_id, Action.WRITE, _casework_part(kind), item=kind)
        now = ledger.now()
        record_id = ledger.new_id()
        case.record_casework(actor=actor, record_id=record_id, kind=kind, details=details,
                             occurred_at=occurred_at or now, now=now)
        ledger.store(f"recording a {kind.replace('_', ' ')}", case)
        return record_id

    @command
    def update(self, acting: str | None, case_id: uuid.UUID | str, record_id: uuid.UUID | str, *,
               action: str, occurred_at: _dt.datetime | None = None, **details: Any) -> None:
        """Update a casework record (``action``: what is done to it; see :mod:`ledger.records.casework`)."""
        ledger = self.ledger
        _, actor, case = self.access.gate(acting, case_id, Action.WRITE, Part.CASE_VIEW, item=str(record_id))
        now = ledger.now()
        case.update_casework(actor=actor, record_id=_note_uuid(record_id), action=action, details=details,
                             occurred_at=occurred_at or now, now=now)
        ledger.store(f"updating a record ({action})", case)


def _casework_part(kind: str) -> Part:
    """The part of the record a casework record belongs to, for the access log."""
    return {"document": Part.DOCUMENT, "chronology_entry": Part.CHRONOLOGY, "case_summary": Part.SUMMARY,
            "case_audit": Part.CASE_AUDIT}.get(kind, Part.CASE_VIEW)


def _note_uuid(note_id: uuid.UUID | str) -> uuid.UUID:
    if isinstance(note_id, uuid.UUID):
        return note_id
    try:
        return uuid.UUID(str(note_id))
    except ValueError:
        raise NotFound(f"{note_id!r} is not a case note id (a UUID)") from None
