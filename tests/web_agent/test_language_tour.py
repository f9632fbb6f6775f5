"""A tour of every page in one language finds none of the other's words (issue 12).

Each tour seeds its data in the language it tours (people, teams, subjects, messages, articles), so
whatever is left of the other language on a page came from the desk itself, not from the data; then it
walks every GET page route the app serves (read from its route table, so a new page cannot escape),
in the states that show the most words: SLA clocks running and breached, a promise, a public reply
waiting to be posted, a bot's hand-off, the reply checker's flags, an escalation, a survey, search
results, empty queues and error pages.

The English tour finds no Cyrillic letter; the Russian tour no Latin word outside ``RU_ALLOWED``.
Visible text is the text outside ``script``/``style`` plus the attributes a person reads or hears
(``title``, ``placeholder``, ``aria-label``, ``alt``, a button's ``value``). An element marked
``lang`` in the other language is that language on purpose (the «English» / «Русский» switch).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from otklik.agents.actions import do_create_agent, do_create_token, do_notify
from otklik.agents.models import Agent
from otklik.bot.tasks import use_triager
from otklik.bot.triage_link import TriageView
from otklik.channels.base import InboundMessage
from otklik.core import clock, jobs
from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.core.taxonomy import Category, Channel, IdentityKind, Urgency
from otklik.customers.actions import do_add_identity, do_create_customer, do_create_organisation
from otklik.customers.models import Customer, Organisation
from otklik.customers.portal import do_create_portal_link
from otklik.kb.actions import check_article, do_create_article
from otklik.kb.canned import CANNED
from otklik.messages.actions import do_promise, do_receive_inbound, do_reply
from otklik.quality.actions import do_set_policy
from otklik.tickets.actions import do_assign, do_customer_verdict, do_propose_solution, do_triage
from otklik.tickets.models import Ticket
from otklik.tickets.portal import portal_link_token
from otklik.triage.settings import get_triage_settings
from otklik.web.browser import LANG_COOKIE
from otklik.worker import registry
from tests.web_agent.conftest import FAST_HASH, PASSWORD, SECRET, csrf_of

registry.load()
TESTS = Actor.system("tests")
CYRILLIC = re.compile(r"[А-Яа-яЁё]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
#: not words of a language, whatever the page's: e-mail addresses, links, identifiers (``wv_…`` visitor
#: ids, ``OTKLIK_SMTP_URL``), a canned reply's ``{variables}`` and skills as typed (``shipping:2``)
NOT_WORDS = re.compile(
    r"\S+@\S+|https?://\S*|\b[a-z]+_[a-z0-9_]+\b|\b[A-Z][A-Z0-9_]{2,}\b|\{\{?\s*[a-z_]+\s*\}\}?|\b[a-z_]+:\d\b"
)
#: Latin words the Russian pages may show: names that have no Russian form, each with its reason
RU_ALLOWED = {
    "Otklik",  # the product's name
    "Telegram", "WhatsApp", "Viber", "VK",  # channels go by their brand names in Russian too
    "SLA", "FBO", "FBS", "API",  # trade abbreviations Russian marketplace sellers use as they are
    "e-mail", "E-mail",  # the usual Russian spelling of «электронная почта» on forms
    "CSV", "JSON",  # file formats go by their names (the dashboard's downloads)
}  # fmt: skip
#: the elements a person reads as attribute text
SPOKEN = ("title", "placeholder", "aria-label", "alt")
#: key caps and identifiers: their letters are the keyboard's or the program's, not a language
SYMBOLS = {"kbd", "code", "samp"}
HIDDEN = {"script", "style", "template"}
BUTTONS = {"submit", "button", "reset"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: GET routes that are not pages a person reads in one language: assets, the API's own documents
NOT_PAGES = {
    "/openapi.json",  # the API's machine-readable description
    "/docs",  # the API reference (Swagger UI) for developers, not the desk's UI
    "/healthz",  # a probe's JSON
    "/widget.js", "/static/{name}", "/static/ui/{name}", "/portal/static/portal.css",  # scripts and styles
    # the dashboard's tables as files: their column names are identifiers (tests/web_agent/test_analytics_page.py)
    "/agent/analytics/health.csv", "/agent/analytics/health.json", "/agent/analytics/outlook.json",
    "/agent/analytics/{name}.csv",
}  # fmt: skip


# --- what a page says ---------------------------------------------------------------------------


class Visible(HTMLParser):
    """The text a person sees or hears on a page, minus what is marked as the other language."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, hidden or other language, symbols)
        self.words: list[str] = []
        self.symbols: list[str] = []

    def _skipping(self) -> bool:
        return any(hidden for _, hidden, _ in self.stack)

    def _in_symbols(self) -> bool:
        return any(symbols for _, _, symbols in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        other = values.get("lang") not in (None, self.lang) and tag != "html"
        if not self._skipping() and not other:
            self.words.extend(v for k, v in attrs if k in SPOKEN and v)
            if tag in {"input", "button"} and values.get("type") in BUTTONS and values.get("value"):
                self.words.append(values["value"] or "")
        if tag not in VOID:
            self.stack.append((tag, tag in HIDDEN or other, tag in SYMBOLS))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._skipping():
            (self.symbols if self._in_symbols() else self.words).append(data)


def visible_text(html: str, lang: str) -> tuple[str, str]:
    """(words, key caps and identifiers) of ``html`` as a ``lang`` reader meets them."""
    parser = Visible(lang)
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.words).split()), " ".join(parser.symbols)


