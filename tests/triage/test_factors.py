"""The urgency factors, table-driven: each detector finds its factor in the kinds of urgent
messages an outside test found missed, and stays quiet on look-alikes that are not urgent now."""

from __future__ import annotations

import pytest

from otklik.triage.factors import NAMES, urgency_factors
from otklik.triage.text import normalise


@pytest.mark.parametrize(
    ("text", "factor"),
    [
        ("Курьер приедет через час, а ни один заказ не собран", "deadline_soon"),
        ("склад закрывается через 40 минут, водитель в пробке", "deadline_soon"),
        ("Сегодня последний день хранения на пункте выдачи, а заказ мне не выдают", "deadline_soon"),
        ("Окно сборки FBS заканчивается сегодня в 18:00", "deadline_soon"),
        ("the courier comes in an hour and the labels won't print", "deadline_soon"),
        ("В кабинете появился неизвестный пользователь с правами администратора", "someone_else"),
        ("Реквизиты для выплат поменяли, но это были не мы", "someone_else"),
        ("Я продиктовала код из смс человеку, который представился сотрудником поддержки", "someone_else"),
        ("уволенный менеджер до сих пор меняет цены", "someone_else"),
        ("someone changed our payout account without our knowledge", "someone_else"),
        ("Штраф списывают каждый день, уже третий раз", "harm_now"),
        ("товар стоит 149 вместо 14900 и заказы сыпятся", "harm_now"),
        ("Банк вернул выплату, деньги висят", "harm_now"),
        ("orders keep coming in for stock we do not have", "harm_now"),
        ("Я стою у ПВЗ, а заказ не выдают по коду", "on_site"),
        ("водитель уже на складе, его не пропускают без пропуска", "on_site"),
        ("I'm standing at the pickup point and they refuse my code", "on_site"),
        ("Лекарство для ребёнка застряло на сортировке", "health"),
        ("обогреватель искрит прямо при включении", "health"),
        ("the insulin I ordered is stuck in transit", "health"),
        ("Покупатели видят в нашей карточке чужую подделку", "shown_to_buyers"),
    ],
)
def test_each_factor_is_found(text: str, factor: str) -> None:
    assert factor in urgency_factors(normalise(text))


@pytest.mark.parametrize(
    "text",
    [
        "Подскажите, как настроить уведомления о новых заказах?",
        "Спасибо за быструю доставку, всё пришло целым",
        "Как изменить реквизиты компании в профиле?",
        "Где посмотреть отчёт о реализации за октябрь?",
        "Не срочно: курьер приедет через час, просто хочу уточнить адрес",  # the writer's own word
        "no rush, the courier comes in an hour, just checking the address",
    ],
)
def test_quiet_on_messages_without_a_factor(text: str) -> None:
    assert urgency_factors(normalise(text)) == []


def test_factors_come_in_a_fixed_order() -> None:
    found = urgency_factors(normalise("Я стою у ПВЗ, лекарство для ребёнка, а заказ не выдают, через час закроются"))
    assert found == [name for name in NAMES if name in found]
    assert {"on_site", "health", "deadline_soon"} <= set(found)
