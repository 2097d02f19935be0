"""Stored topics: the names under which the ledger's classes are written, kept when code moves.

Every stored event names its class by a topic (``ledger.case:CaseRecord.CaseNoteRecorded``), and so
does every enum value inside one (``ledger.staff:Role``). A topic is part of the event's hash and
of its Merkle leaf, queries select events by it, and outside verifiers read it: it is a name in the
ledger, written for decades, not a path in the code. So when a module moves (issue 12 put the flat
``ledger/`` into packages), its classes keep the topics they were first written under.

:func:`stored_as` is called by a moved module once its classes are defined, naming the module it
was first written from. For every class defined in it (nested event classes and enums included):

* the old topic resolves to the class (rows written before the move load), and the old module
  name resolves to the module (eventsourcing looks enclosing names up through it);
* eventsourcing's ``get_topic`` gives the old topic (rows written after the move are written
  alike, and topic-selecting queries find old and new rows under one name).

Invariant (tested in ``tests/test_layout.py``): the topic of every class of the ledger is
``<module it was first written from>:<qualified name>``, whatever module holds it now.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from eventsourcing import utils as _es_utils
from eventsourcing.utils import register_topic

__all__ = ["STORED_MODULES", "stored_as"]

#: Where each moved module was first written from: its stored topic prefix.
STORED_MODULES: dict[str, str] = {}


def _classes(owner: type | object, module_name: str) -> Iterator[type]:
    for value in list(vars(owner).values()):
        if isinstance(value, type) and value.__module__ == module_name:
            yield value
            yield from _classes(value, module_name)


def stored_as(module_name: str, first_written_as: str) -> None:
    """Keep the stored topics of ``module_name``'s classes as ``first_written_as:QualName``."""
    module = sys.modules[module_name]
    STORED_MODULES[module_name] = first_written_as
    register_topic(first_written_as, module)
    type_cache = _es_utils._type_cache  # eventsourcing's class -> topic cache, read by get_topic
    for cls in set(_classes(module, module_name)):
        topic = f"{first_written_as}:{cls.__qualname__}"
        register_topic(topic, cls)
        type_cache[cls] = topic
