"""Pure decisions of the self-service bot: what the customer's words signal, and whether to answer
with an article or hand the conversation to a person.

Everything here takes values (the customer's analysed words, the retrieval's best candidate, the
triage urgency, what the bot already did in this conversation) and returns values; no database,
no clock. The order of ``decide`` is the policy: a person asked for, «не помогло», urgency and
personal cases always win over any article, however confident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz

#: a question is «the same» as an earlier one of the conversation at this similarity (0–100)
SAME_QUESTION = 88


class Action(StrEnum):
    ANSWER = "answer"
    HANDOFF = "handoff"
    THANKS = "thanks"
    WAIT = "wait"


class HandoffReason(StrEnum):
    """Why the bot hands off; the note reads it as the catalogue's ``bot.reason.<code>``."""

    ASKED_FOR_PERSON = "asked_for_person"
    DID_NOT_HELP = "did_not_help"
    URGENT = "urgent"
    PERSONAL_CASE = "personal_case"
    ASKED_AGAIN = "asked_again"
    NOT_CONFIDENT = "not_confident"
    PART_NOT_COVERED = "part_not_covered"


@dataclass(frozen=True, slots=True)
class Word:
    """One word of the customer's message: its form, lemma and grammemes (Russian only)."""

    form: str
    lemma: str
    grammemes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Utterance:
    """The customer's new message(s), analysed: ``text`` is lower-cased with ``ё`` → ``е``."""

    text: str
    words: tuple[Word, ...]
    content: tuple[str, ...] = ()  # index terms (no stop words): empty means a greeting or filler


@dataclass(frozen=True, slots=True)
class Candidate:
    """The retrieval's best article for the question and the calibrated probability it answers it."""

    article_id: int
    confidence: float
    #: a part of the question the article does not answer: the bot hands off, naming it
    unanswered_part: str | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    """What the bot already did in this conversation."""

    offered: frozenset[int] = frozenset()
    questions: tuple[str, ...] = ()
    answered: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reason: str
    article_id: int | None = None
    confidence: float = 0.0
    signals: tuple[str, ...] = field(default=())


# ---- what the words signal ------------------------------------------------------------------

#: who the customer may ask for; the weak words also name a seller's own staff («добавить сотрудника»)
_PERSON_STRONG = frozenset({"оператор", "специалист", "консультант", "саппорт", "агент", "живой"})
_PERSON_WEAK = frozenset({"человек", "сотрудник", "менеджер"})
_PERSON_EN = re.compile(r"\b(?:operator|human|person|agent|someone real|real people|live chat|manager)\b")
#: verbs that ask for someone; a weak person word needs one of them said as a request
_CALL = frozenset(
    {
        "позвать",
        "соединить",
        "связать",
        "связаться",
        "переключить",
        "перевести",
        "подключить",
        "дать",
        "нужный",
        "хотеть",
        "пригласить",
        "вызвать",
        "поговорить",
        "пообщаться",
        "общаться",
        "требовать",
        "просить",
    }
)
_CALL_ALWAYS = frozenset({"нужный", "хотеть", "просить", "требовать", "поговорить", "пообщаться", "общаться"})
_ASK_PERSON_RU = re.compile(
    r"\b(?:живо(?:й|го|му|м) (?:человек|оператор|сотрудник)\w*|с (?:человеком|оператором|людьми)|"
    r"не (?:с )?бот(?:ом)?\b|без бота|хватит бота|надоел бот)"
)
_ASK_PERSON_EN = re.compile(
    r"\b(?:(?:talk|speak|chat|connect|transfer|put)\w* (?:me )?(?:to|with|through to) (?:a |an |the |your )?"
    r"(?:human|person|agent|operator|someone|somebody|manager|support)|real (?:person|human)|human agent|"
    r"not a bot|no bots?)\b"
)
_NOT_HELPED = re.compile(
    r"(?:\bне (?:помогл|помога|помож|сработал|работает (?:ваш|эт)|подходит|подошл|решил|решает|то\b|об этом|"
    r"про (?:это|то)|отвечает на|ответ\b|ответил|понятно|понял)|\bбесполезн|\bэто не ответ|\bмимо\b|\bерунд|"
    r"\bчушь|\bне в тему|\bне по теме|\bни о чем)"
)
_NOT_HELPED_EN = re.compile(
    r"\b(?:did ?n[o']?t help|does ?n[o']?t help|not help(?:ful|ing)|no help|useless|not what i (?:asked|need|meant)|"
    r"wrong (?:article|answer)|that'?s not it|not my question|doesn'?t answer|did ?n[o']?t answer|not working)\b"
)
_THANKS = re.compile(
    r"\b(?:спасибо|благодар|помогло|помогла|разобрал(?:ся|ась|ись)|все понятно|понятно|ясно|отлично|супер|"
    r"thank|thanks|thx|got it|that helped|it helped|great|perfect)\b"
)

