"""What the checker tells the agent about each flag, in Russian and English: what is wrong with
the phrase and what to write instead (name the owner, the step and the time)."""

from __future__ import annotations

from otklik.quality.lexicon import BLAME, CLICHE, HEDGING, KB_DUMP, REFUSAL, STALLING

LABELS: dict[str, dict[str, str]] = {
    CLICHE: {"ru": "Шаблонное сочувствие", "en": "Stock empathy"},
    HEDGING: {"ru": "Уклончивое обещание", "en": "Hedging"},
    BLAME: {"ru": "Перекладывание вины на клиента", "en": "Blaming the customer"},
    STALLING: {"ru": "Отписка", "en": "Stalling"},
    KB_DUMP: {"ru": "Вставка статьи не по вопросу", "en": "Article pasted off the point"},
    REFUSAL: {"ru": "Отказ без причины", "en": "Refusal without a reason"},
}

EXPLANATIONS: dict[str, dict[str, str]] = {
    CLICHE: {
        "ru": "«{fragment}» — дежурная фраза: клиент читает её как форму из шаблона, а не как участие.",
        "en": "“{fragment}” is a stock phrase: the customer reads it as a form letter, not as care.",
    },
    HEDGING: {
        "ru": "«{fragment}» — обещание без обязательства: непонятно, будет ли результат и когда.",
        "en": "“{fragment}” promises nothing: it is unclear whether there will be an outcome, or when.",
    },
    BLAME: {
        "ru": "«{fragment}» перекладывает вину или чувства на клиента.",
        "en": "“{fragment}” shifts the fault or the feelings onto the customer.",
    },
    STALLING: {
        "ru": "«{fragment}» — отписка: в ответе нет ни ответственного, ни следующего шага, ни срока.",
        "en": "“{fragment}” stalls: the reply names no owner, no next step and no time.",
    },
    KB_DUMP: {
        "ru": "Вставлен текст статьи базы знаний, который не отвечает на вопрос клиента.",
        "en": "A knowledge-base article is pasted in that does not answer what the customer asked.",
    },
    REFUSAL: {
        "ru": "«{fragment}» — отказ без причины, фактов и альтернативы.",
        "en": "“{fragment}” says no without a reason, facts or an alternative.",
    },
}

REPEATED: dict[str, str] = {
    "ru": "Этот текст уже отправлялся клиенту в этом обращении: повтор шаблона читается как отписка.",
    "en": "This text was already sent to the customer in this ticket: a repeated template reads as a brush-off.",
}

SUGGESTIONS: dict[str, dict[str, str]] = {
    CLICHE: {
        "ru": "Назовите, что именно пошло не так, кто это исправит и когда: «Простите: выплату задержали из-за "
        "нашей ошибки в реквизитах. Анна отправит её повторно до 15:00».",
        "en": "Name what actually went wrong, who fixes it and by when: “Sorry: the payout was delayed by our "
        "mistake in the bank details. Anna will resend it by 3 pm.”",
    },
    HEDGING: {
        "ru": "Пообещайте конкретное: кто, что сделает и к какому сроку — «Анна проверит выплату и напишет до 15:00».",
        "en": "Commit to something concrete: who does what by when — “Anna will check the payout and write by 3 pm.”",
    },
    BLAME: {
        "ru": "Уберите оценку клиента; скажите, что произошло, кто и что сделает и когда: «Курьер оставил заказ у "
        "двери — это наше нарушение. Анна вернёт деньги до среды».",
        "en": "Drop the judgement of the customer; say what happened, who does what and by when: “The courier left "
        "the parcel at the door, which is our fault. Anna will refund you by Wednesday.”",
    },
    STALLING: {
        "ru": "Назовите владельца, шаг и срок: «Вопросом занимается Анна из финансового отдела, она ответит до 18:00».",
        "en": "Name the owner, the step and the time: “Anna from finance has your case and will reply by 6 pm.”",
    },
    KB_DUMP: {
        "ru": "Ответьте на то, о чём спросили: что вы проверили в этом случае, кто сделает следующий шаг и когда — "
        "«Анна проверила выплату: банк вернул перевод, она отправит его повторно до 15:00». Статью дайте ссылкой.",
        "en": "Answer what was asked: what you checked in this case, who takes the next step and when — “Anna "
        "checked the payout: the bank returned it, she will resend it by 3 pm.” Link the article instead.",
    },
    REFUSAL: {
        "ru": "Объясните причину (правило, факт) и предложите, что можно сделать вместо, кто и когда: «Вернуть "
        "деньги за сертификат нельзя по п. 7.3 оферты, но Анна продлит его до 30 июня — сегодня до 18:00».",
        "en": "Give the reason (a rule, a fact) and offer what can be done instead, by whom and when: “Gift cards "
        "can't be refunded under section 7.3, but Anna will extend yours to 30 June by 6 pm today.”",
    },
}

PUBLIC_NOTE: dict[str, str] = {
    "ru": "Ответ публичный: его прочитают не только клиент, но и все, кто видит площадку.",
    "en": "This reply is public: everyone on the site will read it, not only the customer.",
}


def _lang(lang: str) -> str:
    return lang if lang in ("ru", "en") else "ru"


def explanation(code: str, fragment: str, lang: str = "ru", *, repeated: bool = False) -> str:
    """Why ``fragment`` carries flag ``code``, in ``lang`` (Russian for any other language)."""
    lang = _lang(lang)
    if repeated:
        return REPEATED[lang]
    short = fragment if len(fragment) <= 80 else fragment[:77].rstrip() + "…"
    return EXPLANATIONS[code][lang].format(fragment=short)


def suggestion(code: str, lang: str = "ru") -> str:
    """What to write instead."""
    return SUGGESTIONS[code][_lang(lang)]


def message(code: str, fragment: str, lang: str = "ru", *, repeated: bool = False, public: bool = False) -> str:
    """The one-line message of the API contract: explanation, then suggestion (and a note for public replies)."""
    parts = [explanation(code, fragment, lang, repeated=repeated), suggestion(code, lang)]
    if public:
        parts.append(PUBLIC_NOTE[_lang(lang)])
    return " ".join(parts)


def label(code: str, lang: str = "ru") -> str:
    return LABELS[code][_lang(lang)]
