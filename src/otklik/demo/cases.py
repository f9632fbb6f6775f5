"""The everyday cases around the stories: labels, cards, commissions, returns, a failing API, the intake queue.

Same script language as ``stories``; together they fill every status and channel.
"""

from __future__ import annotations

from otklik.core.taxonomy import Category, Channel, IdentityKind, Urgency
from otklik.demo.spec import (
    AutoClose,
    Hold,
    Note,
    Ref,
    Reply,
    Say,
    Solve,
    TicketSpec,
    Transfer,
    Triage,
    Verdict,
)

SELLERS = (
    TicketSpec(
        "fbs_labels_blank",
        "rinat",
        Channel.WEBCHAT,
        IdentityKind.WEB,
        day=6,
        time="12:30",
        steps=(
            Say(
                0,
                "Не печатаются этикетки для FBS-заказов: PDF скачивается пустой, 0 КБ. "
                "Сегодня 23 отправления, курьер в 16:00",
            ),
            Triage(6, "artem", Category.SHIPPING, Urgency.URGENT),
            Ref(7, "artem", "order", "1127730-0012"),
            Reply(
                8,
                "artem",
                "Ринат, это Артём из отдела FBS. Пустой PDF — наш сбой пакетной печати, исправление уже "
                "выкатываем. Пока выгрузите этикетки в формате ZPL («Сборочные задания → Этикетки → ZPL») — он "
                "не затронут, курьер в 16:00 всё заберёт.",
            ),
            Say(20, "Через ZPL напечаталось, спасибо"),
            Reply(22, "artem", "Отлично. Пакетная печать PDF тоже починена, можно пользоваться как раньше."),
            Solve(23, "artem"),
            Verdict(40, solved=True),
        ),
    ),
    TicketSpec(
        "fbs_label_scan",
        "ekaterina",
        Channel.TELEGRAM,
        IdentityKind.TELEGRAM,
        day=1,
        time="16:00",
        steps=(
            Say(0, "В ПВЗ на Профсоюзной не принимают наши FBS-отправления: сканер не читает штрихкод на этикетке"),
            Triage(12, "artem", Category.SHIPPING, Urgency.NORMAL),
            Reply(
                14,
                "artem",
                "Екатерина, это Артём из отдела FBS. Пришлите, пожалуйста, фото этикетки целиком и номер одного "
                "отправления. Чаще всего сканер не читает этикетку, напечатанную с масштабом «по размеру "
                "страницы»: нужен размер 58×40 мм без масштабирования.",
            ),
        ),
    ),
    TicketSpec(
        "card_moderation",
        "natalia",
        Channel.EMAIL,
        IdentityKind.EMAIL,
        day=5,
        time="10:15",
        subject="Карточка отклонена модерацией",
        steps=(
            Say(
                0,
                "Карточку пледа «Уют» (артикул TD-PL-0412) третий раз отклоняют с причиной «несоответствие фото». "
                "На фото именно этот плед. Что не так?",
            ),
            Triage(95, "yulia", Category.PRODUCT_CARDS, Urgency.NORMAL),
            Ref(96, "yulia", "sku", "TD-PL-0412"),
            Reply(
                110,
                "yulia",
                "Наталья, здравствуйте, это Юлия из отдела карточек. На главном фото TD-PL-0412 плед 150×200, "
                "а в характеристиках указан 200×220 — модерация сравнивает их и отклоняет. Исправьте размер или "
                "главное фото, и карточка пройдёт повторную проверку в течение суток.",
            ),
            Say(300, "Исправили размер, отправили на модерацию"),
            Reply(1500, "yulia", "Карточка TD-PL-0412 прошла модерацию и уже видна покупателям."),
            Solve(1501, "yulia"),
        ),
    ),
    TicketSpec(
        "cards_hidden",
        "natalia",
        Channel.WHATSAPP,
        IdentityKind.WHATSAPP,
        day=1,
        time="13:20",
        steps=(
            Say(0, "Добрый день! После изменения цен пропали из поиска 14 карточек, в кабинете статус «Скрыта»"),
            Triage(20, "yulia", Category.PRODUCT_CARDS, Urgency.NORMAL),
            Reply(
                25,
                "yulia",
                "Наталья, это Юлия. Карточка скрывается автоматически, если новая цена ниже прежней больше чем "
                "на 50%: система принимает это за ошибку. Пришлите, пожалуйста, артикулы — проверю каждую.",
            ),
            Say(
                90,
                "TD-PL-0415, TD-PL-0419, TD-PK-1102 и остальные из этой серии. "
                "Снизили на 55%, это распродажа, не ошибка",
            ),
            Ref(95, "yulia", "sku", "TD-PL-0415"),
            Ref(95, "yulia", "sku", "TD-PK-1102"),
        ),
    ),
    TicketSpec(
        "commission_report",
        "ekaterina",
        Channel.EMAIL,
        IdentityKind.EMAIL,
        day=3,
        time="09:30",
        subject="Комиссия в недельном отчёте выше тарифа",
        steps=(
            Say(
                0,
                "В отчёте о реализации 4519034 комиссия 17,5% по всем товарам, а по договору у нас 15% "
                "(приоритетный тариф). Прошу пересчитать.",
            ),
            Triage(140, "irina", Category.FINANCE, Urgency.NORMAL),
            Ref(141, "irina", "other", "4519034"),
            Reply(
                200,
                "irina",
                "Екатерина, здравствуйте, это Ирина из финансов. В отчёте 4519034 ставка 17,5% начислена только "
                "по 212 позициям категории «Бытовая химия»: для неё приоритетный тариф не действует с начала "
                "месяца. По остальным категориям — 15%, как в договоре. Если у вас есть допсоглашение на химию, "
                "пришлите номер — сверю.",
            ),
            Say(320, "Допсоглашение № 17/2026, химия там есть"),
            Note(
                340,
                "irina",
                "Допсоглашение 17/2026 не привязано к договору в расчётной системе. Запрос юристам отправлен.",
            ),
            Reply(
                350,
                "irina",
                "Спасибо, допсоглашение № 17/2026 нашла: в расчётной системе оно не было привязано к договору — "
                "это наша ошибка. Юристы привяжут его, после этого я пересчитаю комиссию и верну разницу "
                "ближайшей выплатой.",
            ),
            Hold(351, "irina", "Пришлём пересчёт комиссии по отчёту 4519034 до {date}", days=5, hour=18),
        ),
    ),
    TicketSpec(
        "api_stock_500",
        "timur",
        Channel.EMAIL,
        IdentityKind.EMAIL,
        ago=200,
        subject="API остатков: 500 Internal Server Error",
        steps=(
            Say(
                0,
                "Уже третий час метод обновления остатков отвечает 500 на каждый второй запрос. Остатки на витрине "
                "не обновляются, продаём товар, которого уже нет. Пример request-id: 7f3c9a1e-52b4",
            ),
            Triage(8, "artem", Category.TECHNICAL, Urgency.URGENT),
            Ref(9, "artem", "other", "7f3c9a1e-52b4"),
            Note(20, "artem", "Воспроизвёл: 500 на пакетах больше 1000 SKU. Инцидент у команды API, ведёт дежурный."),
            Reply(
                25,
                "artem",
                "Тимур, это Артём. Ошибка подтверждена: метод обновления остатков падает на пакетах больше "
                "1000 товаров, исправление в работе у команды API. Пока разбейте выгрузку на пакеты до 1000 "
                "позиций — такие запросы проходят. Сообщу об исправлении в течение 4 часов.",
            ),
            Hold(26, "artem", "Сообщим об исправлении API остатков в течение 4 часов", minutes=240),
        ),
    ),
    TicketSpec(
        "cabinet_white_screen",
        "timur",
        Channel.TELEGRAM,
        IdentityKind.TELEGRAM,
        day=10,
        time="08:15",
        steps=(
            Say(0, "Личный кабинет не открывается, белый экран после входа. Chrome, кэш чистил"),
            Triage(5, "artem", Category.TECHNICAL, Urgency.URGENT),
            Note(10, "artem", "Массовый сбой кабинета после ночного релиза, откат в процессе."),
            Reply(
                12,
                "artem",
                "Тимур, это Артём. Это общий сбой кабинета после обновления, не только у вас: откатываем версию, "
                "по оценке команды — до 30 минут. Напишу, как только заработает.",
            ),
            Reply(38, "artem", "Кабинет снова работает. Обновите, пожалуйста, страницу с Ctrl+F5."),
            Solve(39, "artem"),
            AutoClose(70),
        ),
    ),
    TicketSpec(
        "fbo_discrepancy",
        "ekaterina",
        Channel.EMAIL,
        IdentityKind.EMAIL,
        day=16,
        time="10:30",
        subject="Расхождение при приёмке поставки 27244019",
        steps=(
            Say(
                0,
                "По акту приёмки поставки 27244019 недостача 12 коробок, хотя отгружали 140. "
                "ТТН и фото погрузки во вложении.",
            ),
            Triage(120, "marina", Category.SHIPPING, Urgency.NORMAL),
            Ref(121, "marina", "supply", "27244019"),
            Note(180, "marina", "Запросила у склада Электроугли пересчёт по видео с ворот приёмки."),
            Reply(
                185,
                "marina",
                "Екатерина, здравствуйте, это Марина из отдела FBO. Запросила у склада Электроугли пересчёт по "
                "видеозаписи приёмки, обычно это 2 рабочих дня. Результат и исправленный акт пришлю сюда же.",
            ),
            Hold(190, "marina", "Пришлём результат пересчёта поставки 27244019 до {date}", days=3, hour=18),
            Reply(
                2900,
                "marina",
                "Пересчёт завершён: 12 коробок нашлись в соседней зоне приёмки, акт по поставке 27244019 исправлен, "
                "недостачи нет. Исправленный акт — в разделе «Поставки → Документы».",
            ),
            Solve(2901, "marina"),
            Verdict(3500, solved=True),
        ),
    ),
    TicketSpec(
        "accountant_access",
        "ekaterina",
        Channel.EMAIL,
        IdentityKind.EMAIL,
        day=20,
        time="09:50",
        subject="Доступ для бухгалтера",
        steps=(
            Say(0, "Как дать нашему бухгалтеру доступ только к финансовым отчётам, без карточек и цен?"),
            Triage(90, "nikita", Category.ACCOUNT, Urgency.LOW),
            Reply(
                100,
                "nikita",
                "Екатерина, здравствуйте, это Никита. Как администратор кабинета вы можете пригласить сотрудника "
                "в «Настройках → Сотрудники»: укажите почту бухгалтера и отметьте только роль «Финансы». Он увидит "
                "отчёты и выплаты, но не сможет менять карточки и цены.",
            ),
            Say(200, "Получилось, спасибо"),
            Reply(205, "nikita", "Отлично! Роли можно поменять там же в любой момент."),
            Solve(206, "nikita"),
            AutoClose(3086),
        ),
    ),
    TicketSpec(
        "thanks_marina",
        "dmitry",
        Channel.EMAIL,
        IdentityKind.EMAIL,
        day=11,
        time="17:45",
        subject="Благодарность",
        steps=(
            Say(
                0,
                "Хочу поблагодарить Марину из отдела FBO: за час решила вопрос с переносом поставки, которую мы "
                "уже считали потерянной.",
            ),
            Triage(200, "boris", Category.OTHER, Urgency.LOW),
            Reply(210, "boris", "Дмитрий, спасибо, что написали! Передал Марине, отметим её работу в итогах недели."),
            Solve(211, "boris"),
            AutoClose(3091),
        ),
    ),
    TicketSpec(
        "fbs_fine",
        "dmitry",
        Channel.EMAIL,
        IdentityKind.EMAIL,
        day=1,
        time="09:40",
        subject="Штраф за просрочку отгрузки FBS",
        steps=(
            Say(
                0,
                "Выставили штраф 3 400 ₽ за просрочку отгрузки FBS по 17 заказам. Всё было собрано вовремя, курьер "
                "не приехал в назначенный день, переписка с ним есть.",
            ),
            Triage(30, "artem", Category.SHIPPING, Urgency.NORMAL),
            Ref(31, "artem", "claim", "ШТ-774120"),
            Note(60, "artem", "Курьерская служба подтвердила неявку. Снятие штрафа — решение финансов, передаю Ирине."),
            Transfer(65, "artem", "irina", "снятие штрафа: неявка курьера подтверждена"),
            Triage(70, "irina", Category.FINANCE, Urgency.NORMAL),
        ),
    ),
)