#: verbs that ask for advice, not for an action on the customer's case («подскажите», «помогите»)
_ADVISORY = frozenset(
    {
        "подсказать",
        "сказать",
        "объяснить",
        "помочь",
        "уточнить",
        "посоветовать",
        "рассказать",
        "показать",
        "извинить",
        "простить",
        "подождать",
        "пояснить",
        "напомнить",
        "прошу",
        "ответить",
        "написать",
    }
)
#: something was done to the customer's order, money or access (a past plural: «списали», «потеряли»)
_ADVERSE = frozenset(
    {
        "списать",
        "удержать",
        "снять",
        "потерять",
        "украсть",
        "взломать",
        "заблокировать",
        "отменить",
        "отклонить",
        "обмануть",
        "испортить",
        "разбить",
        "подменить",
        "потратить",
        "нагрубить",
        "отказаться",
        "начислить",
        "оштрафовать",
        "пропасть",
        "задержать",
        "сломать",
        "повредить",
    }
)
#: something that should have come did not («не пришёл», «не вернули», «не получили»)
_MISSING = frozenset(
    {
        "прийти",
        "приехать",
        "вернуть",
        "получить",
        "привезти",
        "доставить",
        "выдать",
        "отдать",
        "перечислить",
        "поступить",
        "зачислить",
        "выплатить",
        "прислать",
        "отправить",
    }
)
_ME = frozenset({"мне", "меня", "мной", "нам", "нас", "мой", "моя", "мое", "мои", "моего", "моей", "моих", "моим"})
_ME_EN = re.compile(r"\b(?:charged me|my (?:order|money|account|card|parcel|package|refund)|me (?:twice|again))\b")
_INFO = frozenset(
    {
        "как",
        "где",
        "когда",
        "сколько",
        "почему",
        "зачем",
        "куда",
        "какой",
        "каков",
        "можно",
        "нужно",
        "ли",
        "что-то",
        "скока",
        "откуда",
        "чем",
    }
)
_INFO_PHRASE = re.compile(r"\b(?:что (?:делать|значит|будет|такое|нужно|мне делать)|есть ли|в течение какого)\b")
_IDENTIFIER = re.compile(r"(?:№\s*\d+|\b\d{4,}\b(?!\s*(?:год|г\.|г\b))|\b\d[\d\s]*(?:руб|₽|р\.|тыс))")
_DEMAND_PHRASE = re.compile(
    r"\b(?:требую|требуем|хочу (?:компенсац|жалоб|пожаловат|вернуть (?:мои |свои )?деньг|свои деньги|деньги)|"
    r"нужна компенсац|верните|компенсируйте|разберитесь|прошу (?:вернуть|проверить|разобраться|"
    r"отменить|компенсировать|разблокировать|перевести|начислить)|(?:жалоба|жалуюсь) на (?:продавц|курьер|"
    r"сотрудник|пвз|пункт|оператор))"
)
_DEMAND_EN = re.compile(
    r"(?:^|[.!?]\s*)(?:refund|cancel|give|send|fix|check|return|unblock|unlock|compensate)\b|"
    r"\b(?:i want (?:a |my )?(?:refund|money|compensation)|i demand|complain)\b"
)
_WAITING = re.compile(
    r"\b(?:жд(?:у|ем)\b(?:\s+\w+){0,3}?\s+(?:день|дня|дней|недел\w*|месяц\w*|час\w*)|"
    r"уже\s+(?:\d+|два|две|три|четыре|пять|шесть|десять)\s+(?:день|дня|дней|недел\w*|месяц\w*|час\w*)|"
    r"уже (?:неделю|месяц)|до сих пор|(?:третий|второй|который|пятый) раз|сколько можно|"
    r"(?:for|waiting) (?:\d+|two|three) (?:days|weeks)|still (?:no|not|nothing))"
)
_ACCOUNT_USE = r"(?:заказал|потратил|вош[её]л|заш[её]л|сменил|поменял|оформил|списал|взломал|использовал|воспользовал)"
_OTHER_PERSON = r"(?:кто-то|посторонн\w+|чуж\w+)"
_SOMEONE_ELSE = re.compile(
    rf"\b(?:{_OTHER_PERSON}(?:\s+\w+){{0,3}}?\s+{_ACCOUNT_USE}|{_ACCOUNT_USE}\w*(?:\s+\w+){{0,2}}?\s+{_OTHER_PERSON}|"
    r"от вашего имени|мошенник\w*|(?:someone|somebody) (?:hacked|logged|used|ordered|spent|changed|placed)|"
    r"scam\w*|fraud\w*|hacked)"
)
_OUTAGE = re.compile(
    r"\b(?:(?:весь|вообще|совсем|ничего|всё|все) (?:\w+ )?не (?:работает|грузится|открывается)|"
    r"(?:лежит|упал) (?:весь |сайт|кабинет|апи|api)|не можем (?:работать|собрать|отгрузить))"
)


