"""The phrases of each reply-quality flag, Russian and English, in the lemma notation of
``patterns.py``, and the word lists the context rules read (owners, steps, times, reasons).

Entries were drawn from docs/taxonomy.md, the training split of the corpus and the even ids of the
outside writer's replies (``data/written.jsonl``) only; the held-out and unseen splits and the odd
written ids were never used to add or tune a phrase (docs/subsystems/quality.md).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from otklik.quality.patterns import Index, Pattern, compile_pattern

CLICHE, HEDGING, BLAME, STALLING, KB_DUMP, REFUSAL = (
    "cliche",
    "hedging",
    "blame",
    "stalling",
    "kb_dump",
    "refusal_without_reason",
)
CODES = (CLICHE, HEDGING, BLAME, STALLING, KB_DUMP, REFUSAL)
TRY = "try"  # «постараемся», "we'll try": hedges that a dated promise in the same sentence outweighs

_FEELINGS = (
    "негодование|возмущение|недовольство|раздражение|разочарование|беспокойство|волнение|чувство|эмоция|"
    "обида|огорчение|переживание|расстройство|тревога|злость|гнев|ситуация|неудобство|срочность|важность|"
    "состояние|негатив|нетерпение|недоумение"
)
_UNPLEASANT = (
    "неприятно|неприятный|обидно|обидный|тяжело|неудобно|досадно|важно|сложно|трудно|расстраивать|неприятность|"
    "неудобство|дискомфорт|неприятно"
)
_GENERIC_OBJECT = (
    "неудобство|ситуация|дискомфорт|неприятность|произошедшее|случившееся|проблема|недоразумение|инцидент|происшествие"
)
_SINCERE = "?свой|наш ?глубокий|искренний|глубочайший|самый|большой"
#: emotions proper (no «ситуация»): «видим ваши эмоции» names nothing but a feeling
_EMOTIONS = "эмоция|чувство|негодование|возмущение|недовольство|раздражение|разочарование|переживание|обида|злость|гнев"
_CONCESSION = (
    "вернуть|возвращать|компенсировать|возместить|выплатить|продлить|отменить|изменить|поменять|перенести|принять|"
    "удалить|разблокировать|пойти|помочь|предоставить|сделать|заменить|объединить|увеличить|внести|зарегистрировать|"
    "удовлетворить|одобрить|восстановить|выдать|оформить|снять|вывести|обменять|ускорить|повлиять|продавать|"
    "отправить|забрать|разъединить|сменить"
)
_CONCESSION_EN = (
    "refund*|compensat*|cancel*|extend*|chang*|accept*|help*|offer*|return*|amend*|approv*|make|do|giv*|provid*|"
    "reimburs*|restor*|unblock*|process*|grant*|reverse|waive|exchang*|replac*"
)
_REQUEST = (
    "обращение|запрос|вопрос|заявка|жалоба|информация|ситуация|претензия|анкета|расхождение|документ|данные|"
    "сообщение|случай|проблема"
)
_DESTINATION = (
    "специалист|отдел|служба|коллега|сотрудник|разработчик|продавец|бухгалтерия|менеджер|поддержка|рассмотрение|"
    "проверка|партнер|инженер|команда|подразделение|руководство|юрист|техподдержка|лицо|подрядчик|поставщик|склад"
)
_HAND_OVER = (
    "передать|направить|переслать|перенаправить|передавать|эскалировать|переадресовать|отправить|уведомить|"
    "проинформировать|известить"
)
_STAFF = "сотрудник|оператор|курьер|модератор|специалист|команда|менеджер|склад|пункт"


def P(code: str, source: str, **options: Any) -> Pattern:  # noqa: N802  (reads as a table row)
    """One lexicon row: ``gap``, ``free``, ``neg`` (a «не» before it cancels it), ``tail``
    ("generic"), ``cond`` (not after «если»), ``not_after`` (lemmas that cancel it) and ``family``
    (``TRY``: an effort verb, forgiven when its sentence names a date)."""
    return compile_pattern(
        code,
        source,
        gap=options.get("gap", 2),
        free=options.get("free", False),
        negatable=options.get("neg", True),
        tail=options.get("tail"),
        not_after_if=options.get("cond", False),
        not_after=options.get("not_after", ()),
        family=options.get("family", ""),
    )


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _ru() -> list[Pattern]:
    """The Russian lexicon (lemmas)."""
    return [
        # cliche: stock apology with a generic object, always a formula
        P(CLICHE, f"приносить|принести|принять {_SINCERE} извинение за ?доставить|причинить {_GENERIC_OBJECT}"),
        P(CLICHE, f"просить прощение за ?доставить|причинить {_GENERIC_OBJECT}"),
        P(CLICHE, f"извинить|извиниться|извиняться|простить ?за ?доставить|причинить {_GENERIC_OBJECT}"),
        P(CLICHE, "сожалеть о|об ?сложиться|произойти|возникнуть|данный|этот ситуация|произошедшее|случившееся"),
        # cliche: an apology or regret with nothing specific in its sentence
        P(CLICHE, f"приносить|принести|принять {_SINCERE} извинение", tail="generic"),
        P(CLICHE, "просить прощение", tail="generic"),
        P(CLICHE, "извиниться|извиняться{-excl}", tail="generic"),
        P(CLICHE, "?мы ?очень|правда|искренне|крайне|так|действительно жаль", tail="generic"),
        P(CLICHE, "?очень|искренне|глубоко сожалеть{-excl}", tail="generic"),
        P(CLICHE, f"мы ?очень|крайне|так {_UNPLEASANT}", gap=1, tail="generic"),
        # cliche: stock empathy
        # «Мы понимаем ваше негодование» is the taxonomy's own example: stock whatever follows
        P(CLICHE, f"понимать{{-past}} ?ваш {_FEELINGS}", free=True),
        # «понимаем, как это неприятно, особенно когда дело касается близких» speaks to this case
        P(CLICHE, f"понимать{{-past}} как|насколько ?это|вам|вы ?очень|так {_UNPLEASANT}", gap=3, tail="generic"),
        P(CLICHE, f"понимать{{-past}} что ?это|вам ?очень|так {_UNPLEASANT}", gap=3, tail="generic"),
        P(CLICHE, "вы ?прекрасно|отлично|полностью|хорошо|очень|конечно понимать{-past}", gap=1),
        P(CLICHE, "понимать{-past,-excl} вы", gap=0),
        P(CLICHE, f"разделять ?ваш {_FEELINGS}", free=True),
        P(CLICHE, "?искренне сочувствовать{-excl}"),
        P(CLICHE, "поставить ?себя на ваш место"),
        P(CLICHE, f"видеть|слышать|чувствовать{{-past,-excl}} ?весь ?ваш {_EMOTIONS}", gap=1),
        P(CLICHE, f"ваш {_EMOTIONS} ?мы понятный|понятно", gap=3),
        # cliche: stock gratitude and importance
        P(CLICHE, "ваш обращение|мнение|вопрос|отзыв|звонок ?очень важный|важно ?для мы", gap=1),
        P(
            CLICHE,
            "мы ?очень|всегда ценить ?ваш|каждый "
            "?клиент|мнение|время|обращение|сотрудничество|лояльность|терпение|выбор|доверие|связь|отзыв|покупатель",
        ),
        P(CLICHE, "благодарить|спасибо ?вы за ?ваш терпение|ожидание", gap=1, tail="generic"),
        P(CLICHE, "благодарить|спасибо|благодарный ?вы за ?ваш доверие|выбор|лояльность", gap=1),
        P(CLICHE, "спасибо|благодарить что ?вы выбирать|оставаться ?с мы", gap=1),
        P(CLICHE, "стремиться|помогать{-past} ?мы стать|становиться ?еще лучший|лучше", gap=1),
        P(CLICHE, "?очень|действительно|крайне важный|важно для мы", gap=0),
        P(CLICHE, "всегда рад видеть", gap=1),
        P(CLICHE, "видеть вы среди|в ?наш клиент|покупатель", gap=1),
        P(CLICHE, "сожалеть что не смочь|мочь быть полезный", gap=1, neg=False),
        # cliche: a mission statement instead of an answer («мы всегда стремимся к тому, чтобы…»)
        P(CLICHE, "мы всегда|постоянно стремиться{-past}", gap=1),
        # hedging
        P(HEDGING, "?мы ?быть постараться|стараться{-excl,-past}", family=TRY),
        P(HEDGING, "?мы попробовать|пробовать|попытаться|пытаться{-excl,-past}", family=TRY),
        P(HEDGING, "по ?мера возможность", gap=0),
        P(HEDGING, "как|если ?только ?быть|появиться возможность", gap=1),
        P(HEDGING, "если получиться|удаться", gap=1),
        # «сделаем всё сегодня до 18:00» is the work itself; «всё возможное», «всё, чтобы…» is a hedge
        P(HEDGING, "сделать|делать{-past} весь|все возможный|зависящий", gap=1),
        P(HEDGING, "сделать|делать{-past} весь|все чтобы", gap=0),
        P(HEDGING, "весь|все что в ?наш сила", gap=1),
        P(HEDGING, "приложить{-past} ?весь ?необходимый усилие", gap=1),
        P(HEDGING, "посмотреть{-excl,-past} можно|мочь сделать"),
        P(
            HEDGING,
            "надеяться{-past} что ?ситуация|вопрос|проблема ?скоро|быстро "
            "решиться|разрешиться|наладиться|получиться|удаться|исправить|скоро",
            gap=3,
        ),
        P(HEDGING, "надеяться{-past} на ?скорый|быстрый|скорейший решение|разрешение", gap=1),
        P(HEDGING, "возможно|может ?быть получиться|удаться|исправить|измениться|решить|решиться", gap=3),
        P(HEDGING, "возможно|наверное _{+futr}"),
        P(HEDGING, "надеяться{+1per,-past}"),
        P(HEDGING, "от мы зависеть|зависящий", gap=0),
        # hedging: a guess instead of a finding («скорее всего, вернётся», «думаем, что…»)
        P(HEDGING, "думать{+1per,+plur,-past} что", gap=0),
        P(HEDGING, "как-нибудь"),
        P(HEDGING, "мочь быть стоить", gap=0),
        P(HEDGING, "возможно стоить", gap=0),
        P(HEDGING, "по мера ?_ возможность|поступление|сила", gap=0),
        # blame: asking the customer to understand, thanking them for understanding
        P(BLAME, "надеяться|рассчитывать{-past} на ?ваш понимание", gap=1),
        P(BLAME, "надеяться{-past} ?что вы ?мы понять{-past}"),
        # blame: hoping that it «will not happen again» puts the repeat on the customer
        P(BLAME, "надеяться{-past} что ?в впредь|дальнейший|будущее", gap=1),
        P(BLAME, "спасибо|благодарить{-past} ?вы за ?ваш понимание", gap=1),
        P(BLAME, "?надеяться ?что ?вы отнестись|относиться ?к ?это с понимание"),
        # blame: the customer's perception is the problem
        P(BLAME, "?жаль ?что ?это ?быть воспринять|восприниматься как", gap=3),
        P(BLAME, "вы показаться{-excl}", gap=1, neg=False),
        P(BLAME, "у вы сложиться|создаться|остаться|возникнуть ?такой впечатление|ощущение"),
        P(BLAME, "жаль|сожалеть ?что вы ?так считать|думать|решить|посчитать|воспринять", neg=False),
        P(BLAME, "не стоить|нужно|надо повышать тон", gap=1, neg=False),
        P(BLAME, "оскорбление|грубость|крик|эмоция не помочь", neg=False),
        P(BLAME, "уверять{-past} вы", gap=1),
        # blame: the customer's fault
        P(BLAME, "вы сам _{+past}", gap=0),
        P(BLAME, "вы ?видимо|вероятно|наверняка|очевидно неправильно|неверно|невнимательно|некорректно"),
        P(BLAME, "вы ввести|указать|заполнить|выбрать{+past} неверный|неправильный|некорректный|не"),
        P(BLAME, "видимо|вероятно|наверняка|очевидно вы _{+VERB}", gap=1, neg=False),
        P(BLAME, "вы видимо|вероятно|наверняка|очевидно _{+VERB}", gap=1, neg=False),
        P(BLAME, "вы следовать{+past}", gap=1),
        P(BLAME, "если бы вы ?сам|сразу|внимательно _{+VERB,+past}", gap=0),
        P(BLAME, "напоминать{+1per,-past} что", gap=0),
        P(BLAME, "всегда стоить|следовать _{+INFN}", gap=1),
        P(BLAME, "обращать{+excl} ?ваш внимание", gap=1),
        # «в таких случаях лучше…» lectures; «в таком случае стоит оформить…» is a way out, not blame
        P(BLAME, "в такой|подобный случай{+plur} лучше|стоить|следовать|рекомендовать|советовать", gap=0),
        P(
            BLAME,
            "не создавать|отправлять|присылать|писать|дублировать{+excl} ?_ "
            "дублировать|дублирующий|повторный|повторно|дубль|одинаковый|несколько",
            gap=1,
            neg=False,
        ),
        P(BLAME, "следовать{+past} ?бы _{+INFN}", gap=1, not_after=("мы", "я", "вы")),
        P(BLAME, "?вы нужно|надо быть{+past} _{+INFN}", gap=1, not_after=("мы", "я")),
        P(BLAME, "вы ?_ не обратить внимание", neg=False),
        P(BLAME, "возможно|скорее|наверное|похоже вы _{+VERB}", neg=False),
        P(BLAME, "проблема|ошибка|причина на ваш сторона"),
        P(BLAME, "вы ?сам согласиться{+past}"),
        P(BLAME, "можно|мочь быть{+past} ?_ ?_ ознакомиться|прочитать|проверить|узнать|посмотреть|уточнить"),
        P(BLAME, "об это быть написать|указать|сообщить{+PRTS}", gap=1),
        P(BLAME, "вы мочь прочитать|ознакомиться|узнать|посмотреть в|с ?наш правило|оферта|условие|договор", gap=3),
        P(BLAME, "указать|опубликовать|размещать|разместить{+PRTS} на ?наш сайт|площадка", gap=1),
        P(BLAME, "всегда доступный|доступно", gap=1),
        P(BLAME, "весь|все ?_ указать|рассчитать|начислить|сделать{+PRTS} верно|правильно|корректно", gap=1),
        P(BLAME, "поступить{+past} правильно|верно|корректно", gap=1),
        P(BLAME, "не обязанный|обязать", gap=0, neg=False),
        P(BLAME, f"наш {_STAFF} всегда"),
        P(BLAME, "не _{+VERB} ?_ ?_ без причина|основание", neg=False),
        P(BLAME, "вы должный быть{+past}", gap=1),
        P(BLAME, "по ваш вина", gap=0),
        P(
            BLAME,
            "советовать|рекомендовать{-past} ?вы ?в ?будущее|впредь|следующий ?раз "
            "придерживаться|соблюдать|следовать|ознакомиться|внимательно|внимательный|читать|изучать|изучить|уточнять|покупать|заказывать|проверять|вступать|тщательно|тщательный|заранее|всегда|следить|быть",
            gap=3,
            neg=False,
        ),
        P(BLAME, "впредь|в следующий ?раз _{+excl}", gap=1),
        P(BLAME, "ознакомиться{+excl} с ?наш правило|требование|условие|инструкция|регламент", gap=1),
        P(BLAME, "быть{+excl} внимательный|внимательно", gap=1),
        P(
            BLAME,
            "не стоить ?так ?сильно "
            "переживать|волноваться|нервничать|расстраиваться|беспокоиться|реагировать|эмоционально|злиться",
            neg=False,
        ),
        P(BLAME, "успокоиться{+excl}"),
        P(BLAME, "набраться терпение", gap=1),
        P(BLAME, "не нести ответственность", gap=1, neg=False),
        P(
            BLAME,
            "действовать|работать|отвечать ?всегда|строго по|согласно ?наш ?установить "
            "регламент|инструкция|процедура|правило",
        ),
        # stalling: passed on, with no owner, step or time (the context rule checks the reply)
        P(STALLING, f"{_HAND_OVER}{{-excl,-INFN}} {_REQUEST}", gap=3, free=True),
        P(
            STALLING,
            f"{_HAND_OVER}{{-excl,-INFN}} ?в|на|к ?ваш|наш|соответствующий|профильный|ответственный|технический "
            f"{_DESTINATION}",
            gap=3,
        ),
        P(STALLING, "эскалировать"),
        P(STALLING, "дождаться{+excl}"),
        P(STALLING, "просить ожидать|ждать|ожидание", gap=1),
        P(STALLING, "обратиться|обращаться{+excl} ?повторно|снова|позже к|в", gap=1),
        P(STALLING, "уточнить{+excl} у"),
        P(
            STALLING,
            "уточнять|изучать|выяснять{-past,-excl} информация|ситуация|вопрос|данные|детали",
            gap=1,
            free=True,
        ),
        P(STALLING, "уточняться|выясняться|проверяться|рассматриваться{-past}"),
        P(STALLING, "специалист|сотрудник|коллега{+plur} _{+VERB,-past}", gap=1),
        P(STALLING, "в ?установить|положенный срок", gap=0),
        P(STALLING, "по мера рассмотрение", gap=0),
        P(STALLING, "на рассмотрение", gap=0),
        P(STALLING, "в обработка", gap=0),
        P(STALLING, "принять в обработка|работа", gap=1),
        P(STALLING, "ожидать|ждать{+excl} ?пожалуйста ?ваш|наш ?ответ|решение|звонок|обратный ?связь", gap=1),
        P(STALLING, "с вы ?обязательно связаться{-past}", gap=1, free=True),
        P(STALLING, "вы ?обязательно|непременно перезвонить|ответить|сообщить|позвонить|написать{+3per,+plur}", gap=1),
        P(STALLING, "мы сообщить{-past}", gap=1),
        P(STALLING, "сообщить{+1per,-past}"),
        P(STALLING, "вернуться{-past} к вы ?с ?ответ", gap=1),
        P(STALLING, "направить|поступить|сообщить|предоставить ?вы дополнительно|позднее|позже|поздний|поздно"),
        P(STALLING, "находиться на|в ?особый рассмотрение|работа|контроль|проверка|обработка", gap=1),
        P(STALLING, "рассмотреть|рассматриваться в ?порядок очередь", gap=1),
        P(STALLING, "?ваш ?обращение|заявка|запрос зарегистрировать{+PRTS}", gap=1),
        # stalling: «мы уже занимаемся вашим вопросом», «ответ поступит после проверки» say nothing more
        P(STALLING, f"мы ?уже заниматься{{-past}} ?ваш {_REQUEST}", gap=1),
        P(STALLING, "ответ|результат|решение ?_ поступить|прийти{+futr}", gap=1),
        P(STALLING, "на|под ?особый контроль", gap=0),
        P(STALLING, "мы ?уже в курс", gap=0),
        # refusal without reason (the context rule looks for a reason, fact or alternative)
        P(REFUSAL, "?к ?большой сожаление не иметь ?никакой возможность ?_{+INFN}", gap=1, neg=False),
        P(REFUSAL, "нет ?такой|никакой возможность", gap=0, neg=False, cond=True),
        P(REFUSAL, "такой возможность нет", gap=1, neg=False, cond=True),
        P(REFUSAL, "не представляться возможный", gap=1, neg=False),
        P(REFUSAL, "невозможно|невозможный", neg=False, cond=True),
        P(REFUSAL, f"не мочь|смочь ?вы {_CONCESSION}", neg=False, cond=True),
        P(REFUSAL, f"{_CONCESSION} не мочь|смочь", gap=4, neg=False, cond=True),
        P(REFUSAL, f"не получиться ?вы {_CONCESSION}", neg=False, cond=True),
        P(REFUSAL, f"{_CONCESSION} не получиться", gap=4, neg=False, cond=True),
        P(REFUSAL, f"нельзя {_CONCESSION}", gap=4, free=True, neg=False),
        P(REFUSAL, "не в сила", gap=0, neg=False),
        P(REFUSAL, "запретить|запрещать{+PRTS}", neg=False),
        P(REFUSAL, "вынудить отказать", gap=1, neg=False),
        P(REFUSAL, "отказать{+PRTS}", neg=False),
        P(REFUSAL, "?ваш заявка|запрос|обращение|претензия|жалоба отклонить{+PRTS}", gap=1, neg=False),
        P(REFUSAL, "отказать|отказывать{+1per}", neg=False),
        P(REFUSAL, "не предусмотреть|предусматриваться", gap=0, neg=False),
        P(REFUSAL, "недоступный", neg=False, cond=True),
        P(
            REFUSAL,
            "не "
            "предоставляться|осуществляться|выплачиваться|компенсироваться|приниматься|подлежать|производиться|допускаться|возвращаться|обмениваться|восстанавливаться|продлеваться|выдаваться",
            gap=0,
            neg=False,
        ),
    ]


def _en() -> list[Pattern]:
    """The English lexicon (lower-case forms and prefixes)."""
    return [
        P(CLICHE, "apolog* for ?any ?the inconvenien*|trouble|situation|discomfort"),
        P(CLICHE, "sorry for ?any ?the inconvenien*|trouble|situation"),
        P(CLICHE, "accept ?our ?sincere apolog*", gap=1),
        P(CLICHE, "apolog*", tail="generic"),
        P(CLICHE, "am|are|is|be ?so|very|really|truly|terribly|deeply|sincerely sorry", gap=1, tail="generic"),
        P(CLICHE, "regret", tail="generic"),
        P(
            CLICHE,
            "understand ?your|the frustrat*|concern*|disappoint*|feeling*|anger|upset*|annoy*|inconvenien*",
            gap=1,
        ),
        P(
            CLICHE,
            "understand how ?this|it|that|much ?is|must|may ?be "
            "upset*|frustrat*|annoy*|difficult|stressful|unpleasant|hard|inconvenient|disappoint*",
            gap=4,
            tail="generic",
        ),
        P(CLICHE, "share your frustrat*|concern*|disappoint*|feeling*|anger", gap=1),
        P(CLICHE, "your request|feedback|opinion|call|business is ?very|really important to us"),
        P(
            CLICHE,
            "we ?really|truly|always value|appreciate your|every|each "
            "?customer|feedback|business|time|patience|loyalty|trust",
        ),
        P(CLICHE, "thank|thanks ?you for your patience", gap=1, tail="generic"),
        P(CLICHE, "sympathi*|sympathy"),
        P(CLICHE, "valued customer*", gap=0),
        P(CLICHE, "for choosing us", gap=0),
        P(CLICHE, "strive to improve|be", gap=1),
        P(HEDGING, "we|i ?will|would|shall|can|could try|attempt*", gap=1, family=TRY),
        P(HEDGING, "do ?our|my|everything best|utmost|possible", gap=1),
        P(HEDGING, "do everything we can", gap=0),
        P(HEDGING, "see what we|i can do", gap=0),
        P(HEDGING, "hopefully"),
        P(HEDGING, "if|where|when possible", gap=0),
        P(HEDGING, "might|may be able to", gap=0),
        P(HEDGING, "we|i hope", gap=0),
        P(HEDGING, "may|might|could take ?quite some|a time|while", gap=1),
        P(BLAME, "thank|thanks|appreciate ?you ?for ?your understanding", gap=1),
        P(BLAME, "hope for ?your understanding", gap=1),
        P(BLAME, "sorry ?that ?if you feel|felt|got|think|thought|perceived|found", gap=1, neg=False),
        P(BLAME, "you got|have|had ?that|this|the|such impression", gap=1),
        P(BLAME, "you should|ought have|to", gap=1),
        P(BLAME, "you could have", gap=0),
        P(BLAME, "you needed|were to|supposed", gap=0),
        P(BLAME, "you ?_ ?_ incorrectly|wrongly|wrong"),
        P(BLAME, "next time", gap=0),
        P(BLAME, "be more careful", gap=0),
        P(BLAME, "read ?_ ?_ carefully"),
        P(BLAME, "as stated|specified|mentioned|described|set in ?our ?the terms|rules|policy|offer|agreement"),
        P(BLAME, "set out in ?the ?our terms|rules|policy|offer|agreement", gap=1),
        P(BLAME, "you agreed to", gap=1),
        P(BLAME, "acted|behaved correctly|properly|appropriately", gap=1),
        P(BLAME, "not obliged|required to", gap=0, neg=False),
        P(BLAME, "not responsible for", gap=0, neg=False),
        P(BLAME, "we recommend|advise being|always|following|reading", gap=1),
        P(BLAME, "you selected|chose|agreed|entered|placed|ordered ?_ ?_ ?_ yourself", gap=3),
        P(BLAME, "our team|staff|agents|couriers|moderators always", gap=1),
        P(BLAME, "according to the rules", gap=0),
        P(BLAME, "you ?probably|clearly|obviously misunderst*|misread|failed", gap=1),
        P(BLAME, "follow* ?our|the guideline*|rules|recommendation*|terms"),
        P(BLAME, "follow* ?the ?our standard|usual procedure|protocol|policy", gap=1),
        P(BLAME, "calm down", gap=0),
        P(BLAME, "as ?was clearly stated|specified|indicated|mentioned|shown", gap=1),
        P(BLAME, "issue|problem|error on your side|end", gap=1),
        P(BLAME, "your fault", gap=0),
        P(
            STALLING,
            "request|case|complaint|issue|ticket|question|enquiry|inquiry|query|information "
            "forwarded|escalated|passed|referred|transferred|sent",
            gap=3,
        ),
        P(
            STALLING,
            "forward*|escalat*|pass*|refer*|transferr* to ?the ?our|relevant|responsible|appropriate "
            "team|department|specialist*|colleague*|experts",
        ),
        P(STALLING, "team|department|specialists|engineers ?has|have ?been notified|informed|alerted"),
        P(STALLING, "been escalated", gap=0),
        P(STALLING, "we|i ?have escalated|forwarded|passed", gap=1),
        P(STALLING, "wait for ?a|the|our|your response|reply|answer|update|decision|call", gap=1),
        P(STALLING, "get back to you", gap=1),
        P(STALLING, "be in touch", gap=0),
        P(STALLING, "you will|'ll be notified|contacted|informed|updated", gap=0),
        P(STALLING, "being reviewed|processed|handled|investigated", gap=0),
        P(STALLING, "under review", gap=0),
        P(STALLING, "in progress", gap=0),
        P(STALLING, "please wait", gap=0),
        P(STALLING, "wait for", gap=0),
        P(STALLING, "for review|consideration", gap=0),
        P(STALLING, "we will|'ll inform|notify|update|contact you", gap=1),
        P(STALLING, "will contact you", gap=0),
        P(STALLING, "request|case|complaint|message has been received"),
        P(REFUSAL, "?unfortunately ?we ?are unable to ?_", gap=1, neg=False, cond=True),
        P(REFUSAL, "?unfortunately ?we ?are not able to ?_", gap=0, neg=False, cond=True),
        P(REFUSAL, f"can|could|will not ?be ?able ?to {_CONCESSION_EN}", gap=1, neg=False, cond=True),
        P(REFUSAL, f"cannot ?be ?able ?to {_CONCESSION_EN}", gap=1, neg=False, cond=True),
        P(REFUSAL, "not possible", gap=1, neg=False, cond=True),
        P(REFUSAL, "not allowed|permitted", gap=0, neg=False, cond=True),
        P(REFUSAL, "must|have ?to decline", gap=1, neg=False),
        P(REFUSAL, "been declined|rejected|denied", gap=0, neg=False),
        P(REFUSAL, "not an option", gap=0, neg=False, cond=True),
    ]


@lru_cache(maxsize=1)
def patterns() -> tuple[Pattern, ...]:
    """The compiled lexicon, Russian and English together (a reply may mix them)."""
    return (*_ru(), *_en())


@lru_cache(maxsize=1)
def index() -> Index:
    return Index(list(patterns()))


# --- words the context rules read --------------------------------------------------------------
#: a sentence made only of these (and names) says nothing specific: «Нам очень жаль, что так вышло»
GENERIC = _words(
    """a about all am an and any apologies apologise apologize apology are be been caused dear deeply experience
    feel felt for had happened has have hear hello hi how i in inconvenience is issue it just may me might of
    our problem really regret sincerely situation so sorry such terribly that the this to trouble truly us very
    we what you your а большой бы быть в ваш весь весьма во возникнуть вот вы выйти глубокий глубоко глубочайший
    данный действительно день дискомфорт добрый доставить ещё жаль же за здравствовать и извинение извинить
    извиниться извиняться искренне искренний как крайне ли менее мы на наш не неприятно неприятность неприятный
    неудобство но о об он она они очень по подобный получиться правда принести приносить причинить проблема
    произойти произошедшее просить простить прощение с самый свой сильно ситуация сложиться случиться слышать со
    сожалеть столкнуться так такой там тем тот тут уважаемый уже услышать что это этот я"""
)

#: regret at *hearing* («жаль это слышать», "sorry to hear") answers the message, not the case: a
#: fact after it does not make it an apology
HEARING = _words("""hear heard hearing слышать услышать""")

#: verbs of concrete work on the case; with a first-person or past form they are a step or a fact
STEP_VERBS = _words(
    """вернуть вложить возвращать возместить восстановить выдать выплатить выслать договориться доставить
    заблокировать забрать закрепить закрыть заменить заморозить запросить зарезервировать исправить
    компенсировать назначить найти начислить обменять обновить откатить откатывать открыть отложить отменить
    отправить оформить перевести перевыпустить перенаправить перенести переставить пересчитать подобрать
    подписать подтвердить починить привезти приостановить прислать проверить проверять продлить разблокировать
    снять создать списать сформировать убрать удалить удержать"""
)

#: objects that make a step vague: «проверим информацию»
VAGUE_OBJECTS = _words("""вопрос данные детали информация обращение ситуация""")

#: verbs that promise nothing concrete: feelings, hedges, passing on, talking about talking
NOT_STEPS = _words(
    """благодарить быть вернуться видеть выяснить думать ждать зарегистрировать знать извинить извиниться
    извиняться информировать мочь надеяться написать напоминать направить ожидать ответить передавать передать
    перезвонить перенаправить переслать позвонить получить помочь понимать понять попробовать попытаться
    посмотреть постараться приложить принести приносить принять пробовать просить простить пытаться разделять
    разобраться рассмотреть рекомендовать решить связаться сделать советовать сожалеть сообщить сочувствовать
    стараться стать считать уведомить уверять уточнить учесть хотеть ценить эскалировать"""
)

#: instructions to the customer that are a next step (imperative); deflections are not in here
CUSTOMER_STEPS = _words(
    """ввести включить выбрать выпустить добавить забрать загрузить нажать обновить отключить открыть отменить
    отправить оформить очистить перейти подойти подтвердить поставить приложить прислать проверить распечатать
    скачать сменить сохранить убрать удалить указать"""
)

#: English verbs of work done or promised after "we"/"I" (prefixes)
EN_STEP_VERBS = tuple(
    sorted(
        _words(
            """refund cancel re-sent resen sent moved reserv extend book arrang remov restor unblock block fix chang
            replac credit return creat found reset issu waiv check rolling roll"""
        )
    )
)

EN_IMPERATIVES = _words(
    """attach choose clear click enter go open pick press remove reply select send try turn update upload use"""
)

#: times and dates: a promise with one of these is not open-ended
TIME_WORDS = _words(
    """april august december february friday january july june march monday november october saturday september
    sunday thursday today tomorrow tonight tuesday wednesday август апрель воскресенье вторник декабрь завтра
    июль июнь май март ноябрь октябрь понедельник послезавтра пятница сегодня сентябрь среда суббота февраль
    четверг январь"""
)

TIME_UNITS = _words(
    """am day days hour hours minute minutes month months pm week weeks день месяц минута неделя сутки час"""
)

TIME_LEADS = _words("""before by in until within до к течение через""")

#: leads of a deadline («до пятницы», "by March 15"): a weekday or month after one is a date
DEADLINE_LEADS = _words("""before by until до к""")

VAGUE_TIME = _words("""ближайший скорейший скорый""")

#: reasons, facts and alternatives that make a «no» a reasoned one
REASONS = _words(
    """because law policy reason regulation rules section since terms under договор закон ибо из-за оферта
    поскольку потому поэтому правило причина пункт согласно требование условие"""
)

#: two-word reasons («так как», «в связи с», "because of", «дело в том»)
REASON_PAIRS = frozenset({("так", "как"), ("в", "связь"), ("дело", "в"), ("because", "of"), ("due", "to")})

#: a customer message with one of these and no question thanks or praises: there is no case to stall
THANKS = _words("""благодарить благодарность благодарный спасибо grateful thank thanks""")

ALTERNATIVES = _words(
    """alternatively but however instead offer option альтернатива взамен вместо зато могу можно но однако
    предлагать предложить"""
)

#: greetings after which a name is the customer's, not the owner's
GREETINGS = _words("""dear hello hi добрый здравствовать привет уважаемый""")

#: capitalised English words that are not people
EN_NOT_NAMES = _words(
    """a an anyone april august contacts dear december documents everyone february friday he hello here hi i it
    january july june march may monday nobody notifications november october orders our please profile return
    saturday security september settings she somebody someone sorry sunday team thank thanks that the there they
    this thursday tuesday unfortunately we wednesday you your"""
)

EN_OWNER_NEXT = _words("""checked finished found from has is our owner owns will""")
