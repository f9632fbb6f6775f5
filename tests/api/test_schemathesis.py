"""Schemathesis with every check against a real ``otklik serve`` on each database (issue 14).

Every operation of ``/openapi.json`` gets generated requests, valid and invalid, and every check runs:
no 5xx, only documented statuses, content types and headers, responses that match their schemas, the
invalid refused and the valid taken, ``Allow`` on 405. Rules a schema cannot state (stored data, the
clock, two values together) are listed with the reason in ``schemathesis.toml`` beside this file. A
bounded run: a few examples per operation and a fixed seed, so a failure reproduces. The stateful
phase (chains of calls that follow links with the ids the server made) is not reproducible from a seed,
so it runs only with ``OTKLIK_SCHEMATHESIS_STATEFUL=1``; it found two of the defects below.

What it found when first run: 148 failures — 87 undocumented statuses and 75 undocumented problem+json
content types, ``Allow`` naming one method of two, booleans and times taken from numbers, ids past the
documented maximum, and three 500s (a desk no Erlang C could staff; a calendar with no working hour
taken, after which every SLA on it failed); then, in the stateful phase, a link of a hand-posted reply
not required to be a link, and a new agent named into one team twice (a 500 on PostgreSQL).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, drop_postgres_database, migrated_url
from tests.serving import OTKLIK, Fleet

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).with_name("schemathesis.toml")
ST = Path(sys.executable).parent / "st"
EXAMPLES = 3
SEED = 20261208
PHASES = "examples,coverage,fuzzing" + (",stateful" if os.environ.get("OTKLIK_SCHEMATHESIS_STATEFUL") == "1" else "")


def _admin_token(env: dict[str, str]) -> str:
    run = {**os.environ, **env}
    subprocess.run(
        [str(OTKLIK), "agents", "create", "--email", "fuzz@otklik.test", "--name", "Fuzz", "--role", "admin"],
        env=run, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    made = subprocess.run(
        [str(OTKLIK), "tokens", "create", "--agent", "fuzz@otklik.test"],
        env=run, check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return made.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_operation_keeps_what_its_schema_promises(backend: str, tmp_path: Path) -> None:
    url = migrated_url(backend, str(tmp_path), "fuzz")
    env = {"OTKLIK_DATABASE_URL": url, "OTKLIK_SECRET_KEY": "schemathesis-" + "s" * 40}
    fleet = Fleet(tmp_path, env)
    try:
        token = _admin_token(env)
        base = fleet.serve("serve")
        result = subprocess.run(
            [
                str(ST), "--config-file", str(CONFIG), "run", f"{base}/openapi.json", "--checks", "all",
                "-H", f"Authorization: Bearer {token}", "--max-examples", str(EXAMPLES), "--seed", str(SEED),
                "--workers", "1", "--no-color", "--phases", PHASES,
            ],
            check=False, capture_output=True, text=True, timeout=900, cwd=tmp_path,  # its own files stay there
        )  # fmt: skip
        report = result.stdout[-12000:] + result.stderr[-3000:]
        assert result.returncode == 0, report + "\n" + fleet.logs()
        tested = re.search(r"Tested: (\d+)", report)
        assert tested is not None, report
        assert int(tested.group(1)) >= 80, report  # the whole document, not a few operations
    finally:
        fleet.close()
        drop_postgres_database(url)