BUYERS = (
    TicketSpec(
        "damaged_kettle",
        "viktor",
        Channel.WHATSAPP,
        IdentityKind.WHATSAPP,
        day=2,
        time="17:05",
        steps=(
            Say(0, "Здравствуйте. Пришёл чайник с трещиной на корпусе, заказ 50412-7781. Хочу вернуть деньги"),
            Triage(45, "alina", Category.RETURNS, Urgency.NORMAL),
            Ref(46, "alina", "order", "50412-7781"),
            Reply(
                50,
                "alina",
                "Виктор, здравствуйте, это Алина. Пришлите, пожалуйста, 2–3 фото трещины и упаковки — по ним "
                "оформлю возврат без экспертизы. Чайник можно сдать в любой пункт выдачи.",
            ),
            Say(70, "Фото отправил, три штуки"),
            Ref(80, "alina", "claim", "ВЗ-118530"),
            Reply(
                85,
                "alina",
                "Фото получила, возврат по заказу 50412-7781 одобрен, заявка ВЗ-118530. Сдайте чайник в пункт "
                "выдачи с кодом возврата из приложения; 2 390 ₽ вернутся на карту в течение 3 рабочих дней "
                "после приёмки.",
            ),
            Solve(90, "alina"),
            Say(1500, "Сдал чайник в ПВЗ, а деньги пока не пришли"),
            Reply(
                1510,
                "alina",
                "Виктор, чайник принят в пункте выдачи сегодня, возврат 2 390 ₽ уже отправлен в банк. Деньги "
                "придут в течение 3 рабочих дней, номер операции — в письме о возврате.",
            ),
            Solve(1511, "alina"),
        ),
    ),
    TicketSpec(
        "order_delayed",
        "elena",
        Channel.VK,
        IdentityKind.VK,
        day=12,
        time="18:40",
        steps=(
            Say(0, "Заказ должен был приехать вчера, а статус всё «в пути». Номер 49870-2251"),
            Triage(50, "alina", Category.ORDERS, Urgency.NORMAL),
            Ref(51, "alina", "order", "49870-2251"),
            Reply(
                55,
                "alina",
                "Елена, здравствуйте, это Алина. Посылка задержалась на сортировочном центре в Подольске, сегодня "
                "ночью её отправили дальше. В ваш пункт выдачи она приедет завтра до 14:00, придёт СМС с кодом.",
            ),
            Say(1000, "Получила, спасибо!"),
            Reply(1010, "alina", "Рада, что всё дошло. Хорошего дня!"),
            Solve(1011, "alina"),
            AutoClose(5331),
        ),
    ),
    TicketSpec(
        "storage_extension",
        "elena",
        Channel.VK,
        IdentityKind.VK,
        day=2,
        time="11:30",
        steps=(
            Say(0, "Можно продлить срок хранения заказа 50590-3377 в пункте выдачи? Смогу забрать только в выходные"),
            Triage(30, "nikita", Category.ORDERS, Urgency.LOW),
            Ref(31, "nikita", "order", "50590-3377"),
            Reply(
                35,
                "nikita",
                "Елена, это Никита. Продлил хранение заказа 50590-3377 на 5 дней, придёт СМС с новым сроком. "
                "Успеете забрать в выходные?",
            ),
        ),
    ),
    TicketSpec(
        "wrong_size",
        "georgy",
        Channel.WEBCHAT,
        IdentityKind.WEB,
        day=8,
        time="11:00",
        steps=(
            Say(0, "Привезли не тот размер кроссовок: заказывал 43, в коробке 41. Заказ 49955-1038"),
            Triage(4, "nikita", Category.ORDERS, Urgency.NORMAL),
            Ref(5, "nikita", "order", "49955-1038"),
            Reply(
                9,
                "nikita",
                "Георгий, это Никита. Это ошибка сборки на складе. Оформил обмен: курьер привезёт 43-й размер "
                "завтра с 10:00 до 14:00 и заберёт 41-й, коробку можно не сохранять.",
            ),
            Say(12, "Отлично, жду"),
            Reply(14, "nikita", "Курьер позвонит за час до приезда."),
            Solve(15, "nikita"),
            Verdict(1500, solved=True),
        ),
    ),
    TicketSpec(
        "refund_missing",
        "ksenia",
        Channel.EMAIL,
        IdentityKind.EMAIL,
        day=4,
        time="15:50",
        subject="Не пришли деньги за возврат",
        steps=(
            Say(0, "Вернула куртку 10 дней назад, возврат одобрен, а денег нет. Заказ 49501-4410"),
            Triage(60, "alina", Category.RETURNS, Urgency.NORMAL),
            Ref(61, "alina", "order", "49501-4410"),
            Reply(
                70,
                "alina",
                "Ксения, здравствуйте, это Алина. Возврат 6 200 ₽ по заказу 49501-4410 отправлен в банк 5 дней назад, "
                "номер операции 9931-0047. Банк зачисляет возврат до 10 рабочих дней. Если деньги не придут за "
                "5 рабочих дней, напишите — запрошу у банка подтверждение зачисления.",
            ),
        ),
    ),
    TicketSpec(
        "cancel_order",
        "maria",
        Channel.WEBCHAT,
        IdentityKind.WEB,
        ago=90,
        steps=(
            Say(0, "Хочу отменить заказ 50101-6620, передумала. Он ещё не отправлен"),
            Triage(3, "nikita", Category.ORDERS, Urgency.LOW),
            Ref(4, "nikita", "order", "50101-6620"),
            Reply(
                6,
                "nikita",
                "Мария, это Никита. Заказ 50101-6620 отменён, 3 150 ₽ вернутся на карту в течение 3 рабочих дней.",
            ),
            Solve(7, "nikita"),
        ),
    ),
    TicketSpec(
        "pickup_point_closed",
        "igor",
        Channel.PUBLIC,
        IdentityKind.PUBLIC_HANDLE,
        day=1,
        time="12:40",
        steps=(
            Say(
                0,
                "Пункт выдачи на Ленинском, 92 третий день закрыт, на двери бумажка «технический перерыв». "
                "Заказ лежит там, а забрать не могу. Срок хранения заканчивается!",
            ),
            Triage(40, "alina", Category.ORDERS, Urgency.NORMAL, by="tatiana"),
            Note(
                42,
                "alina",
                "ПВЗ Ленинский, 92 закрыт по решению партнёра, заказы перевозят на Ленинский, 78. Нужен номер "
                "заказа, чтобы продлить хранение — спрошу в личных сообщениях.",
            ),
        ),
    ),
    TicketSpec(
        "change_address",
        "zhanna",
        Channel.WHATSAPP,
        IdentityKind.WHATSAPP,
        ago=140,
        steps=(
            Say(0, "Здравствуйте, можно поменять адрес доставки в заказе 50688-9012? Мы переезжаем"),
            Triage(30, "nikita", Category.ORDERS, Urgency.NORMAL, by="tatiana"),
            Ref(31, "nikita", "order", "50688-9012"),
        ),
    ),
    # Not triaged yet: the intake queue.
    TicketSpec(
        "where_is_order",
        "lyudmila",
        Channel.WHATSAPP,
        IdentityKind.WHATSAPP,
        ago=35,
        steps=(
            Say(0, "Здравствуйте где мой заказ 50633-0127 должны были привезти сегодня"),
            Say(12, "Курьер не звонил"),
        ),
    ),
    TicketSpec(
        "courier_no_show",
        "vera",
        Channel.WHATSAPP,
        IdentityKind.WHATSAPP,
        ago=18,
        steps=(Say(0, "Курьер не приехал, а в приложении написано «доставлено». Заказ 50710-8843. Я весь день дома"),),
    ),
    TicketSpec(
        "phone_change",
        "alexey",
        Channel.TELEGRAM,
        IdentityKind.TELEGRAM,
        ago=52,
        steps=(Say(0, "как поменять номер телефона в аккаунте? старой сим-карты уже нет"),),
    ),
    TicketSpec(
        "pickup_point_partner",
        "oleg",
        Channel.WEBFORM,
        IdentityKind.EMAIL,
        day=1,
        time="22:10",
        subject="Открытие пункта выдачи",
        steps=(
            Say(
                0,
                "Хочу открыть пункт выдачи заказов в Кимрах, помещение 40 м² есть. "
                "Какие требования и куда подать заявку?",
            ),
        ),
    ),
)
