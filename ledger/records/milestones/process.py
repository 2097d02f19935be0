"""The process state of a case: what its milestones fold into, and a replay that skips the superseded.

:func:`fold` and :func:`fold_into` apply one milestone (each process family folds its own
kinds); :func:`replay` rebuilds the state from a list of entries, skipping the superseded ones
(roll-backs, policy s.13); :func:`roll_back` marks the entries a roll-back supersedes or
restores and folds the state again from those in force, and :func:`rolled_back` is what the case
keeps of each roll-back carried out. Pure, and only plain values: the state
is part of the case snapshot, stored with the ledger's canonical encoding.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from ledger.records.milestones import (
    assessment,
    child_in_need,
    child_protection,
    contact,
    early_help,
    legal,
    looked_after,
    other,
)
from ledger.records.milestones.base import Fold, full_state, initial_state
from ledger.records.milestones.registry import REGISTRY

__all__ = ["fold", "fold_into", "replay", "roll_back", "rolled_back"]

_STATE_KEYS = frozenset(initial_state())

_FOLDS: dict[str, Fold] = {
    **contact.FOLDS, **assessment.FOLDS, **child_protection.FOLDS, **child_in_need.FOLDS, **early_help.FOLDS,
    **looked_after.FOLDS, **legal.FOLDS, **other.FOLDS,
}
assert set(_FOLDS) == set(REGISTRY), set(_FOLDS) ^ set(REGISTRY)


def fold(state: Mapping[str, Any] | None, entry: Mapping[str, Any]) -> dict[str, Any]:
    """The process state after ``entry`` (a new dict; ``state`` is not changed).

    Tolerant by design: it never refuses (:func:`check` did that before the milestone was
    written), so a replay that skips superseded entries always gives a state.
    """
    new = full_state(state or {})
    fold_into(new, entry)
    return new


def fold_into(state: dict[str, Any], entry: Mapping[str, Any]) -> None:
    """Apply ``entry`` to ``state`` in place: how a case record's own state is kept up to date
    (copying the whole process state for every milestone made replays slow)."""
    if len(state) < len(_STATE_KEYS):  # a stored state may predate a key (building a fresh state costs)
        for key, value in initial_state().items():
            state.setdefault(key, value)
    kind = entry["kind"]
    at = entry["occurred_at"]
    d = copy.deepcopy(dict(entry.get("details") or {}))
    apply = _FOLDS.get(kind)
    if apply is not None:
        apply(state, d, at, entry)
    state["last"] = {"kind": kind, "at": at}


def replay(entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The process state from ``entries`` in order, skipping those superseded (roll-backs)."""
    state = initial_state()
    for entry in entries:
        if entry.get("superseded_by") is None:
            state = fold(state, entry)
    return state


def roll_back(entries: list[dict[str, Any]], *, rollback_id: uuid.UUID, superseded: Iterable[uuid.UUID],
              restored: Iterable[uuid.UUID]) -> dict[str, Any]:
    """Carry out a roll-back on a case's milestone ``entries`` (in place): those it supersedes are
    marked ``superseded_by`` it, those superseded by an earlier roll-back that it restores are in
    force again. Returns the process state folded again from the entries in force."""
    gone = {str(i) for i in superseded}
    back = {str(i) for i in restored}
    state = initial_state()
    for entry in entries:
        key = str(entry["id"])
        if key in gone:
            entry["superseded_by"] = rollback_id
        elif key in back:
            entry["superseded_by"] = None
        if entry["superseded_by"] is None:
            fold_into(state, entry)
    return state


def rolled_back(rollbacks: Mapping[str, dict[str, Any]] | None, event: Any) -> dict[str, dict[str, Any]]:
    """The case's roll-backs (roll-back id -> what it did) with the one carried out by ``event`` (a
    ``CaseRecord.RolledBack``): a new dict, ``rollbacks`` is not changed."""
    done = dict(rollbacks or {})
    done[str(event.rollback_id)] = {
        "id": event.rollback_id, "to_version": event.to_version, "matter": event.matter, "reason": event.reason,
        "requested_by": event.requested_by, "raised_by": event.raised_by, "agreed_by": event.agreed_by,
        "agreed_at": event.agreed_at, "carried_out_by": event.actor, "at": event.timestamp,
        "superseded": list(event.superseded), "restored": list(event.restored),
    }
    return done
