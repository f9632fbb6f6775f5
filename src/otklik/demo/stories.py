"""The demo's tickets: the product's stories (docs/stories.md) and the everyday cases around them.

Each ticket is a script of steps; ``after`` counts minutes from its first message.
Where a ticket ends up (new, open, pending_customer, on_hold, solved, closed) is
only the effect of those steps, exactly as it would be in a real desk.
"""

from __future__ import annotations

from otklik.core.taxonomy import Category, Channel, IdentityKind, Urgency
from otklik.demo.cases import BUYERS, SELLERS
from otklik.demo.spec import (
    AutoClose,
    Hold,
    Link,
    Note,
    Ref,
    Reply,
    Say,
    Solve,
    TicketSpec,
    Triage,
    Verdict,
)

# Story 1: at the warehouse gate. Last week's booking question, then today at the gate.
ILYA = (
    TicketSpec(
        "ilya_slot_booking",
        "ilya",
        Channel.TELEGRAM,
        IdentityKind.TELEGRAM,
        day=9,
        time="08:40",
        steps=(
            Say(0, "Здравствуйте. Не могу забронировать слот на Хоругвино на четверг, в календаре всё серое"),
            Triage(3, "marina", Category.SHIPPING, Urgency.NORMAL),
            Ref(4, "marina", "supply", "27301144"),
            Reply(
                9,
                "marina",
                "Илья, добрый день, это Марина из отдела FBO. В четверг Хоругвино принимает только "
                "крупногабарит, поэтому слоты серые. В пятницу есть окна с 8:00 до 12:00: поставку 27301144 "
                "можно перенести в разделе «Поставки», кнопка «Изменить дату». Если пятница не подходит, "
                "напишите — подберу другой склад.",
            ),
            Say(14, "Перенёс на пятницу 9:00, спасибо"),
            Reply(16, "marina", "Бронь на пятницу 9:00 вижу. Хорошей поставки!"),
            Solve(16, "marina"),
            AutoClose(46),
        ),
    ),
    TicketSpec(
        "ilya_gate",
        "ilya",
        Channel.TELEGRAM,
        IdentityKind.TELEGRAM,
        ago=5,
        steps=(
            Say(0, "стою на складе в Хоругвино, поставку не принимают, говорят нет слота"),
            Say(1, "Поставка 27318456, машина у третьих ворот"),
            Triage(1, "marina", Category.SHIPPING, Urgency.URGENT),
            Ref(2, "marina", "supply", "27318456"),
            Reply(3, "marina", "Проверяю слот, 5 минут"),
            Hold(3, "marina", "Проверяю слот, 5 минут", minutes=5),
            Note(3, "marina", "Звоню старшему смены Хоругвино: бронь 27318456 в системе есть, на воротах её не видят."),
        ),
    ),
)

