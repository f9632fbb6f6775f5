"""End to end in headless Chromium: an agent answers a ticket and fixes a quality flag, hostile
customer text stays text, an admin changes the web chat's inactivity window. Screenshots of the
main pages (desktop and a 390-px phone) go to docs/screenshots/ with ``make screenshots``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import HOSTILE, PASSWORD, Desk, shot

pytestmark = pytest.mark.slow
CLICHE = "Мы понимаем ваше негодование, постараемся разобраться"
GOOD = "Марина Складова проверила заказ: посылка на складе, передадим курьеру сегодня до 18:00."
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    made = browser.new_context(locale="ru-RU", viewport=DESKTOP, timezone_id="Europe/Moscow")
    made.set_default_timeout(15_000)
    yield made
    made.close()


def log_in(page: Any, desk: Desk, email: str) -> None:
    page.goto(f"{desk.base}/agent/login")
    assert page.locator("h1").inner_text() == "Otklik"
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/agent/queues/mine")


def test_an_agent_answers_a_ticket_and_fixes_a_quality_flag(context: Any, desk: Desk) -> None:
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, desk, "marina@e2e.test")
    assert page.locator(".queues a.on").inner_text().startswith("Мои")  # the Russian UI
    row = page.locator(f'a.rowlink[href="/agent/tickets/{desk.ticket_id}"]')
    row.wait_for()
    shot(page, "queue")
    page.keyboard.press("j")
    page.keyboard.press("o")  # the keyboard opens the selected ticket
    page.wait_for_url(f"**/agent/tickets/{desk.ticket_id}")

    customer = page.locator(".msg.k-customer .text").first
    assert customer.inner_text() == HOSTILE  # shown as text, not run
    assert page.locator(".msg img").count() == 0

    page.keyboard.press("r")  # focus the reply
    page.keyboard.type(CLICHE)
    flags = page.locator("#flags")
    if page.locator('[data-checker="off"]').count():
        pytest.fail("the reply checker is not plugged in: the flags area shows that it is off")
    flags.locator('[data-flag="cliche"]').wait_for()
    assert "Мы понимаем ваше негодование" in flags.locator("mark.f-cliche").inner_text()
    shot(page, "ticket-flagged")

    page.fill("#reply-text", GOOD)
    page.locator("#reply-text").dispatch_event("input")
    flags.locator("text=Замечаний нет.").wait_for()
    with page.expect_navigation():
        page.locator("#reply-text").press("Control+Enter")  # the shortcut sends
    mine = page.locator(".msg.k-agent", has_text=GOOD)
    mine.wait_for()
    state = mine.locator(".delivery")
    assert state.inner_text() in {"отправляется", "доставлено"}
    # the embedded worker delivers it and the live stream (SSE) updates the state in place
    mine.locator(".delivery", has_text="доставлено").wait_for(timeout=15_000)
    assert page.locator(".panel .status").inner_text() == "Ждём клиента"
    shot(page, "ticket")
    page.set_viewport_size(PHONE)
    shot(page, "ticket-phone")
    page.goto(f"{desk.base}/agent/queues/team")
    shot(page, "queue-phone")
    page.keyboard.press("?")
    assert page.locator("dialog#help").is_visible()
    assert dialogs == []
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


def test_an_admin_changes_the_web_chat_inactivity_window(context: Any, desk: Desk) -> None:
    page = context.new_page()
    log_in(page, desk, "olga@e2e.test")
    page.click("text=Администрирование")
    page.wait_for_url("**/admin/channels")
    card = page.locator("#channel-webchat")
    assert card.locator("[data-window]").inner_text() == "30 минут"
    card.locator("input[name=amount]").fill("45")
    card.locator("select[name=unit]").select_option("minutes")
    card.locator("form.row-form button[type=submit]").click()
    page.wait_for_url("**/admin/channels?saved=1")
    assert page.locator(".notice").inner_text() == "Сохранено."
    assert page.locator("#channel-webchat [data-window]").inner_text() == "45 минут"
    settings = httpx.get(f"{desk.base}/api/v1/settings/channels/webchat", headers=desk.headers).json()
    assert settings["inactivity_close_seconds"] == 45 * 60
    shot(page, "admin-channels")
    page.set_viewport_size(PHONE)
    shot(page, "admin-channels-phone")


def test_the_api_docs_render_with_no_network(context: Any, desk: Desk) -> None:
    """Issue 12: with every request to another host refused, Swagger UI still draws the API."""
    refused: list[str] = []

    def only_ours(route: Any) -> None:
        if route.request.url.startswith(desk.base):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page = context.new_page()
    page.route("**/*", only_ours)
    page.goto(f"{desk.base}/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Otklik" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 20  # the operations are drawn
    assert refused == []
