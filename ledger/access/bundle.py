"""An access report's evidence bundle checked against its events (the access side of
:mod:`ledger.integrity.evidence`, which knows nothing of access reports).

:func:`verify_bundle` is :func:`ledger.integrity.evidence.verify_bundle` with the access report's
check: the report a bundle carries must be the one derived again from its bundled events (attempts,
reviews, staff histories), each attempt about the report's subject and within its period.
"""

from __future__ import annotations

import datetime as _dt
import json
import uuid
from typing import Any

from eventsourcing.utils import get_topic

from ledger.access.facts import (
    REPORT_FORMAT,
    Thresholds,
    attempt_from_fields,
    build_report,
    history_from_fields,
    review_summary,
)
from ledger.access.log import ATTEMPT_TOPICS, access_day
from ledger.access.review import AttemptReview
from ledger.errors import EncodingError
from ledger.integrity.encoding import decode
from ledger.integrity.evidence import BundleReport, HeldEvent, version_gaps, version_run
from ledger.integrity.evidence import verify_bundle as verify_events

__all__ = ["check_access_report", "verify_bundle"]


def verify_bundle(text: str, verifier_key: str | None = None) -> BundleReport:
    """Check any evidence bundle offline, an access report's included (see :mod:`ledger.integrity.evidence`)."""
    return verify_events(text, verifier_key, check_report=check_access_report)


def check_access_report(claimed: Any, held: list[HeldEvent], report: BundleReport) -> None:
    """Derive the access report again from the bundled events; it must equal the bundled one."""
    review_topic = get_topic(AttemptReview.Reviewed)
    try:
        if not isinstance(claimed, dict) or claimed.get("format") != REPORT_FORMAT:
            report.fail(f"report: not a {REPORT_FORMAT} report")
            return
        attempts = []
        reviews: dict[tuple[str, int], dict[str, Any]] = {}
        staff: dict[uuid.UUID, list[tuple[int, str, dict[str, Any]]]] = {}
        for h in held:
            fields = decode(h.state)
            if h.topic in ATTEMPT_TOPICS:
                attempts.append(attempt_from_fields(h.stream, h.version, h.index, fields))
            elif h.topic == review_topic:
                reviews[(str(fields["attempt_stream"]), int(fields["attempt_version"]))] = review_summary(fields)
            elif h.topic.startswith("ledger.staff:StaffMember."):
                staff.setdefault(h.stream, []).append((h.version, h.topic, fields))
        histories = {}
        for stream, events in staff.items():
            events.sort(key=lambda e: e[0])
            for low, high in version_gaps([v for v, _, _ in events], 1, events[-1][0]):
                report.fail(f"report: staff stream {stream} is not whole: "
                            f"{version_run(low, high)} missing (a staff member's "
                            "history is bundled from version 1 with no gap)")
            staff_id = str(events[0][2].get("staff_id", ""))
            histories[staff_id] = history_from_fields(staff_id, [(t, f) for _, t, f in events])
        thresholds = Thresholds(**claimed["thresholds"])
        since = _dt.date.fromisoformat(claimed["from"]) if claimed.get("from") else None
        until = _dt.date.fromisoformat(claimed["to"]) if claimed.get("to") else None
        derived = build_report(claimed["subject"], since, until, thresholds, attempts, histories, reviews)
    except (KeyError, ValueError, TypeError, AttributeError, EncodingError) as e:
        report.fail(f"report: cannot be derived from the bundled events ({type(e).__name__}: {e})")
        return
    derived = json.loads(json.dumps(derived))
    subject = derived["subject"]
    for row in derived["attempts"]:
        key = "staff_id" if subject.get("kind") == "staff" else "case_id"
        if row[key] != subject.get(key):
            report.fail(f"report: attempt {row['ref']} is not about the report's subject ({key} {row[key]})")
        day = access_day(_dt.datetime.fromisoformat(row["at"])).isoformat()
        if (derived["from"] and day < derived["from"]) or (derived["to"] and day > derived["to"]):
            report.fail(f"report: attempt {row['ref']} is outside the report's period")
    if derived == claimed:
        return
    for name in sorted(set(derived) | set(claimed)):
        if name == "attempts" and isinstance(claimed.get("attempts"), list):
            theirs = claimed["attempts"]
            if len(theirs) != len(derived["attempts"]):
                report.fail(f"report: lists {len(theirs)} attempts but the bundle proves "
                            f"{len(derived['attempts'])}")
                continue
            for mine, other in zip(derived["attempts"], theirs, strict=True):
                if mine != other:
                    changed = sorted(k for k in set(mine) | set(other) if mine.get(k) != other.get(k))
                    report.fail(f"report: attempt {mine['ref']} does not match the event it cites "
                                f"({', '.join(changed)})")
        elif derived.get(name) != claimed.get(name):
            report.fail(f"report: '{name}' does not match the bundled events")
