"""The web chat widget in headless Chromium, on a shop's page of its own origin (issue 12): a chat that
closed by itself after the customer left comes back with the conversation and says it is over; a new
word starts a new conversation under it. Before, the widget reopened empty and the answer was gone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Desk, _free_port

pytestmark = pytest.mark.slow
QUESTION = "Где выплата по отчёту 4518820?"
ANSWER = "Выплата по отчёту 4518820 ушла сегодня в 10:40, банк зачислит её до вечера."


@pytest.fixture
def shop(desk: Desk) -> Iterator[str]:
    """A shop's page on another origin with the widget's one tag."""
    page = (f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Магазин</title></head>'
            f'<body><h1>Магазин «Северная лавка»</h1><script src="{desk.base}/widget.js" data-otklik async>'
            f"</script></body></html>").encode()  # fmt: skip

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture
def one_second_window(desk: Desk) -> Iterator[None]:
    """The web chat closes one second after the customer went quiet (restored afterwards)."""
    path = f"{desk.base}/api/v1/settings/channels/webchat"
    before = httpx.get(path, headers=desk.headers).json()["inactivity_close_seconds"]
    assert httpx.put(path, json={"inactivity_close_seconds": 1}, headers=desk.headers).status_code == 200
    yield
    httpx.put(path, json={"inactivity_close_seconds": before}, headers=desk.headers)


def said(page: Any) -> list[str]:
    """The texts of the conversation in the widget, in order (each message's text, without its line of meta)."""
    return list(page.locator(".otk-msg").evaluate_all("nodes => nodes.map(n => n.firstChild.textContent)"))


def until(check: Any, what: str, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.usefixtures("one_second_window")
def test_a_chat_that_closed_itself_comes_back_with_its_answer(browser: Any, desk: Desk, shop: str) -> None:
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(shop)
    page.click(".otk-launcher")
    page.fill(".otk-input", QUESTION)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/public/chat/messages")) as sent:
        page.click(".otk-send")
    ticket_id = sent.value.json()["ticket_id"]
    api = f"{desk.base}/api/v1/tickets/{ticket_id}"
    answered = httpx.post(f"{api}/replies", json={"text": ANSWER}, headers=desk.headers)
    assert answered.status_code == 201, answered.text
    page.locator(".otk-msg", has_text=ANSWER).wait_for()
    assert httpx.post(f"{api}/solve", json={}, headers=desk.headers).status_code == 200
    page.close()  # the customer leaves; the worker closes the chat a second later
    until(lambda: httpx.get(api, headers=desk.headers).json()["status"] == "closed", "the chat to close by itself")

    again = context.new_page()  # the same browser (the visitor's token is in its storage)
    again.goto(shop)
    again.click(".otk-launcher")
    again.locator(".otk-msg", has_text=ANSWER).wait_for()
    assert said(again) == [QUESTION, ANSWER]
    assert again.locator(".otk-state").inner_text() == "Разговор завершён. Напишите, если нужна помощь."

    again.fill(".otk-input", "И ещё вопрос про возврат")
    with again.expect_response(lambda r: r.url.endswith("/api/v1/public/chat/messages")) as second:
        again.click(".otk-send")
    assert second.value.json()["ticket_id"] != ticket_id  # a closed conversation is not reopened
    # the earlier answer stays in view above the new word, which starts a conversation of its own
    until(lambda: said(again) == [QUESTION, ANSWER, "И ещё вопрос про возврат"], "the new word under the old")
    until(lambda: again.locator(".otk-state").inner_text() == "", "the closed line to go")
    again.reload()
    again.click(".otk-launcher")
    until(lambda: said(again) == ["И ещё вопрос про возврат"], "the current conversation after a reload")
    context.close()