# Story 2: one payout, several channels. The form first, Telegram two days later.
SVETLANA = (
    TicketSpec(
        "svetlana_reconciliation",
        "svetlana",
        Channel.WEBFORM,
        IdentityKind.EMAIL,
        day=18,
        time="14:00",
        subject="Акт сверки за прошлый месяц",
        steps=(
            Say(
                0,
                "Нужен акт сверки взаиморасчётов за прошлый месяц для бухгалтерии, "
                "в кабинете он формируется только за квартал.",
            ),
            Triage(200, "irina", Category.FINANCE, Urgency.LOW),
            Reply(
                210,
                "irina",
                "Светлана, здравствуйте, это Ирина из финансового отдела. Акт сверки за прошлый месяц готов: "
                "он в разделе «Финансы → Документы» и подписывается через ЭДО. Если нужна бумажная версия, "
                "напишите адрес — отправим почтой.",
            ),
            Solve(211, "irina"),
            Verdict(2000, solved=True),
        ),
    ),
    TicketSpec(
        "svetlana_payout_form",
        "svetlana",
        Channel.WEBFORM,
        IdentityKind.EMAIL,
        day=2,
        time="11:20",
        subject="Выплата 12 дней в обработке",
        steps=(
            Say(
                0,
                "Добрый день. Выплата по отчёту 4518820 уже 12 дней в статусе «в обработке». Реквизиты не "
                "менялись, раньше деньги приходили за 3 дня. Когда будет выплата?",
            ),
            Triage(120, "irina", Category.FINANCE, Urgency.URGENT, by="tatiana"),
            Ref(122, "irina", "other", "4518820"),
            Note(
                150,
                "irina",
                "Платёж по отчёту 4518820 вернулся из банка получателя с кодом «счёт закрыт». "
                "Уточняю у казначейства, можно ли отправить повторно.",
            ),
            Reply(
                160,
                "irina",
                "Светлана, здравствуйте, это Ирина из финансового отдела. Выплата по отчёту 4518820 вернулась "
                "от банка с отметкой «счёт получателя закрыт». Проверьте, пожалуйста, реквизиты в разделе "
                "«Финансы → Реквизиты»: если счёт сменился, обновите его, и я отправлю выплату повторно в тот же день.",
            ),
        ),
    ),
    TicketSpec(
        "svetlana_payout_telegram",
        "svetlana",
        Channel.TELEGRAM,
        IdentityKind.TELEGRAM,
        ago=95,
        steps=(
            Say(
                0,
                "Здравствуйте, это Светлана Кравцова, ИП Кравцова. По выплате по отчёту 4518820: реквизиты верные, "
                "счёт открыт, я звонила в банк. Выплата уже 14 дней «в обработке», мне платить поставщику",
            ),
            Triage(6, "irina", Category.FINANCE, Urgency.URGENT),
            Link(7, "irina", "svetlana_payout_form"),
            Ref(7, "irina", "other", "4518820"),
            Note(
                20,
                "irina",
                "Та же выплата, что в обращении из формы. Банк подтвердил ошибку на своей стороне (сбой при смене "
                "БИК), казначейство отправляет выплату повторно сегодняшним реестром.",
            ),
            Reply(
                25,
                "irina",
                "Светлана, это снова Ирина, веду вашу выплату с первого обращения. Банк подтвердил ошибку на своей "
                "стороне, ваш счёт в порядке. Выплату по отчёту 4518820 отправляем повторно сегодняшним реестром, "
                "деньги придут до конца следующего рабочего дня. Завтра до 12:00 проверю зачисление и напишу вам сюда.",
            ),
            Hold(26, "irina", "Напишем о зачислении выплаты до {date}, 12:00", days=1, hour=12),
        ),
    ),
)

# Story 3: "we'll write to you in a month".
ANNA = (
    TicketSpec(
        "anna_out_of_stock",
        "anna",
        Channel.EMAIL,
        IdentityKind.EMAIL,
        day=2,
        time="19:40",
        subject="Заказ 48213-0917 оплачен, а товара нет",
        steps=(
            Say(
                0,
                "Здравствуйте! Оплатила заказ 48213-0917 — жерновую кофемолку, а сегодня пришло письмо, что товара "
                "нет на складе. Деньги списаны. Что дальше?",
            ),
            Triage(780, "alina", Category.ORDERS, Urgency.NORMAL),
            Ref(781, "alina", "order", "48213-0917"),
            Reply(
                800,
                "alina",
                "Анна, здравствуйте, меня зовут Алина. Кофемолки этой модели действительно нет: поставщик сорвал "
                "поставку, следующая партия ожидается через месяц. Можно вернуть 7 490 ₽ на карту в течение "
                "3 рабочих дней или оставить заказ за вами по той же цене до прихода партии. Как вам удобнее?",
            ),
            Say(890, "Подожду, цена хорошая. Только сообщите, когда придёт."),
            Reply(
                905,
                "alina",
                "Хорошо, заказ 48213-0917 остаётся за вами по цене 7 490 ₽. Я слежу за поставкой и напишу вам "
                "в течение месяца, даже если партия задержится.",
            ),
            Hold(905, "alina", "Мы напишем вам до {date}", days=31, hour=12),
        ),
    ),
)

