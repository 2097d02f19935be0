"""Access events as a FHIR R4 ``Bundle`` (type ``collection``) of ``AuditEvent`` resources, for a
security information and event management system (``caseledger access report --fhir FILE``).

Built by hand from the report's rows (no FHIR library at run time; the tests validate the output
with ``fhir.resources``), in the style of IHE Basic Audit Log Patterns (BALP):

* ``type``: DICOM 110110 "Patient Record" (the child's record was used); ``subtype``: the
  RESTful interaction (read, update, delete; authorise is an ``operation``);
* ``action``: R read, U write or restrict, D delete, E authorise (execute);
* ``recorded``: when the attempt was made; ``outcome``: ``0`` granted, ``4`` (minor failure: the
  request was refused) denied; ``outcomeDesc``: the rule that decided, in words;
* ``purposeOfEvent`` (HL7 v3 ActReason): break-glass ``ETREAT`` (emergency treatment) and
  ``BTG`` (break the glass); the case worker, team, IRO, EDT and a self-claimed relationship
  ``TREAT`` (the care of the child); team managers, service managers and heads of service
  ``HOPERAT`` (operations: management); auditors ``HOPERAT`` too; the helpdesk working on a
  roll-back ``HSYSADMIN``; with the reason typed as the concept's text. Denied attempts carry
  the purpose they claimed, or none;
* ``agent``: the staff member: ``who`` (identifier = staff id, display = full name), ``role``
  (their roles), ``requestor`` true, ``network`` (the client address, when known);
* ``source``: the ledger (the site is the host that recorded the attempt, the observer the log's
  origin);
* ``entity``: the child's record, named by its case id only (an identifier, never the child's
  name: the report never holds it), role 1 (Patient), with the part read, the item, the team
  holding the case and the restriction as ``detail``.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

__all__ = ["CASE_SYSTEM", "STAFF_SYSTEM", "fhir_bundle"]

CASE_SYSTEM = "urn:caseledger:case"
STAFF_SYSTEM = "urn:caseledger:staff"
ROLE_SYSTEM = "urn:caseledger:role"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
FHIR_NAMESPACE = uuid.UUID("3e1f7b52-9a0c-5d84-b6e2-0c7d5f9a1b34")

_ACTION = {"read": ("R", "read", "read"), "write": ("U", "update", "update"), "delete": ("D", "delete", "delete"),
           "authorise": ("E", "operation", "operation"), "restrict": ("U", "update", "update")}
_REASON = {"ETREAT": "emergency treatment", "BTG": "break the glass", "TREAT": "treatment",
           "HOPERAT": "healthcare operations", "HSYSADMIN": "healthcare system administration"}
_MANAGEMENT_RULES = {"team_manager", "service_management"}


def _purposes(row: dict[str, Any]) -> list[str]:
    rule = row["rule_id"]
    if rule == "break_glass" or (row["basis"] and row["restriction"]):
        return ["ETREAT", "BTG"]
    if rule in _MANAGEMENT_RULES or rule.startswith(("team_manager_", "service_management_")):
        return ["HOPERAT"]
    if rule.startswith("auditor"):
        return ["HOPERAT"]
    if rule.startswith("helpdesk"):
        return ["HSYSADMIN"]
    roles = set(row["roles"])
    if row["outcome"] == "denied" and not row["purpose"]:
        return []
    if roles & {"team_manager", "service_manager", "head_of_service", "auditor"} and not roles & {
            "social_worker", "senior_practitioner", "iro", "edt"}:
        return ["HOPERAT"]
    return ["TREAT"]


def audit_event(row: dict[str, Any], origin: str) -> dict[str, Any]:
    """One AuditEvent resource for one report row."""
    code, interaction, _ = _ACTION.get(row["action"], ("E", "operation", "operation"))
    purposes = _purposes(row)
    purpose_of_event = []
    for i, p in enumerate(purposes):
        concept: dict[str, Any] = {"coding": [{"system": ACT_REASON, "code": p, "display": _REASON[p]}]}
        if i == 0 and row["purpose"]:
            concept["text"] = row["purpose"]
        purpose_of_event.append(concept)
    agent: dict[str, Any] = {
        "who": {"identifier": {"system": STAFF_SYSTEM, "value": row["staff_id"]},
                "display": row["name"] or row["staff_id"]},
        "requestor": True,
    }
    if row["roles"]:
        agent["role"] = [{"coding": [{"system": ROLE_SYSTEM, "code": r, "display": r.replace("_", " ")}]}
                         for r in row["roles"]]
    if row["designation"] or row["team"]:
        agent["name"] = ", ".join(x for x in (row["name"], row["designation"], row["team"]) if x)
    client = str(row["origin"].get("client") or "")
    if client:
        agent["network"] = {"address": client, "type": "2"}  # 2: IP address
    details = [{"type": "part", "valueString": row["part"]}]
    for key in ("item", "case_team", "restriction"):
        if row.get(key):
            details.append({"type": key, "valueString": str(row[key])})
    details.append({"type": "caseledger-reference", "valueString": f"{row['ref']} (stream {row['stream_id']} "
                    f"version {row['version']})"})
    entity: dict[str, Any] = {
        "what": {"identifier": {"system": CASE_SYSTEM, "value": row["case_id"] or row["case_ref"] or "unknown"}},
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1",
                 "display": "Person"},
        "role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1", "display": "Patient"},
        "detail": details,
    }
    host = str(row["origin"].get("host") or "")
    source: dict[str, Any] = {
        "observer": {"display": origin},
        "type": [{"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4",
                  "display": "Application Server"}],
    }
    if host:
        source["site"] = host
    event: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": str(uuid.uuid5(FHIR_NAMESPACE, f"{row['stream_id']}/{row['version']}")),
        "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110",
                 "display": "Patient Record"},
        "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": interaction,
                     "display": interaction}],
        "action": code,
        "recorded": row["at"],
        "outcome": "0" if row["outcome"] == "granted" else "4",
        "outcomeDesc": row["rule"],
        "agent": [agent],
        "source": source,
        "entity": [entity],
    }
    if purpose_of_event:
        event["purposeOfEvent"] = purpose_of_event
    return event


def fhir_bundle(report: dict[str, Any], *, origin: str, now: _dt.datetime) -> dict[str, Any]:
    """The report's attempts as a FHIR R4 Bundle of type ``collection``."""
    entries = []
    for row in report["attempts"]:
        resource = audit_event(row, origin)
        entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
    return {"resourceType": "Bundle", "type": "collection", "timestamp": now.isoformat(), "entry": entries}
