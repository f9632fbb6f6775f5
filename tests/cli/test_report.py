"""``otklik report`` prints the hand-built week of ``tests/analytics/test_outlook.py`` from a real
database file: the channel under the 30 % line, the breach date, public growth, the staffing gap."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from otklik.cli.main import app
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.db import make_engine
from tests.analytics.test_outlook import NOW, whatsapp_week
from tests.conftest import Cast, _persona


@pytest.fixture
def week_in_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", f"sqlite:///{tmp_path}/report.db")
    monkeypatch.setenv("COLUMNS", "220")  # rich lays the tables out for a wide terminal
    get_settings.cache_clear()
    assert CliRunner().invoke(app, ["migrate"]).exit_code == 0
    engine = make_engine(get_settings().database_url)
    with Session(engine) as db:
        cast = Cast(
            admin_olga=_persona(db, "olga@otklik.test", "Ольга Админова", "admin", [], {}),
            lead_boris=_persona(db, "boris@otklik.test", "Борис Лидов", "lead", ["FBO"], {}),
            agent_marina=_persona(db, "marina@otklik.test", "Марина Складова", "agent", ["FBO"], {}),
            agent_anna=_persona(db, "anna@otklik.test", "Анна Финансова", "agent", ["Финансы"], {}),
            agent_pavel=_persona(db, "pavel@otklik.test", "Павел Второй", "agent", ["Финансы"], {}),
        )
        whatsapp_week(db, cast)
    engine.dispose()
    previous = clock.install(clock.FrozenClock(NOW))
    yield
    clock.install(previous)
    get_settings.cache_clear()


@pytest.mark.usefixtures("week_in_a_file")
def test_the_report_of_the_last_four_weeks_in_english_and_russian() -> None:
    english = CliRunner().invoke(app, ["report", "--days", "28", "--lang", "en"])
    assert english.exit_code == 0, english.output
    text = english.output
    assert "Support health · tickets created 2026-10-19 – 2026-11-16" in text
    assert "Public site ⚠ under the 30% line" in text
    assert "WhatsApp" in text
    assert "10 min" in text  # its median first response
    assert "2026-11-23" in text  # WhatsApp's breach
    assert "growth in the last complete week: +40 %" in text
    assert "+3 10:00–11:00, +1 11:00–12:00" in text
    russian = CliRunner().invoke(app, ["report", "--days", "28"])
    assert "Публичная площадка ⚠ ниже черты 30 %" in russian.output
    assert "Здоровье поддержки" in russian.output


@pytest.mark.usefixtures("week_in_a_file")
def test_a_period_that_is_not_a_month_is_refused_in_both_languages() -> None:
    refused = CliRunner().invoke(app, ["report", "--period", "11/2026"])
    assert refused.exit_code == 2
    assert "YYYY-MM" in refused.output