def foreign(text: str, symbols: str, lang: str) -> list[str]:
    """The other language's words in ``text``: any Cyrillic on an English page; on a Russian one, Latin
    words that are not names, addresses or identifiers."""
    if lang == "en":
        return CYRILLIC.findall(f"{text} {symbols}")
    return [w for w in LATIN_WORD.findall(NOT_WORDS.sub(" ", text)) if w not in RU_ALLOWED]


def around(text: str, word: str) -> str:
    at = text.find(word)
    return text[max(0, at - 60) : at + len(word) + 100]


# --- the data, in the tour's language -----------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """Everything the seeded data says, in one language (e-mail addresses are data in any language)."""

    admin: str
    lead: str
    agent: str
    team: str
    buyer: str
    seller: str
    #: one customer per e-mail case (a customer's new mail joins their open case)
    others: tuple[str, str, str]
    company: str
    late: str
    held: str
    promise: str
    solved: str
    closed: str
    reply: str
    post: str
    bot: str
    urgent: str
    company_case: str
    form_text: str
    subject: str
    transfer: str
    cliche: str
    article_title: str
    article_body: str
    searched: str
    #: a search that finds nothing
    nothing: str


WORDS = {
    "en": Words(
        admin="Olivia Adams",
        lead="Boris Lee",
        agent="Mary Stone",
        team="Warehouse",
        buyer="Anne Baker",
        seller="Sarah Miller",
        others=("Henry Ford", "Sophie Clark", "Peter Hall"),
        company="Daisy Goods",
        late="My order 4512 was paid but never came",
        held="The refund for order 7781 has not arrived",
        promise="I am asking the bank and will write back",
        solved="How do I change the photo of my product card?",
        closed="The courier did not bring parcel 9921",
        reply="Mary checked the slot: booking 27318456 is there, gate 3 will take the truck before 11:30.",
        post="Three weeks without an answer from this shop!",
        bot="Hello, where can I see my report for May?",
        urgent="I am standing at the warehouse and they will not take my supply",
        company_case="Our supply 3310 is stuck at the warehouse",
        form_text="Please call me back about invoice 55",
        subject="Payment question",
        transfer="She handles refunds for this shop",
        cliche="We apologize for any inconvenience, we will try to look into it",
        article_title="How long an order waits at the pickup point",
        article_body="An order waits at the pickup point for five days, then goes back to the seller.",
        searched="refund",
        nothing="marmalade",
    ),
    "ru": Words(
        admin="Ольга Админова",
        lead="Борис Лидов",
        agent="Марина Складова",
        team="Склад",
        buyer="Анна Покупателева",
        seller="Светлана Продавцова",
        others=("Иван Петров", "Софья Кларк", "Пётр Складской"),
        company="Ромашка",
        late="Оплатила заказ 4512, а товара нет",
        held="Возврат по заказу 7781 так и не пришёл",
        promise="Уточняю в банке и напишу вам",
        solved="Как поменять фото в карточке товара?",
        closed="Курьер не привёз посылку 9921",
        reply="Марина проверила слот: бронь 27318456 есть, ворота 3 примут машину до 11:30.",
        post="Третью неделю нет ответа от магазина!",
        bot="Здравствуйте, где посмотреть отчёт за май?",
        urgent="Стою на складе, поставку не принимают",
        company_case="Наша поставка 3310 застряла на складе",
        form_text="Перезвоните мне по счёту 55",
        subject="Вопрос об оплате",
        transfer="Она ведёт возвраты этого магазина",
        cliche="Мы понимаем ваше негодование, постараемся разобраться",
        article_title="Сколько заказ хранится в пункте выдачи",
        article_body="Заказ хранится в пункте выдачи пять дней, потом возвращается продавцу.",
        searched="возврат",
        nothing="мармелад",
    ),
}


