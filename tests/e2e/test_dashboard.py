"""Story 6 end to end: the head of support on Monday morning, in headless Chromium.

A real ``otklik serve`` on its own SQLite file, its clock started on Monday 23 November 2026 at
09:00 Moscow time (``OTKLIK_CLOCK_START``), with the demo loaded by ``otklik demo`` at that moment.
The admin of the demo signs in and reads the support-health page the way the story tells it: VK left
of the 30 % line and marked, public complaints up 40 % while private first answers slowed (the
parity alert), WhatsApp's backlog breaching on Thursday and three more agents needed from 10:00 to
14:00. Every figure the page shows is checked in ``tests/demo/test_story_6.py`` against the data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import _cli, serving, shot

pytestmark = pytest.mark.slow
MONDAY = "2026-11-23T09:00:00+03:00"
DEMO_ADMIN = "olga.zimina@otklik.example"
DEMO_PASSWORD = "otklik-demo"  # published on purpose: demo accounts only (otklik.demo.data)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def monday_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("monday")
    env = {
        **os.environ,
        "OTKLIK_DATABASE_URL": f"sqlite:///{folder}/desk.db",
        "OTKLIK_SECRET_KEY": "e2e-monday-secret-0123456789abcdef",
        "OTKLIK_CLOCK_START": MONDAY,
        "OTKLIK_EMBEDDED_WORKER": "off",  # the morning as the demo left it: no timer moves a figure
    }
    _cli(env, "migrate")
    assert "Демо загружено" in _cli(env, "demo")
    with serving(env) as base:
        yield base


def dashboard(browser: Any, base: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(locale="ru-RU", viewport=viewport, timezone_id="Europe/Moscow")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/agent/login")
    page.fill("#email", DEMO_ADMIN)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/agent/queues/mine")
    page.click('a[href="/agent/analytics"]')  # the header's «Здоровье» link
    page.wait_for_url("**/agent/analytics")
    return page


def test_story_6_the_head_of_support_on_monday_morning(browser: Any, monday_desk: str) -> None:
    page = dashboard(browser, monday_desk, DESKTOP)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    assert page.locator("h1").inner_text() == "Здоровье поддержки"
    # each channel a point of resolution against satisfaction; VK left of the 30 % line, marked
    assert page.locator("svg.plot g.dot").count() >= 6
    vk = page.locator('svg.plot g.dot.below[data-channel="vk"]')
    assert vk.count() == 1
    assert page.locator("svg.plot g.dot.below").count() == 1
    assert float(vk.locator("circle").get_attribute("cx") or 0) < float(
        page.locator("svg.plot line.floor").get_attribute("x1") or 0
    )
    assert "ВКонтакте ниже черты 30 %" in page.locator('li[data-alert="floor"][data-channel="vk"]').inner_text()
    # public complaints +40 % week over week while private first answers slowed: the parity alert
    assert "Последняя полная неделя к предыдущей: +40 %." in page.locator("#weeks-title + p").inner_text()
    assert "Публичным жалобам отвечают быстрее" in page.locator('li[data-alert="parity"]').inner_text()
    # WhatsApp: more in than out; its backlog breaches on Thursday; Erlang C wants three more agents
    row = page.locator('tr[data-channel="whatsapp"]')
    assert "bad-row" in (row.get_attribute("class") or "")
    assert row.locator("td.breach").inner_text() == "четверг, 26 ноября"
    assert "↑" in row.inner_text()
    gaps = page.locator('p.shortfall[data-channel="whatsapp"]').all_inner_texts()
    assert "нужно ещё 3 сотрудника с 10:00 до 14:00" in gaps
    assert errors == []
    shot(page, "dashboard")
    page.locator("#staff-title").scroll_into_view_if_needed()
    shot(page, "dashboard-staffing")
    page.context.close()
    phone = dashboard(browser, monday_desk, PHONE)
    assert phone.locator('svg.plot g.dot.below[data-channel="vk"]').is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width}px"
    shot(phone, "dashboard-phone")
    phone.context.close()
