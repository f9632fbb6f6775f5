"""The everyday traffic of the demo's last four weeks, around the stories: many short cases, made
from ``now`` by a fixed recipe (the same ``now`` gives the same cases), played through the same
actions as the stories. It gives the support-health dashboard the shape of Story 6
(docs/stories.md), as a head of support sees it on a Monday morning:

* Telegram, e-mail and the web chat resolve most of what comes in and are rated well; VK resolves
  about one case in five, sits left of the 30 % line and is rated 1–2;
* public complaints grow 3 → 4 → 5 → 7 a week (the last +40 %) and get answered within the hour,
  while last week's private requests waited about two days for a first answer (the parity alert);
* WhatsApp opened a week ago: 44 chats between 10:00 and 14:00, an hour of work each, answered
  hours late, more coming in than going out — the backlog outgrows the 72-hour target on the fourth
  day, and Erlang C asks for four agents at midday where one (Никита, on shift 10–18) works it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random

from otklik.core.taxonomy import Category, Channel, IdentityKind, Urgency
from otklik.demo.spec import (
    AutoClose,
    CustomerSpec,
    IdentitySpec,
    Reply,
    Say,
    Solve,
    Step,
    Survey,
    TicketSpec,
    Triage,
    Verdict,
)
from otklik.demo.timeline import MSK, ticket_start

SEED = 6
Steps = tuple[Step, ...]
Tickets = tuple[TicketSpec, ...]
DAY = 24 * 60
#: about two days for a first answer: last week's private requests
SLOW = 2 * DAY
NAMES = (
    "Алексей К.", "Ольга С.", "Дмитрий П.", "Елена В.", "Сергей Н.", "Анна Л.", "Максим Г.", "Ирина Т.",
    "Павел Р.", "Наталья Б.", "Андрей Ф.", "Юлия М.", "Роман Д.", "Светлана Е.", "Игорь Ж.", "Мария З.",
)  # fmt: skip
ASKS = {
    Category.SHIPPING: (
        "Поставка не принята на склад, в кабинете статус «Ожидает приёмки» уже третий день",
        "Не могу выбрать склад для поставки: все слоты на неделю заняты",
        "Курьер не забрал отправление FBS, а срок сборки заканчивается",
    ),
    Category.FINANCE: (
        "Не пришла выплата за прошлую неделю, в отчёте сумма есть",
        "В отчёте удержание за хранение, хотя товара на складе не было",
    ),
    Category.PRODUCT_CARDS: (
        "Карточка товара не проходит модерацию, причина не указана",
        "Пропали фотографии в карточке после обновления",
    ),
    Category.ORDERS: (
        "Заказ показан как доставленный, но я его не получала",
        "Где мой заказ? Срок доставки прошёл два дня назад",
    ),
    Category.RETURNS: (
        "Вернула товар неделю назад, деньги так и не пришли",
        "Пришёл не тот размер, как оформить обмен?",
    ),
}
ANSWERS = {
    Category.SHIPPING: "Проверил поставку: приёмка задержалась из-за очереди на складе, сегодня её примут. "
    "Если к вечеру статус не сменится, напишите — передам начальнику смены склада.",
    Category.FINANCE: "Проверила начисления: выплата ушла в банк вчера, номер платёжки в разделе «Финансы». "
    "Удержание за хранение пересчитали, разница вернётся в следующем отчёте.",
    Category.PRODUCT_CARDS: "Карточка остановилась на проверке фото: на первом кадре текст поверх товара. "
    "Замените фото — модерация пройдёт за час, я прослежу.",
    Category.ORDERS: "Заказ лежит в пункте выдачи на Лесной, 12: курьер ошибся со статусом. "
    "Продлила хранение на 5 дней, код получения прежний.",
    Category.RETURNS: "Возврат принят складом, деньги отправлены на карту сегодня: банк зачислит их за 1–3 дня. "
    "Обмен оформила, новый размер привезут завтра.",
}
PUBLIC_ASKS = (
    "Третью неделю не могу получить деньги за возврат, в поддержке молчат. Это нормально?",
    "Магазин продал подделку, поддержка отвечает шаблонами. Не покупайте здесь",
    "Заказ потерян, никто не может сказать, где он. Позор",
)
PUBLIC_ANSWER = (
    "Здравствуйте, это Алина из поддержки. Нашла ваш заказ и написала вам в личные сообщения: "
    "там номер обращения и срок, к которому вернусь с ответом."
)
#: (channel, identity, category, owner) of each lane of private traffic
LANES = {
    Channel.TELEGRAM: (IdentityKind.TELEGRAM, Category.SHIPPING, "marina"),
    Channel.EMAIL: (IdentityKind.EMAIL, Category.FINANCE, "irina"),
    Channel.WEBCHAT: (IdentityKind.WEB, Category.ORDERS, "alina"),
    Channel.VK: (IdentityKind.VK, Category.RETURNS, "alina"),
    Channel.WHATSAPP: (IdentityKind.WHATSAPP, Category.ORDERS, "nikita"),
}


@dataclass(frozen=True, slots=True)
class Case:
    """One case of the recipe: when it starts, and what happens after, in minutes."""

    channel: Channel
    start: datetime
    reply: int | None = None
    solve: int | None = None
    confirm: int | None = None
    auto_close: int | None = None
    rating: int | None = None


@dataclass
class Traffic:
    now: datetime
    random: Random = field(default_factory=lambda: Random(SEED))  # noqa: S311  (a recipe, not a secret)
    customers: list[CustomerSpec] = field(default_factory=list)
    tickets: list[TicketSpec] = field(default_factory=list)

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        local = self.now.astimezone(MSK).replace(hour=hour, minute=minute, second=0, microsecond=0)
        return local - timedelta(days=days_ago)

    def add(self, case: Case) -> None:
        number = len(self.tickets) + 1
        via, category, owner = LANES.get(case.channel, (IdentityKind.PUBLIC_HANDLE, Category.ORDERS, "alina"))
        key = f"everyday_{number:03d}"
        self.customers.append(
            CustomerSpec(
                key, self.random.choice(NAMES), (IdentitySpec(via, _address(via, number)),), first_contact=True
            )
        )
        public = case.channel is Channel.PUBLIC
        ask = self.random.choice(PUBLIC_ASKS if public else ASKS[category])
        steps: list[Step] = [Say(0, ask)]
        if case.reply is not None:
            steps += [Triage(case.reply - 1, owner, category, Urgency.NORMAL),
                      Reply(case.reply, owner, PUBLIC_ANSWER if public else ANSWERS[category])]  # fmt: skip
        if case.solve is not None:
            steps.append(Solve(case.solve, owner))
        if case.confirm is not None:
            steps.append(Verdict(case.confirm, solved=True))
        if case.auto_close is not None:
            steps.append(AutoClose(case.auto_close))
        closed = case.confirm or case.auto_close
        if closed is not None and case.rating is not None:
            steps.append(Survey(closed + 5, solved=case.rating >= 3, rating=case.rating))
        if max(step.after for step in steps) > (self.now - case.start).total_seconds() / 60 - 1:
            raise ValueError(f"demo traffic {key}: its story runs into the future")
        self.tickets.append(_spec(key, case.channel, via, case.start, self.now, tuple(steps)))

    def minutes(self, low: int, high: int) -> int:
        return self.random.randint(low, high)


def _address(kind: IdentityKind, number: int) -> str:
    match kind:
        case IdentityKind.TELEGRAM:
            return f"@demo_seller_{number:03d}"
        case IdentityKind.EMAIL:
            return f"seller{number:03d}@mail.example"
        case IdentityKind.VK:
            return f"id900{number:04d}"
        case IdentityKind.WHATSAPP:
            return f"+7 900 000-{70 + number // 100:02d}-{number % 100:02d}"
        case IdentityKind.WEB:
            return f"wv_demo_visitor_{number:03d}"
        case _:
            return f"otzovik.example/u/demo{number:03d}"


def _spec(
    key: str, channel: Channel, via: IdentityKind, start: datetime, now: datetime, steps: tuple[Step, ...]
) -> TicketSpec:
    """A case as the loader reads it: ``day`` days ago at ``time`` (Moscow), or ``ago`` minutes today."""
    local, today = start.astimezone(MSK), now.astimezone(MSK).date()
    days = (today - local.date()).days
    if days == 0:
        return TicketSpec(key, key, channel, via, steps, ago=max(1, int((now - start).total_seconds() // 60)))
    return TicketSpec(key, key, channel, via, steps, day=days, time=f"{local:%H:%M}")


def _private_weeks(t: Traffic, channel: Channel, count: int, resolved: int, ratings: tuple[int, ...]) -> Iterator[Case]:
    """``count`` cases 8–27 days ago, answered within hours, the first ``resolved`` confirmed."""
    chat = channel is Channel.WEBCHAT
    for n in range(count):
        start = t.at(8 + (n * 19) // max(1, count - 1), 9 + n % 9, t.minutes(0, 59))
        reply = t.minutes(2, 9) if chat else t.minutes(20, 240)
        if n >= resolved:
            yield Case(channel, start, reply=reply)
            continue
        rating = ratings[n] if n < len(ratings) else None
        solve = reply + t.minutes(10, 120)
        if chat:
            yield Case(channel, start, reply=reply, solve=solve, auto_close=solve + 30, rating=rating)
        else:
            yield Case(channel, start, reply=reply, solve=solve, confirm=solve + t.minutes(30, 600), rating=rating)


def _last_week(t: Traffic, channel: Channel, count: int, resolved: int) -> Iterator[Case]:
    """``count`` private cases 3–6 days ago that waited about two days for a first answer."""
    for n in range(count):
        start = t.at(3 + n % 4, 10 + n % 7, t.minutes(0, 59))
        reply = SLOW + t.minutes(-120, 120)
        if n < resolved:
            yield Case(channel, start, reply=reply, solve=reply + t.minutes(30, 90))
        else:
            yield Case(channel, start, reply=reply)


def _vk(t: Traffic) -> Iterator[Case]:
    """Fifteen VK messages over four weeks: three resolved (rated 2, 1, 2), the rest answered late or not."""
    for n in range(15):
        start = t.at(2 + (n * 25) // 14, 11 + n % 8, t.minutes(0, 59))
        age = int((t.now - start).total_seconds() // 60)
        if n in (3, 7, 11):
            reply = DAY + t.minutes(0, 600)
            yield Case(Channel.VK, start, reply=reply, solve=reply + 120, confirm=reply + 600, rating=(2, 1, 2)[n // 4])
        elif n % 2 and age > SLOW + 180:
            yield Case(Channel.VK, start, reply=SLOW + t.minutes(0, 120))
        else:
            yield Case(Channel.VK, start)


def _public(t: Traffic, stories: Counter[int]) -> Iterator[Case]:
    """Public complaints per ISO week, the stories' own counted (``stories``: weeks ago → count): 3, 4,
    5, 7 in the four complete weeks, one this week; each answered in public within the hour; every
    other one resolved and rated 2–4, and all but one of last week's."""
    week_start = (t.now - timedelta(days=t.now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    n = 0
    for weeks_ago, count in ((4, 3), (3, 4), (2, 5), (1, 7)):
        for k in range(max(0, count - stories[weeks_ago])):
            start = (
                week_start - timedelta(weeks=weeks_ago) + timedelta(days=k % 7, hours=9 + k, minutes=t.minutes(0, 59))
            )
            reply = t.minutes(15, 45)
            if n % 2 == 0 or weeks_ago == 1:
                yield Case(Channel.PUBLIC, start, reply=reply, solve=reply + 60, confirm=reply + 240,
                           rating=(3, 2, 4, 3, 3, 2, 4, 3, 3, 2)[(n // 2) % 10])  # fmt: skip
            else:
                yield Case(Channel.PUBLIC, start, reply=reply)
            n += 1
    since_monday = (t.now - week_start).total_seconds() / 60
    if since_monday > 5 and not stories[0]:
        yield Case(Channel.PUBLIC, t.now - timedelta(minutes=min(60, since_monday - 2)))


def _whatsapp(t: Traffic) -> Iterator[Case]:
    """A week of WhatsApp: 11 chats a day-hour between 10:00 and 14:00 over the last seven days; each
    answered three to five hours later and, for the oldest 33, solved an hour after that (20 of them
    confirmed); of the newest 11, five still wait for a first answer."""
    slots = [(hour, n) for hour in (10, 11, 12, 13) for n in range(11)]
    starts = sorted(t.at(1 + k % 7, hour, 5 + (k * 7) % 50) for k, (hour, _) in enumerate(slots))
    for k, start in enumerate(starts):
        reply = t.minutes(180, 300)  # one agent for the whole channel: hours before the first answer
        if k < 33:
            confirm = reply + 80 if k < 20 else None
            yield Case(Channel.WHATSAPP, start, reply=reply, solve=reply + 60, confirm=confirm,
                       rating=4 if confirm else None)  # fmt: skip
        else:
            yield Case(Channel.WHATSAPP, start, reply=reply if k % 2 else None)


def _public_weeks_of(now: datetime, stories: Tickets) -> Counter[int]:
    """How many of the stories' public tickets fall in each ISO week, by weeks before the current one."""
    week_start = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    weeks: Counter[int] = Counter()
    for spec in stories:
        if spec.channel is Channel.PUBLIC:
            start = ticket_start(now, spec)
            weeks[max(0, -((start - week_start) // timedelta(weeks=1)))] += 1
    return weeks


def traffic(
    now: datetime, stories: tuple[TicketSpec, ...] = ()
) -> tuple[tuple[CustomerSpec, ...], tuple[TicketSpec, ...]]:
    """The everyday cases of the four weeks before ``now`` and their customers (one each), around
    the ``stories`` (whose public complaints count in the weekly shape)."""
    t = Traffic(now.replace(second=0, microsecond=0))
    cases = [
        *_private_weeks(t, Channel.TELEGRAM, 18, 16, (5, 5, 4, 5, 4, 5, 5, 4, 4, 5, 5, 4)),
        *_private_weeks(t, Channel.EMAIL, 11, 8, (4, 4, 3, 5, 4, 4, 3, 4)),
        *_private_weeks(t, Channel.WEBCHAT, 14, 12, (5, 5, 4, 5, 5, 4, 5, 5, 4, 5)),
        *_last_week(t, Channel.TELEGRAM, 8, 7),
        *_last_week(t, Channel.EMAIL, 6, 5),
        *_vk(t),
        *_public(t, _public_weeks_of(t.now, stories)),
        *_whatsapp(t),
    ]
    for case in cases:
        t.add(case)
    return tuple(t.customers), tuple(t.tickets)
