"""Information sharing and consent (policy s.7, s.15).

* ``information_sharing`` (s.7, s.15): ``direction`` (request_from: another organisation
  asks us; request_to: we ask another organisation), ``organisation``, ``information``,
  ``shared`` (yes/no) and ``reasoning`` are required; the decision-maker is the acting staff
  member (any practice or management role), recorded as ``by``. A decision to share (or to
  seek) needs a ``basis``: consent, legal_duty, concern_for_safety, court_order or
  prevention_or_detection_of_crime; on consent, ``consent_record`` names a consent record on
  this case that is currently given, and seeking information from others (request_to) needs
  that consent in writing.
* ``consent`` (s.7): ``status`` (given, refused, withdrawn), ``by_whom`` and ``scope`` are
  required; ``written`` says whether it was given in writing. Update: ``withdraw`` (a given
  consent; ``by_whom`` and ``reason``).
"""

from __future__ import annotations

from typing import Any

from ledger.errors import RuleViolation
from ledger.records.casework.base import Action, Ctx, Kind, explained, find_source
from ledger.records.fields import Field

__all__ = ["BASES", "CONSENT", "INFORMATION_SHARING"]


# --- information sharing and consent (s.7) ----------------------------------------------------

BASES = ("consent", "legal_duty", "concern_for_safety", "court_order", "prevention_or_detection_of_crime")


def _check_sharing(ctx: Ctx, d: dict[str, Any]) -> dict[str, Any]:
    if d["shared"] and not d.get("basis"):
        raise RuleViolation(
            "basis is required when information is shared or sought: one of "
            f"{', '.join(BASES)} (policy s.7: consent, or a legal duty or power)"
        )
    if d.get("basis") == "consent":
        if not d.get("consent_record"):
            raise RuleViolation("consent_record is required when the basis is consent: the id of the "
                                "consent record on this case")
        src = find_source(ctx.case, "consent_record", d["consent_record"], kinds=("consent",),
                      what="information sharing")
        consent = ctx.case.records[src["id"]]
        if consent["status"] != "given":
            raise RuleViolation(f"consent_record {src['id']} is not a consent given (it is "
                                f"{consent['status']}); the basis cannot be consent")
        if d["direction"] == "request_to" and not consent["details"].get("written"):
            raise RuleViolation("seeking information from another organisation on the basis of consent "
                                "needs written consent (policy s.7); consent record "
                                f"{src['id']} is not in writing")
        d["consent_record"] = src["id"]
    elif d.get("consent_record"):
        raise RuleViolation("consent_record goes with the basis consent")
    return d


INFORMATION_SHARING = Kind(
    name="information_sharing", title="an information sharing decision", policy="s.7",
    help="A decision to share or not to share information, who made it and why (policy s.7). The "
         "decision-maker is the staff member recording it.",
    fields=(
        Field("direction", "choice", required=True, choices=("request_from", "request_to"),
              help="request_from: another organisation asks us; request_to: we ask them"),
        Field("organisation", required=True),
        Field("information", required=True, help="what information"),
        Field("shared", "bool", required=True, help="whether it was shared (or sought)"),
        Field("reasoning", required=True, help="why it was or was not shared"),
        Field("basis", "choice", choices=BASES, help="required when shared"),
        Field("consent_record", help="the consent record id, when the basis is consent"),
        Field("legal_advice", help="advice from Legal Services, if sought (policy s.15)"),
    ),
    check=_check_sharing,
    initial_status=lambda d: "shared" if d["shared"] else "not_shared",
)


def _withdraw(ctx: Ctx, record: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
    d["reason"] = explained("reason", d["reason"], "withdrawing consent")
    return d


CONSENT = Kind(
    name="consent", title="a consent", policy="s.7",
    help="Consent given, refused or withdrawn, by whom and for what (policy s.7).",
    fields=(
        Field("status", "choice", required=True, choices=("given", "refused", "withdrawn")),
        Field("by_whom", required=True, help="who gave, refused or withdrew it"),
        Field("scope", required=True, help="what it covers"),
        Field("written", "bool", help="given in writing"),
    ),
    actions={"withdraw": Action("withdraw", "the consent given is withdrawn",
                                (Field("by_whom", required=True),
                                 Field("reason", required=True, help="at least three words, twelve letters")),
                                _withdraw, ("given",))},
    initial_status=lambda d: d["status"],
)
