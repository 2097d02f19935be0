"""Case notes (policy s.7, s.12): what a note holds, and how it is drafted, finalised, amended and deleted.

The rules :class:`~ledger.records.case.CaseRecord`'s note commands obey (each refusal is a
:class:`~ledger.errors.RuleViolation` or :class:`~ledger.errors.PermissionDenied` naming the
rule and the people involved; a refused command writes nothing):

* Recording a note needs a practice or management role; helpdesk, auditor and admin accounts
  cannot record on a child's record.
* A case note (s.7) is dated by the event (``occurred_at``, never in the future), has a
  ``facts`` section (required) kept apart from ``analysis`` (professional judgement) and
  ``actions``; third-party information names who provided it; "seen alone" implies "seen".
  Notes start as drafts that only their author may revise, and are finalised once, by their
  author. A finalised note changes only by amendment: a new event with a reason; the
  original text stays in the ledger and in the note's history.
* Deleting a case note (s.12) needs team manager or above and a reason that explains (at
  least three words and twelve letters, :func:`ledger.records.fields.explained_reason`). The note leaves
  ordinary reads; it never leaves the ledger.

Each command function checks a command's rules and gives the fields of the event the case records
(or raises, and nothing is written); :func:`drafted`, :func:`revise`, :func:`finalise`,
:func:`amend` and :func:`delete` are what the events do to a note. Functions of plain values and of the case's
notes: the case imports this module, never the reverse. A note's kind, source and interpreter's
kind are the case's enums (:class:`~ledger.records.case.NoteKind`, ...): the case turns them into
its enums, these rules read them as their values.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

from ledger.errors import NotFound, PermissionDenied, RuleViolation
from ledger.records.dates import day_text, moment_text
from ledger.records.fields import explained_reason, not_future, text_field
from ledger.records.staff import CASEWORK_ROLES, Role, StaffMember

__all__ = ["amend", "amendment", "check_content", "delete", "deletion", "drafted", "finalisation", "finalise",
           "live_note", "recording", "require_author", "revise", "revision"]


def check_content(
    *,
    facts: Any,
    analysis: Any,
    actions: Any,
    source: str,
    provided_by: Any,
    child_seen: bool,
    child_seen_alone: bool,
    bedroom_seen: bool,
    child_views: Any,
    interpreter: dict[str, Any] | None,
    late_reason: Any,
) -> dict[str, Any]:
    """The written content of a case note, validated and normalised (policy s.7, Appendix 1):
    :func:`ledger.records.case.note_content` gives ``source`` as a NoteSource already, and makes the
    interpreter's kind an InterpreterKind after these rules."""
    content: dict[str, Any] = {
        "facts": text_field("facts", facts, required=True, rule=" in a case note: record what happened, "
                            "kept apart from analysis and actions"),
        "analysis": text_field("analysis", analysis, required=False),
        "actions": text_field("actions", actions, required=False),
        "source": source,
        "provided_by": text_field("provided_by", provided_by, required=False),
        "child_seen": bool(child_seen),
        "child_seen_alone": bool(child_seen_alone),
        "child_views": text_field("child_views", child_views, required=False),
        "interpreter": None,
    }
    if bedroom_seen:  # on a home visit: kept only when seen, so older notes read the same
        content["bedroom_seen"] = True
    late = explained_reason("late_reason", late_reason, "writing up a case note after its timescale (policy s.18)",
                            required=False)
    if late:  # why the note was written up after its timescale (policy s.18); absent when on time
        content["late_reason"] = late
    if source == "third_party" and not content["provided_by"]:
        raise RuleViolation(
            "provided_by is required when the source is third-party: the record must say "
            "who provided the information (policy s.7)"
        )
    if content["child_seen_alone"] and not content["child_seen"]:
        raise RuleViolation("child_seen_alone is set but child_seen is not: a child seen alone was seen")
    if interpreter:
        if not isinstance(interpreter, dict):
            raise RuleViolation(
                f"interpreter must give the interpreter's name and kind, got {interpreter!r}")
        content["interpreter"] = {
            "name": text_field("interpreter name", interpreter.get("name"), required=True,
                               rule=" when an interpreter was used (policy s.7)"),
            "kind": interpreter.get("kind"),  # the case makes it an InterpreterKind
        }
    return content


def live_note(case: Any, note_id: uuid.UUID, what: str) -> dict[str, Any]:
    """The case note ``note_id`` of ``case`` (a :class:`~ledger.records.case.CaseRecord`, open), refused when
    it is not there or was deleted."""
    note = case.notes.get(str(note_id))
    if note is None:
        raise NotFound(f"no case note {note_id} on the case of {case.child['name']}")
    if note["deleted"]:
        d = note["deleted"]
        raise RuleViolation(
            f"cannot {what} case note {note_id}: it was deleted by {d['by']['full_name']} "
            f"on {day_text(d['at'])}"
        )
    return note  # type: ignore[no-any-return]


def require_author(actor: StaffMember, note: dict[str, Any], what: str) -> None:
    """Only the author of a draft may revise or finalise it (with a practice or management role)."""
    if actor.staff_id != note["author"]["staff_id"]:
        raise PermissionDenied(
            f"only the author may {what} a draft case note; this note was written by "
            f"{note['author']['full_name']}, not {actor.full_name}"
        )
    actor.require(f"to {what} a case note needs a practice or management role", *CASEWORK_ROLES)


