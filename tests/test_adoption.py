"""Adoption matching (ledger/adoption.py): restricted at the point of matching, the link between the
birth and adoptive identities sealed and shown to the adoption team only; SQLite and PostgreSQL.

The borough of tests/conftest.py (Amira Hassan's case, Assessment team, Jane Smith allocated,
Grace Obi its team manager, Helen Cole service manager), with an adoption team.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from commands.cli import main
from ledger.access.log import ATTEMPT_TOPICS
from ledger.adoption import AdoptionKey, seal, unseal
from ledger.application import LONDON, CaseLedger
from ledger.errors import IntegrityError, PermissionDenied, RuleViolation
from ledger.integrity.chains import verify_store
from projections import views
from tests.conftest import Borough, refused

ADOPTIVE = "Amelia Rose Whitfield"
ADOPTERS = "Mr and Mrs Whitfield, approved adopters"


@pytest.fixture
def key() -> AdoptionKey:
    return AdoptionKey.generate()


@pytest.fixture
def looked_after(borough: Borough) -> Borough:
    app = borough.ledger
    app.staff.add("admin", staff_id="ada.adopt", full_name="Ada Lowe", designation="Adoption Social Worker",
                  team="Adoption", roles=["social_worker"])
    app.staff.add("admin", staff_id="tom.adm", full_name="Tom Reed", designation="Adoption Team Manager",
                  team="Adoption", roles=["team_manager"])
    app.casework.record_milestone("grace.obi", borough.case_id, kind="became_looked_after",
                                  occurred_at=dt.datetime(2026, 11, 2, 8, 0, tzinfo=LONDON),
                                  legal_status="s31_care_order")
    return borough


def match(b: Borough, key: AdoptionKey, acting: str = "helen.cole") -> None:
    b.ledger.adoption.match(acting, b.case_id, key=key, adoptive_name=ADOPTIVE, adopters=ADOPTERS,
                            matched_on=dt.date(2026, 11, 2), reason="matched with adopters by the panel today")


def test_matching_restricts_the_record_and_seals_the_link(looked_after: Borough, key: AdoptionKey) -> None:
    b = looked_after
    match(b, key)
    case = b.ledger.case(b.case_id)
    assert case.restriction["kind"].value == "adoption"
    assert case.restriction["reason"].startswith("restricted at the point of matching")
    # Nothing of the adoptive identity is stored in clear: not in the event, not in any view.
    app = b.ledger
    raw = b"".join(bytes(n.state) for n in app.notifications())  # noqa: SLF001
    assert ADOPTIVE.encode() not in raw and b"Whitfield" not in raw
    for shown in (views.case_view(case), views.audit_view(case), views.chronology(case)):
        assert "Whitfield" not in json.dumps(shown, default=str)
    assert verify_store(app.recorder).ok


def test_only_the_adoption_team_opens_the_link(looked_after: Borough, key: AdoptionKey) -> None:
    b = looked_after
    match(b, key)
    link = b.ledger.adoption.link("ada.adopt", b.case_id, key=key)
    assert (link["birth_name"], link["adoptive_name"], link["adopters"]) == ("Amira Hassan", ADOPTIVE, ADOPTERS)
    assert b.ledger.adoption.link("tom.adm", b.case_id, key=key)["adoptive_name"] == ADOPTIVE
    for who, label in (("jane.smith", "Jane Smith is a social worker in the Assessment team"),
                       ("grace.obi", "Grace Obi is a team manager in the Assessment team"),
                       ("helen.cole", "Helen Cole is a service manager in the Safeguarding team")):
        error = refused(b.ledger, PermissionDenied, "the link between the birth and adoptive identities is seen "
                        "only by the Adoption team; " + label, b.ledger.adoption.link, who, b.case_id, key=key)
        assert "Whitfield" not in str(error)
    # The allocated worker still opens the record itself, just not the link.
    assert b.ledger.access.open_record("jane.smith", b.case_id).child["name"] == "Amira Hassan"
    app = b.ledger
    tried = [app.mapper.to_domain_event(n) for n in app.notifications(topics=ATTEMPT_TOPICS)]  # noqa: SLF001
    links = [(e.actor["staff_id"], e.outcome.value, e.flag and e.flag.value) for e in tried
             if e.part.value == "adoption_link"]
    assert links == [("ada.adopt", "granted", None), ("tom.adm", "granted", None),
                     ("jane.smith", "denied", "disciplinary"), ("grace.obi", "denied", "disciplinary"),
                     ("helen.cole", "denied", "disciplinary")]


def test_matching_refusals(looked_after: Borough, key: AdoptionKey, borough: Borough) -> None:
    b = looked_after
    refused(b.ledger, PermissionDenied, "restricting this record or granting access to it needs a service "
            "manager or head of service", match, b, key, "grace.obi")
    refused(b.ledger, RuleViolation, r"matching a child for adoption needs a reason that explains why "
            r"\(at least 3 words and 12 letters; [^)]*\)",
            b.ledger.adoption.match, "helen.cole", b.case_id, key=key, adoptive_name=ADOPTIVE,
            adopters=ADOPTERS, matched_on=dt.date(2026, 11, 2), reason="panel")
    refused(b.ledger, RuleViolation, "adopters is required when matching a child for adoption",
            b.ledger.adoption.match, "helen.cole", b.case_id, key=key, adoptive_name=ADOPTIVE,
            adopters=" ", matched_on=dt.date(2026, 11, 2), reason="matched by the panel today")
    refused(b.ledger, RuleViolation, "matched_on 03 Nov 2026 is in the future",
            b.ledger.adoption.match, "helen.cole", b.case_id, key=key, adoptive_name=ADOPTIVE,
            adopters=ADOPTERS, matched_on=dt.date(2026, 11, 3), reason="matched by the panel today")
    match(b, key)
    refused(b.ledger, RuleViolation, "Amira Hassan was already matched for adoption on 02 Nov 2026", match, b, key)


def test_a_child_not_looked_after_is_not_matched(borough: Borough, key: AdoptionKey) -> None:
    refused(borough.ledger, RuleViolation, "a child is matched for adoption while looked after; Amira Hassan "
            "is not looked after", match, borough, key)


def test_a_sealed_link_opens_only_with_its_key_and_on_its_own_record(key: AdoptionKey) -> None:
    import uuid
    one, other = uuid.uuid4(), uuid.uuid4()
    sealed = seal(key, one, {"adoptive_name": ADOPTIVE})
    assert unseal(key, one, sealed) == {"adoptive_name": ADOPTIVE}
    with pytest.raises(IntegrityError, match="belongs to another record"):
        unseal(key, other, sealed)
    with pytest.raises(IntegrityError, match="sealed with the adoption key"):
        unseal(AdoptionKey.generate(), one, sealed)
    changed = dict(sealed, ciphertext=sealed["ciphertext"][:-4] + ("AAAA" if sealed["ciphertext"][-4:] != "AAAA"
                                                                    else "BBBB"))
    with pytest.raises(IntegrityError, match="was changed"):
        unseal(key, one, changed)


def test_the_adoption_commands_through_the_cli(looked_after: Borough, db: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    monkeypatch.chdir(tmp_path)
    case = str(looked_after.case_id)
    key_file = tmp_path / "adoption.key"

    def cli(*args: str) -> tuple[int, str]:
        try:
            main([*args, "--db", db, "--adoption-key", str(key_file)])
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        out = capsys.readouterr()
        return code, out.out + out.err

    code, out = cli("adoption", "match", case, "--as", "helen.cole", "--adoptive-name", ADOPTIVE,
                    "--adopters", ADOPTERS, "--matched-on", "2026-11-02", "--reason", "matched by the panel today")
    assert code == 0, out
    assert "restricted" in out and "Whitfield" not in out and key_file.exists()
    assert (key_file.stat().st_mode & 0o777) == 0o600
    code, out = cli("adoption", "link", case, "--as", "ada.adopt", "--json")
    assert code == 0, out
    assert json.loads(out)["adoptive_name"] == ADOPTIVE
    code, out = cli("adoption", "link", case, "--as", "jane.smith")
    assert code == 1 and "seen only by the Adoption team" in out and "Whitfield" not in out
    ledger = CaseLedger(db)
    try:
        assert ledger.case(looked_after.case_id).restriction["kind"].value == "adoption"
    finally:
        ledger.close()
