"""A small domain lexicon: lemmas (Russian) and stems (English) that point at a category.

Each hit adds a cue feature «§<category>» next to the lemma itself, so a word the training
messages never used still speaks for its topic when the lexicon knows it. The model learns how
much each cue weighs; the lexicon only says which topic a word belongs to.
"""

from __future__ import annotations

_CUES: dict[str, str] = {
    "shipping": """поставка поставщик приемка приемщик слот таймслот склад рампа ворота паллета палета паллет короб коробка
        маркировка этикетка штрихкод фбо фбс экспедитор водитель грузчик машина отгрузка отгружать отгрузить
        коэффициент лимит транзитный кросс-докинг сборочный сборка недостача излишек пересорт расхождение
        пропуск ттн логистический распределительный suppli warehous slot accept gate pallet box truck driver
        shipment ship fbo fbs label""",
    "product_cards": """карточка модерация модератор фото фотография описание характеристика атрибут рейтинг отзыв склейка
        склеить разъединить бренд категория наименование размерный сетка видео инфографика витрина поиск
        индексироваться скрыть дубль цвет состав баркод товарный знак листинг list listing moder photo
        descript attribut card review brand rating search seo""",
    "finance": """выплата выплатить комиссия штраф оштрафовать удержание удержать баланс отчет реализация сверка
        счет-фактура счет упд ндс усн вознаграждение хранение логистика эквайринг реквизит перечисление
        деньга деньги средство списание списать бухгалтерия закрывающий оферта тариф калькулятор минус
        payout commiss fine invoic reconcili balanc fee charg debit withdraw money tax report vat""",
    "orders": """заказ заказать доставка доставить курьер посылка трек пвз постамат получить получение выдача
        предзаказ отправление привезти оформить оформила ячейка покупка промокод order deliveri deliv
        courier parcel track pickup arriv receiv purchas""",
    "returns": """возврат вернуть вернуться брак бракованный компенсация компенсировать возместить возмещение
        сертификат разбитый разбить повреждение повредить сломанный сломать испортить плесень гарантия
        refund return damag broken defect compens warranti certif""",
    "account": """аккаунт пароль логин войти вход зайти авторизация двухфакторный 2fa код смс профиль сотрудник
        роль доступ взломать взлом мошенник персональный данные удалить телефон почта email владелец
        приглашение сессия госуслуги account password login log hack 2fa code access employe role
        profil secur personal""",
    "technical": """ошибка сбой баг api апи интеграция вебхук приложение сайт браузер страница загрузка грузиться
        загружаться выгрузка кнопка вылетать тормозить 500 502 503 429 401 таймаут timeout токен 1с
        уведомление push лог метод документация песочница обновление error bug crash app api webhook
        site page browser export button load timeout token sandbox integr""",
    "other": """спасибо благодарить благодарность сотрудничество партнер партнерство предложение идея журналист
        статья вакансия реклама вебинар мероприятие поддержка оператор нахамить хамство жалоба юрист
        юридический оценка шаблон копипаст руководитель thank partnership partner hire job
        journalist webinar feedback suggest idea rude complaint support agent""",
}

CUES: dict[str, str] = {
    word: category for category, words in _CUES.items() for word in words.split() if word
}


def cues(lemmas: list[str] | tuple[str, ...]) -> list[str]:
    """The cue features of a message: «§shipping» for each lexicon hit (repeats count)."""
    return [f"§{CUES[lemma]}" for lemma in lemmas if lemma in CUES]
