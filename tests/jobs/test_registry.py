"""Every process knows every job kind with its declared limits (issue 13).

The README's production deployment runs ``otklik serve`` without the embedded worker and separate
``otklik worker`` processes. A job the API schedules takes its attempt limit from the registry at
that moment, so a server process that had registered only the kinds its imports happened to pull in
gave delivery 8 attempts instead of 6 and triage 8 instead of 3. Each check runs in a fresh
interpreter: the test process itself has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

#: every module of the package imported, so every ``@jobs.task`` ran: what the code declares
DECLARED = """
import importlib, json, pkgutil
import otklik
for info in pkgutil.walk_packages(otklik.__path__, "otklik."):
    if not info.name.startswith("otklik.migrations"):
        importlib.import_module(info.name)
from otklik.core import jobs
print(json.dumps({k: [s.max_attempts, s.io, bool(s.every)] for k, s in jobs.registered().items()}))
"""

#: the API server as the README deploys it: no embedded worker
SERVER = """
import json
from otklik.core.db import make_engine
from otklik.main import create_app
create_app(make_engine("sqlite://"), embedded_worker=False)
from otklik.core import jobs
print(json.dumps({k: [s.max_attempts, s.io, bool(s.every)] for k, s in jobs.registered().items()}))
"""

#: a CLI command that schedules jobs (``otklik demo``, ``otklik smtpd``) goes through the app's callback
CLI = """
import json, sys
from typer.testing import CliRunner
from otklik.cli.main import app
CliRunner().invoke(app, ["jobs", "--help"])
from otklik.core import jobs
print(json.dumps({k: [s.max_attempts, s.io, bool(s.every)] for k, s in jobs.registered().items()}))
"""


def _registered(script: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_api_server_without_a_worker_knows_every_kind_and_its_limit() -> None:
    declared = _registered(DECLARED)
    assert declared["message.deliver"][0] == 6  # the limits the issue names, as declared
    assert declared["triage.ticket"][0] == 3
    assert _registered(SERVER) == declared


def test_every_cli_command_knows_every_kind_and_its_limit() -> None:
    assert _registered(CLI) == _registered(DECLARED)
