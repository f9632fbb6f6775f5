"""Forwarded headers are believed only from the proxies the desk names (issue 14).

``otklik serve`` used uvicorn's default, which believes ``X-Forwarded-For`` from any client on the
same machine: such a client could pick a new address for every request and never meet the flood
limit. A real server process each time, on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import migrated_url
from tests.serving import Fleet

pytestmark = pytest.mark.slow


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    fleets: list[Fleet] = []

    def start(trusted: str) -> str:
        fleet = Fleet(tmp_path / f"fleet{len(fleets)}", {
            "OTKLIK_DATABASE_URL": migrated_url("sqlite", str(tmp_path), f"proxies{len(fleets)}"),
            "OTKLIK_SECRET_KEY": "trusted-proxies-" + "p" * 40,
            "OTKLIK_PUBLIC_RATE_BURST": "2",
            "OTKLIK_PUBLIC_RATE_PER_MINUTE": "1",
            "OTKLIK_TRUSTED_PROXIES": trusted,
        })  # fmt: skip
        fleet.tmp.mkdir()
        fleets.append(fleet)
        return fleet.serve("serve")

    yield start
    for fleet in fleets:
        fleet.close()


def _visitors(base: str) -> list[int]:
    return [
        httpx.post(f"{base}/api/v1/public/chat/visitors", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(4)
    ]


def test_a_local_client_cannot_choose_its_address(serve: Callable[[str], str]) -> None:
    assert _visitors(serve("")) == [201, 201, 429, 429]


def test_the_named_proxy_is_believed(serve: Callable[[str], str]) -> None:
    assert _visitors(serve("127.0.0.1")) == [201] * 4  # four callers behind nginx, one allowance each