# Story 4: the hacked account, first in public, then privately.
HACKED = (
    TicketSpec(
        "hacked_public",
        "kirill",
        Channel.PUBLIC,
        IdentityKind.PUBLIC_HANDLE,
        day=1,
        time="21:15",
        steps=(
            Say(
                0,
                "Осторожно с этим маркетплейсом. У моего друга Сергея Панина увели аккаунт, сменили почту и "
                "потратили подарочный сертификат на 5 000 ₽. Поддержка молчит уже сутки. Отличная защита данных!",
            ),
            Triage(25, "nikita", Category.ACCOUNT, Urgency.URGENT, by="tatiana"),
            Note(
                30,
                "tatiana",
                "Публичный пост. Никаких «к сожалению, не имеем возможности» и «надеемся на понимание»: "
                "сначала факты по входам, в ответе — кто ведёт, что нашли и к какому сроку.",
            ),
            Note(
                40,
                "nikita",
                "Журнал входов: позавчера вход с нового устройства, через 4 минуты смена почты, сертификат "
                "GC-88214 списан на заказ 50977-3310. Заказ ещё не выдан — остановил выдачу.",
            ),
            Ref(45, "nikita", "order", "50977-3310"),
            Ref(45, "nikita", "other", "GC-88214"),
            Reply(
                50,
                "nikita",
                "Кирилл, здравствуйте. Я Никита, отвечаю за безопасность аккаунтов и веду этот случай сам. Мы видим "
                "вход с чужого устройства и смену почты; заказ, оплаченный сертификатом, остановлен и выдан не "
                "будет. Сергею мы написали на прежнюю почту из профиля — продолжим с ним лично, без публикации "
                "данных. О возврате сертификата сообщим Сергею завтра до 18:00.",
            ),
        ),
    ),
    TicketSpec(
        "hacked_email",
        "sergey",
        Channel.EMAIL,
        IdentityKind.EMAIL,
        ago=180,
        subject="Re: Доступ к аккаунту",
        steps=(
            Say(
                0,
                "Никита, здравствуйте. Это Сергей Панин. Почту в профиле я не менял, телефон тот же, что в аккаунте. "
                "Сертификат GC-88214 мне подарили на день рождения, очень хочется его вернуть.",
            ),
            Triage(20, "nikita", Category.ACCOUNT, Urgency.URGENT),
            Link(21, "nikita", "hacked_public"),
            Ref(22, "nikita", "other", "GC-88214"),
            Note(
                40,
                "nikita",
                "Телефон совпадает с подтверждённым. Вернул почту, завершил все сессии, сертификат восстановлен "
                "с прежним сроком, заказ 50977-3310 отменён.",
            ),
            Reply(
                45,
                "nikita",
                "Сергей, доступ восстановлен: почта в профиле снова ваша, все чужие сессии завершены, новый пароль "
                "задайте по ссылке из письма. Сертификат GC-88214 восстановлен на 5 000 ₽ и действует до прежней "
                "даты, заказ 50977-3310 отменён. Включите, пожалуйста, вход по коду из СМС в «Настройках "
                "безопасности» — с ним почту без вашего телефона не сменить.",
            ),
            Solve(50, "nikita"),
        ),
    ),
)

# Story 5: «это не ответ на мой вопрос».
NOT_AN_ANSWER = (
    TicketSpec(
        "commission_not_an_answer",
        "dmitry",
        Channel.VK,
        IdentityKind.VK,
        day=4,
        time="14:10",
        steps=(
            Say(
                0,
                "Почему с продаж пледов взяли комиссию 19%, если по тарифу для категории «Текстиль» 15%? Отчёт 4520117",
            ),
            Triage(35, "irina", Category.FINANCE, Urgency.NORMAL),
            Ref(36, "irina", "other", "4520117"),
            Reply(
                50,
                "irina",
                "Дмитрий, здравствуйте! Комиссия маркетплейса зависит от категории товара и модели работы. "
                "Актуальные тарифы опубликованы в разделе «Документы → Тарифы», там же есть калькулятор комиссии. "
                "Если останутся вопросы — пишите!",
            ),
            Solve(52, "irina"),
            Say(130, "это не ответ на мой вопрос. Где тарифы, я знаю. Я спрашиваю, почему в отчёте 19%, а не 15%"),
            Note(150, "irina", "Клиент прав, ответила не на то. Проверяю ставку по пледам в отчёте 4520117 построчно."),
        ),
    ),
)

TICKETS: tuple[TicketSpec, ...] = ILYA + SVETLANA + ANNA + HACKED + NOT_AN_ANSWER + SELLERS + BUYERS