# --- the commands: each checks its rules and gives the fields of the event the case records ---------


def recording(case: Any, *, actor: StaffMember, note_id: uuid.UUID, occurred_at: _dt.datetime,
              now: _dt.datetime) -> dict[str, Any]:
    """CaseNoteRecorded's fields but the note's kind and content (the case gives those)."""
    actor.require("recording a case note needs a practice or management role", *CASEWORK_ROLES)
    if str(note_id) in case.notes:
        raise RuleViolation(f"case note {note_id} already exists on this record")
    return {"actor": actor.stamp(), "timestamp": now,
            "occurred_at": case.after_birth("occurred_at", not_future("occurred_at", occurred_at, now),
                                            "a case note"),
            "note_id": note_id}


def revision(case: Any, note: dict[str, Any], *, actor: StaffMember, note_id: uuid.UUID, content: dict[str, Any],
             occurred_at: _dt.datetime | None, now: _dt.datetime) -> dict[str, Any]:
    """CaseNoteRevised's fields: a draft is revised by its author; a finalised note changes only by amendment."""
    if note["status"] != "draft":
        raise RuleViolation(
            f"case note {note_id} is finalised and cannot be revised; a finalised note "
            "changes only by amendment, with a reason"
        )
    require_author(actor, note, "revise")
    return {"actor": actor.stamp(), "timestamp": now,
            "occurred_at": case.after_birth("occurred_at", not_future("occurred_at", occurred_at or note["occurred_at"],
                                                                      now), "a case note"),
            "note_id": note_id, "content": content}


def finalisation(note: dict[str, Any], *, actor: StaffMember, note_id: uuid.UUID, now: _dt.datetime) -> dict[str, Any]:
    """CaseNoteFinalised's fields: a draft is finalised once, by its author."""
    if note["status"] != "draft":
        raise RuleViolation(
            f"case note {note_id} was already finalised on "
            f"{moment_text(note['finalised_at'])}; a note is finalised once"
        )
    require_author(actor, note, "finalise")
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": now, "note_id": note_id}


def amendment(note: dict[str, Any], *, actor: StaffMember, note_id: uuid.UUID, content: dict[str, Any],
              reason: str, now: _dt.datetime) -> dict[str, Any]:
    """CaseNoteAmended's fields: a finalised note is amended by its author or a team manager and above,
    with a reason that explains, and the amendment changes something."""
    if note["status"] != "final":
        raise RuleViolation(
            f"case note {note_id} is still a draft: revise it instead; only a finalised "
            "note is amended"
        )
    if actor.staff_id != note["author"]["staff_id"]:
        actor.require(
            f"amending a case note written by {note['author']['full_name']} needs its author "
            "or the role team manager or above", at_least=Role.TEAM_MANAGER,
        )
    else:
        actor.require("amending a case note needs a practice or management role", *CASEWORK_ROLES)
    reason = explained_reason("reason", reason, "amending a case note")
    if content == note["content"]:
        raise RuleViolation(f"the amendment to case note {note_id} changes nothing")
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": now, "note_id": note_id, "content": content,
            "reason": reason}


def deletion(*, actor: StaffMember, note_id: uuid.UUID, reason: str, now: _dt.datetime) -> dict[str, Any]:
    """CaseNoteDeleted's fields (policy s.12): team manager or above, with a reason that explains."""
    actor.require("deleting a case note needs the role team manager or above (policy s.12)",
                  at_least=Role.TEAM_MANAGER)
    reason = explained_reason("reason", reason, "deleting a case note (policy s.12)")
    return {"actor": actor.stamp(), "timestamp": now, "occurred_at": now, "note_id": note_id, "reason": reason}


# --- what the events do to a note ------------------------------------------------------------------


def drafted(*, note_id: uuid.UUID, kind: Any, occurred_at: _dt.datetime, author: dict[str, Any],
            recorded_at: _dt.datetime, content: dict[str, Any]) -> dict[str, Any]:
    """A new note, as the case keeps it: a draft, with no revision, amendment or deletion yet."""
    return {
        "id": note_id,
        "kind": kind,
        "occurred_at": occurred_at,
        "author": author,
        "recorded_at": recorded_at,
        "status": "draft",
        "finalised_at": None,
        "content": content,
        "revisions": [],
        "amendments": [],
        "deleted": None,
    }


def revise(note: dict[str, Any], *, at: _dt.datetime, content: dict[str, Any], occurred_at: _dt.datetime) -> None:
    """A draft revised: the content it replaced is kept in its revisions."""
    note["revisions"].append({"at": at, "previous": note["content"]})
    note["content"] = content
    note["occurred_at"] = occurred_at


def finalise(note: dict[str, Any], *, at: _dt.datetime) -> None:
    note["status"] = "final"
    note["finalised_at"] = at


def amend(note: dict[str, Any], *, at: _dt.datetime, by: dict[str, Any], reason: str,
          content: dict[str, Any]) -> None:
    """A finalised note amended: the content it replaced is kept in its amendments, with who and why."""
    note["amendments"].append({
        "at": at,
        "by": by,
        "reason": reason,
        "previous": note["content"],
    })
    note["content"] = content


def delete(note: dict[str, Any], *, at: _dt.datetime, by: dict[str, Any], reason: str) -> None:
    """A note deleted (policy s.12): it leaves ordinary reads, never the ledger."""
    note["deleted"] = {
        "at": at, "by": by, "reason": reason,
    }
