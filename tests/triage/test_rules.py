"""Pure triage rules, table-driven: urgent signals (with negation, conditions and the past) and
the outside numbers a message quotes."""

from __future__ import annotations

import pytest

from otklik.triage.rules import extract_references, urgent_signals
from otklik.triage.text import Lemmatizer, prepare

LEMMAS = Lemmatizer()


def signals(text: str) -> list[str]:
    return urgent_signals(prepare(text, LEMMAS).lemmas)


URGENT = [
    ("Стою на складе в Подольске, поставку не принимают", "at_the_place_now"),
    ("мы сейчас на приёмке, сотрудник склада отказывается принимать короба", "at_the_place_now"),
    ("Водитель стоит у ворот 7 уже два часа", "at_the_place_now"),
    ("водитель на месте, машину не разгружают", "at_the_place_now"),
    ("I'm at the Kazan warehouse right now and they refuse to accept the supply", "at_the_place_now"),
    ("склад отказывается принимать поставку, документы в порядке", "refused_now"),
    ("не принимают поставку, говорят слот не тот", "refused_now"),
    ("Нас взломали! Поменяли реквизиты", "account_compromised"),
    ("кто-то зашёл в кабинет и меняет цены", "account_compromised"),
    ("пароль сменили не мы, почта тоже недоступна", "account_compromised"),
    ("my seller account was hacked", "account_compromised"),
    ("не могу войти в личный кабинет, код не приходит", "locked_out"),
    ("не могу войти!!!", "locked_out"),
    ("I can't log in, the code never arrives", "locked_out"),
    ("Выплаты заблокированы без объяснения", "payouts_blocked"),
    ("заморозили вывод средств, висит проверка", "payouts_blocked"),
    ("our payouts are blocked", "payouts_blocked"),
    ("с баланса прямо сейчас списывают деньги каждые 10 минут", "money_draining"),
    ("все деньги с баланса исчезли за ночь", "money_draining"),
    ("личный кабинет не открывается ни у кого", "cabinet_down"),
    ("кабинет лежит, 502 на всех страницах", "cabinet_down"),
    ("API отдаёт 500 на все запросы", "cabinet_down"),
    ("the seller dashboard is down", "cabinet_down"),
    ("все наши карточки только что заблокировали, продажи встали прямо сейчас", "sales_stopped"),
    ("стою в пвз, заказ не выдают", "at_the_place_now"),
    ("мне отказываются выдавать заказ, код не подходит", "not_handed_over"),
]

NOT_URGENT = [
    "Я не стою на складе, просто вопрос: во сколько начинается приёмка?",
    "не стою на складе, просто вопрос",
    "Нет, аккаунт не взломали, просто хочу сменить пароль",
    "Not a hack or anything, just curious about two-factor login",
    "Выплаты не заблокированы, но сумма странная",
    "Payouts are not blocked, but the amount is lower",
    "если завтра на складе не примут поставку, кто оплатит простой?",
    "А что делать, если вдруг взломают аккаунт?",
    "Меня взломали в прошлом месяце, вы помогли, спасибо",
    "Поставку не принимают уже неделю, когда примут?",
    "ПВЗ не принимает возврат, говорит не по правилам",
    "в кабинете не работает кнопка сохранения цены",
    "Не срочно: кабинет лежит по ночам, это плановые работы?",
    "Подскажите, какие склады сейчас с бесплатной приёмкой",
    "Спасибо, выплата пришла",
    "Почему выросла комиссия в категории обувь?",
    "кабинет открывается, но очень медленно",
    "мы в пвз сдали отправления вчера",
]


@pytest.mark.parametrize(("text", "rule"), URGENT)
def test_urgent_signals_fire(text: str, rule: str) -> None:
    assert rule in signals(text)


@pytest.mark.parametrize("text", NOT_URGENT)
def test_negated_conditional_past_or_ordinary_messages_fire_nothing(text: str) -> None:
    assert signals(text) == []


REFERENCES = [
    ("Где мой заказ 1187345622?", [("order", "1187345622")]),
    ("Номер заказа: 998120334", [("order", "998120334")]),
    ("заказы 1187734521, 1190022310 и 1176540098", [("order", v) for v in ("1187734521", "1190022310", "1176540098")]),
    ("заказ 88120345-0012 пришёл пустой", [("order", "88120345-0012")]),
    ("Order #1188877312 is late", [("order", "1188877312")]),
    ("поставки №28113452 и 28113453 не приняли", [("supply", "28113452"), ("supply", "28113453")]),
    ("Поставка WB-GI-29877001 висит", [("supply", "WB-GI-29877001")]),
    ("supply 28451190 shortage", [("supply", "28451190")]),
    ("арт. TS-0451-BLK и артикул 448812", [("sku", "TS-0451-BLK"), ("sku", "448812")]),
    ("SKU 771203 listing", [("sku", "771203")]),
    ("Поставка 27700451, артикулы 301122, 301123.", [("supply", "27700451"), ("sku", "301122"), ("sku", "301123")]),
    ("Претензия № 77120 без ответа", [("claim", "77120")]),
    ("возврат 55210 не пришёл", [("claim", "55210")]),
    ("по обращению #10734 никто не ответил", [("ticket", "10734")]),
    ("обращение 10234 закрыли", [("ticket", "10234")]),
    ("#10234", [("ticket", "10234")]),
    ("ticket #10877 again", [("ticket", "10877")]),
    ("у меня 5 заказов", []),
    ("поставку на 2000 единиц", []),
    ("тел +7 999 123-45-67", []),
    ("отчёт №88431201", []),
    ("арт. синий", []),
    ("заказ 1187345622 и снова заказ 1187345622", [("order", "1187345622")]),
]


@pytest.mark.parametrize(("text", "expected"), REFERENCES)
def test_references_are_read_by_the_word_before_them(text: str, expected: list[tuple[str, str]]) -> None:
    assert extract_references(text) == expected
