"""A small domain lexicon: lemmas (Russian) and stems (English) that point at a category.

Each hit adds a cue feature «§<category>» next to the lemma itself, so a word the training
messages never used still speaks for its topic when the lexicon knows it. The model learns how
much each cue weighs; the lexicon only says which topic a word belongs to.
"""

from __future__ import annotations

_CUES: dict[str, str] = {
    "shipping": """
        въезд негабарит евро разгрузка разгружать приехать партия размещение размещать склад-отправитель
        инвентаризация стрейч упаковать упаковка пломба монопаллета отправитель опломбировать acceptanc unload truck
        carrier поставка поставщик приемка приемщик слот таймслот склад рампа ворота паллета палета паллет короб
        коробка маркировка этикетка штрихкод фбо фбс экспедитор водитель грузчик машина отгрузка отгружать отгрузить
        коэффициент лимит транзитный кросс-докинг сборочный сборка недостача излишек пересорт расхождение пропуск
        ттн логистический распределительный suppli warehous slot accept gate pallet box truck driver shipment ship
        fbo fbs label""",
    "product_cards": """
        карточка рич-контент фотка фоточка правообладатель оригинал значок предмет справочник черновик страна
        производство срок годность ключевой слово фильтр каталог товарный indexing photo pictur imag blurri карточка
        модерация модератор фото фотография описание характеристика атрибут рейтинг отзыв склейка склеить
        разъединить бренд категория наименование размерный сетка видео инфографика витрина поиск индексироваться
        скрыть дубль цвет состав баркод товарный знак листинг list listing moder photo descript attribut card review
        brand rating search seo""",
    "finance": """
        деньга перерасчет корректировка корректировочный резерв расчетный досрочный процент выкуп убыток реклама
        продвижение подписка счет-оферта зарплата аренда ущерб payment paid salari deduct adjust выплата выплатить
        комиссия штраф оштрафовать удержание удержать баланс отчет реализация сверка счет-фактура счет упд ндс усн
        вознаграждение хранение логистика эквайринг реквизит перечисление деньга деньги средство списание списать
        бухгалтерия закрывающий оферта тариф калькулятор минус payout commiss fine invoic reconcili balanc fee charg
        debit withdraw money tax report vat""",
    "orders": """
        примерка чек посылка покупатель доставщик адрес подъезд этаж сосед автокресло коляска подарок курьерский
        сортировка сортировочный пункт получатель deliv заказ заказать доставка доставить курьер посылка трек пвз
        постамат получить получение выдача предзаказ отправление привезти оформить оформила ячейка покупка промокод
        order deliveri deliv courier parcel track pickup arriv receiv purchas""",
    "returns": """
        вернуть возвратный возвратить поломка трещина вмятина дефект испорченный просроченный истечь утилизировать
        замена рекламация возврат вернуть вернуться брак бракованный компенсация компенсировать возместить
        возмещение сертификат разбитый разбить повреждение повредить сломанный сломать испортить плесень гарантия
        refund return damag broken defect compens warranti certif""",
    "account": """
        учетка учетный авторизоваться администратор админ устройство qr-код пароль восстановление восстановить
        разлогинить аутентификация верификация authent verif devic owner аккаунт пароль логин войти вход зайти
        авторизация двухфакторный 2fa код смс профиль сотрудник роль доступ взломать взлом мошенник персональный
        данные удалить телефон почта email владелец приглашение сессия госуслуги account password login log hack 2fa
        code access employe role profil secur personal""",
    "technical": """
        кодировка sdk скрипт сервер кэш перезагрузка график зависнуть зависать вылет глючить глюк лагать крутиться
        серый белый экран 404 python graphql csv sync currenc ошибка сбой баг api апи интеграция вебхук приложение
        сайт браузер страница загрузка грузиться загружаться выгрузка кнопка вылетать тормозить 500 502 503 429 401
        таймаут timeout токен 1с уведомление push лог метод документация песочница обновление error bug crash app
        api webhook site page browser export button load timeout token sandbox integr""",
    "other": """
        вакансия выставка университет благотворительный фонд коллаб блогер подписчик стенд конкурс юбилей фио
        должность перезвонить бот человек оператор коллаборация love design job interview research спасибо
        благодарить благодарность сотрудничество партнер партнерство предложение идея журналист статья вакансия
        вебинар мероприятие поддержка оператор нахамить хамство жалоба юрист юридический оценка шаблон копипаст
        руководитель thank partnership partner hire job journalist webinar feedback suggest idea rude complaint
        support agent""",
}

CUES: dict[str, str] = {word: category for category, words in _CUES.items() for word in words.split() if word}


def cues(lemmas: list[str] | tuple[str, ...]) -> list[str]:
    """The cue features of a message: «§shipping» for each lexicon hit (repeats count)."""
    return [f"§{CUES[lemma]}" for lemma in lemmas if lemma in CUES]
