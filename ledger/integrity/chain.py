"""The per-stream hash chain, shared by every aggregate in the ledger.

Invariant (checked by :mod:`ledger.integrity.chains` on the raw stored rows):

* every event of a stream (a child's case record, a staff member, and every later stream)
  carries ``prev_hash``, the ``event_hash`` of the event before it in the same stream, or
  :data:`~ledger.integrity.encoding.GENESIS_HASH` (32 zero bytes) for version 1;
* ``event_hash`` is SHA-256 over the domain-separated canonical encoding of everything else
  the event stores: its type (topic), stream id, version, timestamp, ``prev_hash`` and every
  field (:func:`ledger.integrity.encoding.event_digest`);
* hashes are computed when the event object is created, before it is applied or stored,
  never by a later job; versions of a stream run 1, 2, 3, ... with no gap.

So a changed byte, a changed type, stream or version, a deleted, inserted, swapped or
duplicated event inside a stream breaks the chain at the first position concerned. What the
chain alone cannot see (a whole stream rewritten with fresh hashes, a stream deleted, the
tail truncated) is the job of the global Merkle log and signed checkpoints.

Every event also records who did it (``actor``: staff id and a copy of their full name,
designation and team as they were at that moment, policy s.7) and ``occurred_at``, when the
thing happened, as opposed to ``recorded_at``, when the ledger took it.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, ClassVar, TypeVar

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.integrity.encoding import GENESIS_HASH, event_digest
from ledger.integrity.topics import stored_as

__all__ = ["ChainedAggregate", "ChainedEvent"]

_A = TypeVar("_A", bound="ChainedAggregate")


class ChainedEvent(Aggregate.Event):
    """Base of every event in the ledger: hash-chained, attributed and dated."""

    prev_hash: bytes
    event_hash: bytes
    actor: dict[str, Any]
    occurred_at: _dt.datetime

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.event_hash:
            object.__setattr__(self, "event_hash", self.compute_hash())

    def compute_hash(self) -> bytes:
        """The hash of this event as it will be stored (see the module docstring)."""
        fields = dict(vars(self))
        del fields["originator_id"], fields["originator_version"], fields["event_hash"]
        class_version = getattr(type(self), "class_version", 1)
        if class_version > 1:  # the eventsourcing Mapper stores it with the fields
            fields["class_version"] = class_version
        return event_digest(get_topic(type(self)), self.originator_id, self.originator_version, fields)

    @property
    def recorded_at(self) -> _dt.datetime:
        """When the ledger took the event."""
        return self.timestamp

    def mutate(self, aggregate: Any) -> Any:
        aggregate = super().mutate(aggregate)
        aggregate.last_hash = self.event_hash
        return aggregate


class ChainedAggregate(Aggregate):
    """Base of every aggregate: new events are linked to the stream's last hash."""

    last_hash = GENESIS_HASH  # not annotated: it would become a constructor argument
    stream_kind: ClassVar[str] = "stream"

    class Event(ChainedEvent):
        pass

    @classmethod
    def _start(cls: type[_A], event_class: Any, **kwargs: Any) -> _A:
        """Create the aggregate with its first, chained event."""
        return cls._create(event_class, prev_hash=GENESIS_HASH, event_hash=b"", **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        super().trigger_event(event_class, prev_hash=self.last_hash, event_hash=b"", **kwargs)


stored_as(__name__, "ledger.chain")  # its classes keep the topics they were first stored under