def tour_triage(text: str) -> TriageView:
    """The tour's own triage (the real model reads Russian): urgent when someone stands at a warehouse."""
    urgent = any(w in text.lower() for w in ("warehouse and", "стою на складе"))
    return TriageView("shipping", "urgent" if urgent else "normal", 0.9, "test")


@pytest.fixture
def quiet_triage(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Routing and the bot run for real; only the triage model is replaced (as in tests/bot)."""
    monkeypatch.setenv("OTKLIK_TRIAGE_ENABLED", "false")
    monkeypatch.setenv("OTKLIK_PUBLIC_BASE_URL", "https://desk.example")  # where the portal's sign-in links point
    get_settings.cache_clear()
    get_triage_settings.cache_clear()
    use_triager(tour_triage)
    yield
    use_triager(None)
    get_settings.cache_clear()
    get_triage_settings.cache_clear()


@dataclass
class World:
    """The seeded ids the tour fills path parameters with."""

    admin: Agent
    agent: Agent
    company: Organisation
    #: ticket name → (ticket id, its customer)
    tickets: dict[str, tuple[int, Customer | None]] = field(default_factory=dict)
    article_id: int = 0
    token: str = ""

    def id(self, name: str) -> int:
        return self.tickets[name][0]


def _inbound(db: Session, channel: Channel, kind: IdentityKind, sender: str, text: str, **extra: Any) -> Ticket:
    message = InboundMessage(
        channel=channel, external_id=f"{sender}-{len(text)}-{text[:8]}", sender_kind=kind, sender_value=sender,
        text=text, **extra,
    )  # fmt: skip
    ticket = do_receive_inbound(db, message).ticket
    db.commit()
    return ticket


def seed(db: Session, run: Callable[[], int], words: Words, lang: str, frozen: clock.FrozenClock) -> World:
    """People, a company and tickets in every state whose page says something extra."""

    def agent(email: str, name: str, role: str) -> Agent:
        made = do_create_agent(db, email=email, name=name, role=role, teams=[words.team, "FBO"], actor=TESTS,
                               skills={"shipping": 2, "finance": 2})  # fmt: skip
        made.password_hash = FAST_HASH
        return made

    admin = agent("olivia@desk.test", words.admin, "admin")
    agent("boris@desk.test", words.lead, "lead")
    mary = agent("mary@desk.test", words.agent, "agent")
    world = World(admin, mary, do_create_organisation(db, name=words.company, sla_tier="standard", actor=TESTS))
    draft = check_article(words.article_title, words.article_body, Category.ORDERS.value, lang)
    world.article_id = do_create_article(db, draft, actor=TESTS, author_agent_id=admin.id).id
    world.token = do_create_token(db, admin, actor=TESTS)
    db.commit()

    def by_mail(name: str, who: str, text: str, **extra: Any) -> Ticket:
        """A customer of their own (``extra``: their company) writes one e-mail."""
        customer = do_create_customer(db, name=who, actor=TESTS, lang=lang, **extra)
        email = f"{name}@mail.example"
        do_add_identity(db, customer, kind=IdentityKind.EMAIL, value=email, verified=True, actor=TESTS)
        ticket = _inbound(db, Channel.EMAIL, IdentityKind.EMAIL, email, text, subject=words.subject)
        world.tickets[name] = (ticket.id, customer)
        return ticket

    def chat(name: str, sender: str, text: str) -> Ticket:
        ticket = _inbound(db, Channel.TELEGRAM, IdentityKind.TELEGRAM, sender, text)
        world.tickets[name] = (ticket.id, None)
        return ticket

    # a case nobody answered for hours: breached clocks, the customer is offered a lead
    by_mail("late", words.buyer, words.late)
    run()  # routing names an owner, with its reasons
    frozen.advance(timedelta(hours=7))
    held = by_mail("held", words.others[0], words.held)
    solved = by_mail("solved", words.others[1], words.solved)
    closed = by_mail("closed", words.others[2], words.closed, organisation=world.company)
    by_mail("company", words.seller, words.company_case, organisation=world.company, is_org_admin=True)
    post = InboundMessage(
        channel=Channel.PUBLIC, external_id="https://reviews.example/p/5", sender_kind=IdentityKind.PUBLIC_HANDLE,
        sender_value="angry_buyer", text=words.post, url="https://reviews.example/p/5",
    )  # fmt: skip
    public = do_receive_inbound(db, post).ticket
    world.tickets["public"] = (public.id, None)
    bot = chat("chat", "tg_4471", words.bot)
    urgent = chat("urgent", "tg_5512", words.urgent)
    db.commit()
    run()  # routing, and the bot: it has no article for these, so it hands them to a person
    for ticket in (held, solved, closed, public, bot, urgent):
        db.refresh(ticket)
        if ticket.assignee_id != admin.id:
            ticket.assignee_id = None
            do_assign(db, ticket, admin, actor=TESTS, reason="assigned")
    do_triage(db, urgent, category=Category.SHIPPING, urgency=Urgency.URGENT, owner=None, actor=TESTS)
    do_promise(db, held, agent=admin, text=words.promise, until=clock.now() + timedelta(minutes=40))
    for ticket in (solved, closed):
        do_reply(db, ticket, agent=admin, text=words.reply, public=True)
        do_propose_solution(db, ticket, actor=TESTS)
    do_customer_verdict(db, closed, solved=True, actor=TESTS)
    do_reply(db, public, agent=admin, text=words.reply, public=True)  # waits to be posted by hand
    do_reply(db, bot, agent=admin, text=words.transfer, public=False)
    do_set_policy(db, Channel.TELEGRAM, {"cliche": "block"}, actor=TESTS)
    do_notify(db, [admin.id], kind="follow_up_due", ticket_id=world.id("held"), params={"promise": words.promise})
    db.commit()
    run()  # due timers: warnings, escalation clocks
    return world


# --- the tour -----------------------------------------------------------------------------------


@dataclass
class Tour:
    """A browser that reads every page it opens and notes the other language's words."""

    client: TestClient
    lang: str
    leaks: list[str] = field(default_factory=list)
    #: the notifications' texts (the API's, read by the agent's apps): worded by ``otklik.core.i18n``
    notification_leaks: list[str] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)

    def read(self, answer: httpx.Response, what: str) -> httpx.Response:
        self.visited.add(urlsplit(str(answer.request.url)).path)
        kind = answer.headers.get("content-type", "")
        if "html" in kind:
            if "<html" in answer.text and f'<html lang="{self.lang}">' not in answer.text:
                self.leaks.append(f"{what} [{answer.status_code}]: the page is not in {self.lang!r}")
            text, symbols = visible_text(answer.text, self.lang)
        elif "json" in kind or "event-stream" in kind:
            text, symbols = " ".join(_strings(answer.text)), ""
        else:
            return answer
        found = list(dict.fromkeys(foreign(text, symbols, self.lang)))
        if found:
            leaks = self.notification_leaks if what.startswith("GET /api/") else self.leaks
            leaks.append(f"{what} [{answer.status_code}]: {found} in «{around(text, found[0])}»")
        return answer

    def get(self, url: str, status: int | None = 200, **kwargs: Any) -> httpx.Response:
        answer = self.read(self.client.get(url, **kwargs), f"GET {url}")
        if status is not None:
            assert answer.status_code == status, f"{url}: {answer.status_code} {answer.text[:300]}"
        return answer

    def post(self, url: str, data: dict[str, str], status: int | None = None) -> httpx.Response:
        answer = self.read(self.client.post(url, data=data, follow_redirects=False), f"POST {url}")
        if status is not None:
            assert answer.status_code == status, f"{url}: {answer.status_code} {answer.text[:300]}"
        return answer


