"""WhatsApp webhooks written by another project (pywa's test data, MIT; see the fixtures' README):
every case posted to our signed webhook is either stored as a message with words to show or
acknowledged as no message — never refused after the 200, which would lose it (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.channels.messengers.test_whatsapp import graph, post  # noqa: F401  (graph: the stand-in Graph API fixture)

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp_real"
CASES = [
    pytest.param(body, id=f"{path.stem}/{name}")
    for path in sorted(REAL.glob("*.json"))
    for name, body in json.loads(path.read_text(encoding="utf-8")).items()
]
#: items that are no customer's words: a deleted-message notice
NOT_MESSAGES = {"revoke"}


def message_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        message
        for entry in body.get("entry", [])
        for change in entry.get("changes", [])
        for message in change.get("value", {}).get("messages", [])
        if message.get("type") not in NOT_MESSAGES
    ]


def test_the_corpus_is_there() -> None:
    assert len(CASES) >= 35


@pytest.mark.usefixtures("graph", "cast")
@pytest.mark.parametrize("body", CASES)
def test_every_payload_is_stored_or_acknowledged_never_refused(client: TestClient, body: dict[str, Any]) -> None:
    answer = post(client, json.dumps(body, ensure_ascii=False).encode())
    assert answer.status_code == 200, answer.text
    counts = answer.json()
    assert counts["refused"] == 0, counts
    assert counts["stored"] + counts["duplicates"] == len(message_items(body)), counts
