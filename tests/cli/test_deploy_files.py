"""The production files in ``deploy/`` stay true to the code (issue 13): every command a systemd unit
runs exists with the options it passes, every setting the example environment file sets is one Otklik
reads, and every live stream the app serves has an unbuffered location in the nginx example."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts
from pydantic_settings import BaseSettings
from typer.testing import CliRunner

from otklik.cli.main import app as cli
from otklik.core.config import Settings
from otklik.core.secret import MIN_LENGTH
from otklik.main import create_app
from otklik.routing.settings import RoutingSettings
from otklik.tickets.portal import PortalSettings
from otklik.triage.settings import TriageSettings
from otklik.web.browser import SessionSettings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def _exec_start(unit: Path) -> list[str]:
    lines = [line for line in unit.read_text().splitlines() if line.startswith("ExecStart=")]
    assert len(lines) == 1, f"{unit.name}: one ExecStart expected"
    return shlex.split(lines[0].removeprefix("ExecStart="))


def test_the_units_are_there() -> None:
    names = {unit.name for unit in UNITS}
    assert {"otklik-migrate.service", "otklik-web.service", "otklik-worker@.service"} <= names
    wanted = (DEPLOY / "systemd" / "otklik.target").read_text()
    for name in re.findall(r"(otklik-[\w@.-]+?\.service)", wanted):
        template = re.sub(r"@\w+\.service$", "@.service", name)
        assert template in names, f"otklik.target wants {name}, which deploy/systemd does not have"


def _accepts(argv: list[str]) -> int:
    """The CLI's exit code for ``argv`` with ``--help``: parsing runs (an unknown command or option
    is refused with 2) but nothing is started."""
    return CliRunner().invoke(cli, [*argv, "--help"]).exit_code


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_every_unit_runs_a_real_command_with_real_options(unit: Path) -> None:
    argv = _exec_start(unit)
    assert argv[0] == "/srv/otklik/.venv/bin/otklik", f"{unit.name} runs {argv[0]}"
    assert _accepts(argv[1:]) == 0, f"{unit.name}: otklik refuses {' '.join(argv[1:])}"
    text = unit.read_text()
    assert "EnvironmentFile=/etc/otklik/otklik.env" in text
    assert re.search(r"^User=otklik$", text, re.M)


def test_a_unit_with_a_bad_command_or_option_is_caught() -> None:
    """The check above can fail: a command or an option that does not exist is refused."""
    assert _accepts(["serve", "--threads", "8"]) == 2
    assert _accepts(["web", "--port", "8000"]) == 2
    assert _accepts(["serve", "--port", "8000"]) == 0


def _settings_names() -> set[str]:
    classes: list[type[BaseSettings]] = [Settings, RoutingSettings, PortalSettings, TriageSettings, SessionSettings]
    names = set()
    for cls in classes:
        prefix = str(cls.model_config.get("env_prefix", ""))
        names |= {(prefix + field).upper() for field in cls.model_fields}
    return names


def test_every_setting_in_the_example_is_read_by_otklik() -> None:
    known = _settings_names()
    example = (DEPLOY / "otklik.env.example").read_text()
    values = dict(line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#"))
    assert values, "the example sets nothing"
    assert set(values) - known == set(), "settings Otklik does not read"
    assert values["OTKLIK_EMBEDDED_WORKER"] == "off"
    assert values["OTKLIK_SHARED_STATE"] == "database"
    assert values["OTKLIK_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert len(values["OTKLIK_SECRET_KEY"]) >= MIN_LENGTH


def test_every_live_stream_has_an_unbuffered_location() -> None:
    config = (DEPLOY / "nginx" / "otklik.conf").read_text()
    unbuffered = [
        match.group(1)
        for match in re.finditer(r"location\s+(?:=\s*|~\s*)?(\S+)\s*\{([^}]*)\}", config)
        if "proxy_buffering off" in match.group(2)
    ]
    streams = [
        route.path
        for route in iter_route_contexts(create_app().routes)
        if "GET" in (route.methods or set()) and re.search(r"/(stream|events)$", route.path or "")
    ]
    assert streams, "the app serves no live stream?"
    for path in streams:
        sample = re.sub(r"\{[^}]+\}", "42", path)
        assert any(
            re.fullmatch(pattern.strip("^$"), sample) if pattern.startswith("^") else pattern == sample
            for pattern in unbuffered
        ), f"{path}: no unbuffered location in deploy/nginx/otklik.conf"