def _strings(body: str) -> list[str]:
    """The words a JSON body or an event stream carries (its keys are the program's)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in {"kind", "state", "status", "code", "type", "channel", "params", "created_at", "read_at"}:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for line in body.splitlines() or [body]:
        raw = line.removeprefix("data: ") if line.startswith("data: ") else line
        try:
            walk(json.loads(raw))
        except ValueError:
            continue
    return found


def page_routes(client: TestClient) -> dict[str, re.Pattern[str]]:
    """Every GET route of the app that renders something a person reads, by its path template."""
    routes = {}
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        path = route.path
        if not path or "GET" not in (route.methods or set()) or path.startswith("/api/") or path in NOT_PAGES:
            continue
        routes[path] = route.path_regex
    return routes


def agent_tour(tour: Tour, world: World, words: Words) -> None:
    client, lang = tour.client, tour.lang
    tour.get(f"/ui/lang/{lang}?next=/agent/login", status=None, follow_redirects=False)
    login = tour.get("/agent/login")
    token = csrf_of(login.text)
    wrong = {"csrf_token": token, "email": world.admin.email, "password": "not it"}
    tour.post("/agent/login", wrong, status=401)
    tour.post("/agent/login", {**wrong, "password": PASSWORD}, status=303)
    tour.get("/agent", status=303, follow_redirects=False)
    csrf = csrf_of(tour.get("/agent/queues/mine").text)
    from otklik.web.agent.views import QUEUES

    for queue in QUEUES:
        tour.get(f"/agent/queues/{queue.code}")
        tour.get(f"/agent/queues/{queue.code}?rows=1")
    tour.get("/agent/search")
    tour.get("/agent/search", params={"q": words.searched})
    tour.get("/agent/search", params={"q": words.late.split()[-1]})
    tour.get("/agent/search", params={"q": words.nothing})
    canned = next(c.id for c in CANNED if c.lang == lang)
    for name, (ticket_id, _) in world.tickets.items():
        base = f"/agent/tickets/{ticket_id}"
        tour.get(base)
        tour.get(f"{base}/timeline")
        tour.get(f"{base}/panel")
        tour.get(f"{base}/canned", params={"reply": canned})
        if name in {"chat", "urgent"}:  # a blocking policy on Telegram: the checker's flags, then the refusal
            tour.post(f"{base}/check", {"csrf_token": csrf, "text": words.cliche, "mode": "public"}, status=200)
            draft = {"csrf_token": csrf, "text": words.cliche, "mode": "public", "seen_inbound": "999999999"}
            tour.post(f"{base}/reply", draft, status=422)
    late = f"/agent/tickets/{world.id('late')}"
    tour.post(f"{late}/solve", {"csrf_token": csrf}, status=409)  # nobody answered yet: refused, in words
    tour.post(f"{late}/transfer", {"csrf_token": csrf, "agent_id": str(world.agent.id), "reason": words.transfer},
              status=303)  # fmt: skip
    tour.get(late)  # the transfer explained
    tour.get(f"{late}/events?after=0")  # the live stream's words (delivery states, presence)
    tour.get("/agent/tickets/999999999", status=404)
    tour.get("/agent/no-such-page", status=404)
    for page in ("channels", "agents", "teams", "sla", "kb", f"kb/{world.article_id}"):
        tour.get(f"/admin/{page}")
    for by in ("channel", "team", "agent", "category"):
        tour.get("/agent/analytics", params={"by": by})
    tour.get("/agent/analytics", params={"period": "2026-13"}, status=422)
    tour.get("/admin", status=303, follow_redirects=False)
    tour.get("/admin/kb/999999999", status=404)
    tour.post("/admin/teams", {"csrf_token": csrf, "name": ""}, status=422)
    tour.get("/api/v1/notifications", headers={"Authorization": f"Bearer {world.token}", "Accept-Language": lang})
    tour.post("/agent/logout", {"csrf_token": csrf}, status=303)
    tour.post("/agent/login", {"csrf_token": csrf_of(tour.get("/agent/login").text), "email": world.agent.email,
                               "password": PASSWORD}, status=303)  # fmt: skip
    tour.get("/admin/channels", status=403)  # not an admin: refused as a page
    del client


def portal_tour(tour: Tour, db: Session, world: World) -> None:
    client = tour.client
    client.cookies.clear()
    tour.get(f"/ui/lang/{tour.lang}?next=/portal/login", status=None, follow_redirects=False)
    login = tour.get("/portal/login")
    tour.post("/portal/login", {"csrf_token": csrf_of(login.text), "email": "not an address"}, status=422)
    tour.post("/portal/login", {"csrf_token": csrf_of(login.text), "email": "late@mail.example"}, status=200)
    tour.get("/portal/in/forged-token", status=410)
    for name in ("late", "held", "solved", "closed", "company"):
        ticket_id, who = world.tickets[name]
        assert who is not None
        link = do_create_portal_link(
            db, who, channel=Channel.EMAIL.value, recipient="x", base_url="https://desk.example", actor=TESTS,
            at=clock.now(), minutes=30,
        )  # fmt: skip
        db.commit()
        token = portal_link_token(SECRET.encode(), link)
        enter = tour.get(f"/portal/in/{token}")
        tour.post(f"/portal/in/{token}", {"csrf_token": csrf_of(enter.text)}, status=303)
        csrf = csrf_of(tour.get("/portal").text)
        page = f"/portal/tickets/{ticket_id}"
        tour.get(page)
        match name:
            case "late":
                tour.post(f"{page}/escalate", {"csrf_token": csrf}, status=303)
                tour.get(page)  # the lead's name and by when
                tour.get(f"/portal/tickets/{world.id('company')}", status=404)  # another's: not found, in words
                tour.get("/portal/tickets/999999999", status=404)
                tour.get("/portal/no-such-page", status=404)
                tour.post(f"{page}/verdict", {"csrf_token": "forged"}, status=403)
            case "held":
                for done in ("solved", "reopened", "survey", "escalated"):
                    tour.get(page, params={"done": done})
            case "closed":
                tour.post(f"{page}/survey", {"csrf_token": csrf, "rating": "x"}, status=422)
            case "company":
                tour.get("/portal", params={"scope": "company"})
                tour.get(f"/portal/tickets/{world.id('closed')}")  # a colleague's case


def public_tour(tour: Tour, lang: str, words: Words) -> None:
    tour.get("/form")
    bad = {"lang": lang, "name": words.buyer, "email": "not an address", "text": ""}
    tour.post("/form", bad, status=422)
    sent = tour.post("/form", {**bad, "email": "anne@mail.example", "text": words.form_text}, status=303)
    follow = sent.headers["location"]
    tour.get(follow)
    tour.get(follow.split("?")[0])
    tour.get("/t/forged-token", status=404)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_tour_of_every_page_finds_none_of_the_other_language(
    lang: str,
    client: TestClient,
    db: Session,
    session_factory: sessionmaker[Session],
    frozen_clock: clock.FrozenClock,
    quiet_triage: None,
) -> None:
    def run() -> int:
        with session_factory() as session, session.begin():
            jobs.ensure_periodic(session)
        return jobs.run_due(session_factory, worker="test")

    words = WORDS[lang]
    world = seed(db, run, words, lang, frozen_clock)
    client.headers["Accept-Language"] = lang
    tour = Tour(client, lang)
    agent_tour(tour, world, words)
    assert client.cookies.get(LANG_COOKIE) == lang
    portal_tour(tour, db, world)
    public_tour(tour, lang, words)

    missed = sorted(p for p, pattern in page_routes(client).items() if not any(pattern.match(v) for v in tour.visited))
    assert not missed, f"pages the tour never opened (add them to the tour): {missed}"
    assert not tour.leaks, f"{len(tour.leaks)} pages with the other language's words:\n" + "\n".join(tour.leaks)
    assert not tour.notification_leaks, "\n".join(tour.notification_leaks)


def test_the_reader_sees_what_is_marked_and_skips_what_is_not_text() -> None:
    page = (
        '<html lang="en"><head><title>Queue</title><style>.a{}</style><script>var x="Привет"</script></head>'
        '<body><a lang="ru" href="/ui/lang/ru">Русский</a><input placeholder="Поиск"><kbd>Ctrl</kbd>'
        '<button title="Закрыть">x</button><p>Owner: Otklik</p></body></html>'
    )
    text, symbols = visible_text(page, "en")
    assert text == "Queue Поиск Закрыть x Owner: Otklik"
    assert symbols == "Ctrl"
    assert foreign(text, symbols, "en") == ["Поиск", "Закрыть"]
    assert foreign("Ответ в Telegram, пишите на anne@mail.example или OTKLIK_SMTP_URL", "Esc", "ru") == []
    assert foreign("Владелец: nobody yet", "", "ru") == ["nobody", "yet"]