def _has_info_question(u: Utterance) -> bool:
    return (
        any(w.form in _INFO or w.lemma in _INFO for w in u.words)
        or bool(_INFO_PHRASE.search(u.text))
        or (bool(re.search(r"\b(?:how|where|when|what|why|can i|can you|do i|is there|which)\b", u.text)))
    )


def asks_for_person(u: Utterance) -> bool:
    """«позовите оператора», «нужен живой человек», «человека!», "talk to a human"."""
    if _ASK_PERSON_RU.search(u.text) or _ASK_PERSON_EN.search(u.text):
        return True
    lemmas = {w.lemma for w in u.words}
    strong, weak = bool(lemmas & _PERSON_STRONG), bool(lemmas & _PERSON_WEAK)
    if strong and lemmas & _CALL:
        return True
    calls = {w.lemma for w in u.words if w.lemma in _CALL and ("impr" in w.grammemes or w.lemma in _CALL_ALWAYS)}
    if weak and calls:
        return True
    content = [w for w in u.words if len(w.form) > 2]
    # «Оператор!», «человека пожалуйста», "agent please"
    return len(content) <= 3 and bool(strong or weak or _PERSON_EN.search(u.text))


def says_not_helped(u: Utterance) -> bool:
    """«не помогло», «это не то», «бесполезно», "didn't help"."""
    return bool(_NOT_HELPED.search(u.text) or _NOT_HELPED_EN.search(u.text))


def says_thanks(u: Utterance) -> bool:
    """A short «спасибо, помогло» with no new question."""
    return bool(_THANKS.search(u.text)) and "?" not in u.text and len(u.words) <= 8 and not says_not_helped(u)


def personal_signals(u: Utterance) -> list[str]:
    """Why this reads as the customer's own case that a person must check (empty: a general question).

    ``identifier`` an order, supply or card number or a sum; ``demand`` asks us to act («верните»,
    «разберитесь», «требую»); ``adverse_event`` something was done to them or did not come
    («списали», «не пришёл») told as a fact or about «мой»/«мне»; ``waiting`` how long they have
    waited; ``someone_else`` another person used their account; ``outage`` nothing works for them.
    """
    signals: list[str] = []
    if _IDENTIFIER.search(u.text):
        signals.append("identifier")
    if _demands(u):
        signals.append("demand")
    if _adverse_event(u):
        signals.append("adverse_event")
    if _WAITING.search(u.text):
        signals.append("waiting")
    if _SOMEONE_ELSE.search(u.text):
        signals.append("someone_else")
    if _OUTAGE.search(u.text):
        signals.append("outage")
    return signals


