"""The mail corpus (tests/channels/fixtures/email, made by make_corpus.py): every file parses, and
to exactly what ``expected.json`` says — sender, subject, the customer's words present, quoted
history and refused parts absent — with the original bytes kept whole.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from otklik.channels.adapters.email_parse import MailPolicy, MailRejected, parse_mail

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "email"
EXPECTED: dict[str, Any] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
POLICY = MailPolicy(**EXPECTED["policy"])
CASES = sorted(EXPECTED["cases"])


def test_the_corpus_has_at_least_fifty_mails_and_nothing_unlisted() -> None:
    files = sorted(p.stem for p in CORPUS.glob("*.eml"))
    assert len(files) >= 50
    assert files == CASES


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    if EXPECTED["python"] != list(sys.version_info[:2]):
        pytest.skip(f"corpus written by Python {EXPECTED['python']}; the email package folds differently elsewhere")
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.main(tmp_path)
    for name in written:
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), name
    assert json.loads((tmp_path / "expected.json").read_text(encoding="utf-8")) == EXPECTED


@pytest.mark.parametrize("name", CASES)
def test_each_mail_parses_to_what_it_promises(name: str) -> None:
    raw = (CORPUS / f"{name}.eml").read_bytes()
    want = EXPECTED["cases"][name]
    if "rejected" in want:
        with pytest.raises(MailRejected) as refused:
            parse_mail(raw, POLICY)
        assert refused.value.code == want["rejected"]
        assert refused.value.smtp_reply().isascii()
        return
    parsed = parse_mail(raw, POLICY)
    if "skipped" in want:
        assert parsed.inbound is None
        assert parsed.skipped == want["skipped"], parsed.reason
        return
    inbound = parsed.inbound
    assert inbound is not None, parsed
    assert inbound.sender_value.lower() == want["sender"]
    assert want["subject"] in (inbound.subject or "")
    for fragment in want["text"]:
        assert fragment in inbound.text, f"{fragment!r} missing from {inbound.text[:600]!r}"
    for fragment in want["absent"]:
        assert fragment not in inbound.text, f"{fragment!r} should be gone from {inbound.text[:600]!r}"
    if "name" in want:
        assert inbound.display_name == want["name"]
    if "attachments" in want:
        assert [a.filename for a in inbound.attachments] == want["attachments"]
    refused = want.get("refused", [])
    for filename in refused:
        assert f"вложение не принято / attachment not accepted: {filename}" in inbound.text
    assert inbound.text.count("attachment not accepted") == len(refused)
    assert inbound.placeholder is want.get("placeholder", False)
    if "thread_refs" in want:
        assert list(inbound.thread_refs) == want["thread_refs"]
    assert inbound.ticket_hint == want.get("ticket_hint")
    match want.get("external_id"):
        case "synthetic":
            assert inbound.external_id.startswith("<nomsgid.")
            assert parse_mail(raw, POLICY).inbound.external_id == inbound.external_id  # type: ignore[union-attr]
        case "hashed":
            assert inbound.external_id.startswith("<sha256.")
        case _:
            assert inbound.external_id.startswith("<")
            assert inbound.external_id.endswith(">")
    assert len(inbound.external_id) <= 200
    if "sent_at" in want:
        expected_at = want["sent_at"]
        assert inbound.sent_at == (datetime.fromisoformat(expected_at) if expected_at else None)
    # nothing is lost: the whole mail travels along, the text is storable anywhere
    assert inbound.source == raw
    assert inbound.source_type == "message/rfc822"
    assert inbound.text.strip()
    assert len(inbound.text) < 100_000
    assert "\x00" not in inbound.text
    assert "\x00" not in (inbound.subject or "")
    inbound.text.encode("utf-8")  # no lone surrogates