def _demands(u: Utterance) -> bool:
    if _DEMAND_PHRASE.search(u.text) or _DEMAND_EN.search(u.text):
        return True
    return any("impr" in w.grammemes and "VERB" in w.grammemes and w.lemma not in _ADVISORY for w in u.words)


def _adverse_event(u: Utterance) -> bool:
    words = u.words
    mine = any(w.form in _ME for w in words) or bool(_ME_EN.search(u.text))
    event = False
    for i, w in enumerate(words):
        if "past" not in w.grammemes:
            continue
        negated = i > 0 and words[i - 1].form in {"не", "ни"}
        if (w.lemma in _ADVERSE and ("plur" in w.grammemes or mine)) or (negated and w.lemma in _MISSING):
            event = True
            break
    if not event and re.search(
        r"\b(?:never (?:arrived|came|got)|charged (?:me )?twice|was(?:n't| not) refunded)\b", u.text
    ):
        event = True
    return event and (mine or not _has_info_question(u))


def has_content(u: Utterance) -> bool:
    """Whether the message says anything beyond a greeting or filler."""
    return bool(u.content)


def same_question(question: str, earlier: tuple[str, ...]) -> bool:
    """The customer asks what they already asked (typos and word order aside)."""
    return any(fuzz.token_set_ratio(question, before) >= SAME_QUESTION for before in earlier if before)


# ---- the decision ---------------------------------------------------------------------------


def decide(
    u: Utterance,
    *,
    best: Candidate | None,
    threshold: float,
    urgent: bool,
    conversation: Conversation = Conversation(),
) -> Decision:
    """Answer with ``best`` only when nothing calls for a person and it is confident enough.

    The order: a person asked for → hand off; after an answer, «не помогло» → hand off and a
    short thanks → nothing to do; a greeting alone → wait for the question; urgent triage → hand
    off; a personal case → hand off; the same question again, or an article already offered → hand
    off (never the same answer twice); not confident enough → hand off; an article that answers
    only one part of a two-part question → hand off, naming the part; otherwise answer.
    """
    confidence = best.confidence if best is not None else 0.0
    if asks_for_person(u):
        return Decision(Action.HANDOFF, HandoffReason.ASKED_FOR_PERSON, confidence=confidence)
    if conversation.answered and says_not_helped(u):
        return Decision(Action.HANDOFF, HandoffReason.DID_NOT_HELP, confidence=confidence)
    if conversation.answered and says_thanks(u):
        return Decision(Action.THANKS, "thanks", confidence=confidence)
    if not has_content(u):
        return Decision(Action.WAIT, "no_question_yet", confidence=confidence)
    if urgent:
        return Decision(Action.HANDOFF, HandoffReason.URGENT, confidence=confidence)
    signals = tuple(personal_signals(u))
    if signals:
        return Decision(Action.HANDOFF, HandoffReason.PERSONAL_CASE, confidence=confidence, signals=signals)
    if same_question(u.text, conversation.questions) or (best is not None and best.article_id in conversation.offered):
        return Decision(Action.HANDOFF, HandoffReason.ASKED_AGAIN, confidence=confidence)
    if best is None or confidence < threshold:
        return Decision(Action.HANDOFF, HandoffReason.NOT_CONFIDENT, confidence=confidence)
    if best.unanswered_part:
        return Decision(
            Action.HANDOFF, HandoffReason.PART_NOT_COVERED, confidence=confidence, signals=(best.unanswered_part,)
        )
    return Decision(Action.ANSWER, "confident", article_id=best.article_id, confidence=confidence)
