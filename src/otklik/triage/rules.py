"""Pure triage rules: high-precision urgent signals over lemmas, and the outside numbers a
message quotes (orders, supplies, SKUs, claims, tickets).

Urgent rules fire only on an affirmed, present situation: a negation right before the signal
(«не стою на складе»), a condition (`если`, `вдруг`, `if`) shortly before it, or an explicit
«не срочно» anywhere switches them off; the model still judges such messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

#: the lemma before a signal that negates it
_NEGATING = frozenset({"не", "нет", "ни", "not", "no", "never", "isnt", "dont", "didnt", "doesnt", "aren", "wasn"})
#: lemmas shortly before a signal that make it hypothetical
_CONDITIONAL = frozenset({"если", "вдруг", "случай", "предположим", "if", "suppos", "whether", "когда-нибудь"})
#: words that may stand between a negation and what it negates («not a hack», «не был взломан»)
_NEGATION_BRIDGES = frozenset({"a", "an", "the", "быть", "это", "же", "то", "совсем", "точно"})
_CONDITION_WINDOW = 6
#: a message that says so itself is not urgent by rule
_NOT_URGENT = re.compile(r"(?:^| )(?:не срочно|несрочный|not urgent|no rush|не горит)(?: |$)")

_PLACE = r"(?:склад|рампа|ворота|пвз|приемка|пункт(?: выдача| прием)?|постамат)"
_PLACE_EN = r"(?:warehous\w*|gate|pickup point|dock)"
#: words that say «right now» (at least one is required where the verb does not say it)
_NOW_WORD = r"(?:сейчас|уже|прямо|тут|здесь|щас|right now|now|still|currently)"
_NOW = r"(?:(?:сейчас|уже|прямо|тут|здесь|с|утро|час|два|три|\d+|right|now|still|currently)\s)*"


def _gap(most: int) -> str:
    """Up to ``most`` words that are not negations («выплаты не заблокированы» is no signal)."""
    return rf"(?:(?!(?:не|нет|not|no|never) )\S+ ){{0,{most}}}"


@dataclass(frozen=True, slots=True)
class UrgentRule:
    """A named signal; ``pattern`` runs over the space-joined lemmas of the message. When given,
    ``requires`` must also occur somewhere in the message and ``unless`` must not."""

    name: str
    pattern: re.Pattern[str]
    requires: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None

    def holds_in(self, joined: str) -> bool:
        if self.requires is not None and not self.requires.search(joined):
            return False
        return self.unless is None or not self.unless.search(joined)


def _rule(name: str, *patterns: str, requires: str | None = None, unless: str | None = None) -> UrgentRule:
    return UrgentRule(
        name,
        re.compile("|".join(f"(?:{p})" for p in patterns)),
        re.compile(requires) if requires else None,
        re.compile(unless) if unless else None,
    )


_CARRIER = r"(?:водитель|экспедитор|машина|грузчик|сотрудник|курьер)"
_GOODS = r"(?:поставка|машина|водитель|короб|паллета|отправление|груз|экспедитор)"
_SHIPPING_CONTEXT = (
    r"\b(?:склад|поставка|машина|водитель|приемка|приемщик|ворота|рампа|короб|паллета|экспедитор|отправление|"
    r"фбс|фбо|слот|курьер|сборочный|warehous\w*|truck|driver|suppli\w*|gate|unload\w*)\b"
)
_CABINET = r"(?:кабинет|личный кабинет|api|апи|интеграция|сайт продавец|система)"
_WHOLE = r"(?:вообще|совсем|полностью|целиком|опять|снова|весь|ни у|у все|у никто|с утро|уже)"

URGENT_RULES: tuple[UrgentRule, ...] = (
    _rule(
        "at_the_place_now",
        rf"\b(?:стоять|находиться|ждать|простаивать|торчать) {_NOW}(?:на|у|в|около|возле|под) (?:\d+ )?{_PLACE}\b",
        rf"\b(?:я|мы|{_CARRIER}) (?:{_NOW_WORD} )+(?:на|в|у) (?:\d+ )?{_PLACE}\b",
        rf"\b(?:{_PLACE}) (?:{_NOW_WORD} )*(?:стоять|находиться|ждать)\b",
        r"\b(?:водитель|экспедитор|машина) (?:уже |сейчас )?(?:на место|тут|здесь)\b",
        r"\b(?:я|мы) (?:на|у|возле|около) (?:\d+ )?(?:склад|рампа|ворота|приемка)\b",
        r"\b(?:я|мы) (?:у|возле|около) (?:пвз|пункт|постамат)\b",
        rf"\b(?:i_am|we_are|driver is|driver has been|truck is) {_gap(3)}(?:at|in) (?:the )?{_gap(2)}{_PLACE_EN}\b",
    ),
    _rule(
        "refused_now",
        r"\bотказываться (?:принимать|принять|пускать|разгружать|брать)\b",
        rf"\bне (?:принимать|пускать|разгружать) {_gap(2)}(?:на |в )?(?:склад|рампа|ворота|{_GOODS})\b",
        rf"\b{_GOODS} {_gap(2)}не (?:принимать|пускать|разгружать)\b",
        r"\bразворачивать (?:\w+ )?(?:машина|водитель|поставка|экспедитор|грузовик)\b",
        r"\bничего не (?:принимать|разгружать)\b",
        r"\b(?:refus\w*|wont) (?:to )?(?:accept|unload|let)\w*",
        requires=_SHIPPING_CONTEXT,
        unless=r"\b(?:возврат|return)\b",
    ),
    _rule(
        "account_compromised",
        r"\b(?:взломать|взлом|взламывать|увести аккаунт|украсть аккаунт|угнать аккаунт)\b",
        rf"\bмошенник {_gap(3)}(?:доступ|войти|зайти|вывести)",
        rf"\b(?:кто-то|кто то|посторонний|чужой) {_gap(2)}"
        r"(?:зайти|войти|вход|вошел|менять|оформлять|удалить|получить доступ)",
        rf"\b(?:пароль|почта|вход) {_gap(4)}(?:сменить|поменять|изменить|выполнить)? ?не (?:я|мы)\b",
        r"\b(?:hack\w*|compromis\w*|someon (?:logged|chang|is insid)\w*)",
    ),
    _rule(
        "locked_out",
        r"\bне (?:мочь|получаться|удаваться) (?:\w+ )?(?:войти|зайти|авторизоваться|попасть)"
        r"(?: (?:в|на) (?:кабинет|аккаунт|личный|профиль|акк|система|сайт)\b|$| [?!])",
        r"\bне пускать (?:в|на) (?:кабинет|аккаунт|личный|сайт)\b",
        r"\bпотерять доступ\b",
        r"\bнет доступ (?:в|к) (?:кабинет|аккаунт|личный)\b",
        rf"\bдоступ (?:в|к) (?:кабинет|аккаунт) {_gap(1)}(?:ограничить|заблокировать)\b",
        r"\b(?:cant|cannot|can not) (?:log|sign) ?in\b",
        r"\block\w* out\b",
    ),
    _rule(
        "payouts_blocked",
        rf"\b(?:выплата|вывод|вывод средство|вывод деньги) {_gap(2)}"
        r"(?:заблокировать|заморозить|приостановить|остановить|блокировать|стопнуть)\b",
        rf"\b(?:заблокировать|заморозить|приостановить) {_gap(1)}(?:выплата|вывод)\b",
        rf"\b(?:payout|withdraw)\w* {_gap(2)}(?:block|frozen|freez|suspend)\w*",
    ),
    _rule(
        "money_draining",
        rf"\bсписывать(?:ся)? {_gap(3)}(?:прямо сейчас|сейчас|на глаз|каждый|продолжать)\b",
        rf"\b(?:прямо сейчас|на глаз|каждый \S+ (?:минута|час)) {_gap(3)}(?:списывать|списание|уходить)",
        rf"\b(?:идти|продолжаться) {_gap(1)}списание\b",
        rf"\b(?:деньга|деньги|средство) {_gap(3)}(?:исчезнуть|пропасть)\b",
        r"\b(?:исчезнуть|пропасть) (?:все )?(?:деньга|деньги)\b",
        r"\bсписать все деньги\b",
        rf"\bdebit\w* {_gap(4)}right now\b",
        r"\bmoney \S+ vanish",
    ),
    _rule(
        "cabinet_down",
        rf"\b{_CABINET} {_gap(2)}(?:не (?:открываться|загружаться|грузиться)|лежать|упасть|недоступный|мертвый)\b",
        rf"\b{_CABINET} (?:{_WHOLE} )?не работать(?: {_WHOLE}\b|$| [?!])",
        rf"\b(?:весь|все) (?:{_CABINET}|сервис|страница) {_gap(1)}(?:недоступный|не работать|лежать|не грузиться"
        r"|не открываться)\b",
        r"\bничего не (?:работать|грузиться|загружаться|открываться)(?: [?!]|$| ни)",
        r"\bни один страница\b",
        r"\bне (?:мочь|получаться|удаваться) (?:открыть|загрузить) (?:личный )?кабинет\b",
        r"\b(?:все|весь) (?:опять |снова |уже )?(?:лежать|лечь|упасть)\b",
        rf"\b(?:api|апи) {_gap(2)}(?:500|502|503|504) на (?:все|каждый)\b",
        rf"\b(?:dashboard|cabinet|portal|site|api)\w* {_gap(3)}down\b",
        r"\b(?:noth (?:load|work)|(?:for|on) everi (?:request|call))",
    ),
    _rule(
        "sales_stopped",
        rf"\b(?:весь|все) {_gap(2)}(?:карточка|товар|магазин) {_gap(4)}(?:заблокировать|скрыть|недоступный)\b",
        r"\bмагазин (?:полностью |целиком )?(?:скрыть|заблокировать)\b",
        rf"\bпродажа {_gap(1)}(?:встать|остановиться|стоять) {_gap(1)}(?:сейчас|прямо|полностью)\b",
        r"\bпокупать прямо сейчас\b",
    ),
    _rule(
        "not_handed_over",
        r"\b(?:не выдавать|не отдавать|отказываться выдавать) (?:мне )?заказ\b",
        r"\bзаказ не (?:выдавать|отдавать)\b",
        r"\bwont (?:give|hand)\w* (?:\w+ ){0,2}order\b",
    ),
)
#: lemmas right after a signal that place it in the past («взломали в прошлом месяце»), or make
#: it a backlog of days rather than a person blocked this minute («не принимают уже неделю»)
_PAST = frozenset({"прошлый", "давно", "раньше", "last", "ago", "день", "неделя", "месяц", "week", "day", "month"})
_PAST_WINDOW = 5


def _affirmed(lemmas: Sequence[str], start: int, end: int) -> bool:
    """Whether the signal on tokens ``start:end`` is neither negated, past nor hypothetical."""
    if start >= 1 and lemmas[start - 1] in _NEGATING:
        return False
    if start >= 2 and lemmas[start - 2] in _NEGATING and lemmas[start - 1] in _NEGATION_BRIDGES:
        return False
    if any(lemma in _PAST for lemma in lemmas[start : start + _PAST_WINDOW]):
        return False
    return not any(lemma in _CONDITIONAL for lemma in lemmas[max(0, start - _CONDITION_WINDOW) : end])


def urgent_signals(lemmas: Sequence[str]) -> list[str]:
    """Names of the urgent rules that fire on ``lemmas`` (in rule order, each at most once)."""
    joined = " ".join(lemmas)
    if _NOT_URGENT.search(joined):
        return []
    # token index of every character offset where a token starts
    starts: dict[int, int] = {}
    offset = 0
    for index, lemma in enumerate(lemmas):
        starts[offset] = index
        offset += len(lemma) + 1
    fired = []
    for rule in URGENT_RULES:
        if not rule.holds_in(joined):
            continue
        for match in rule.pattern.finditer(joined):
            begin = match.start()
            while begin not in starts and begin > 0:
                begin -= 1
            first = starts.get(begin, 0)
            if _affirmed(lemmas, first, first + match.group(0).count(" ") + 1):
                fired.append(rule.name)
                break
    return fired


# ---- references ----------------------------------------------------------------------------

REFERENCE_KINDS = ("order", "supply", "sku", "claim", "ticket")
_NUMBER_SIGN = r"(?:№|n|#|no\.?|номер(?:ом|а|у)?|number|id|:|-)?"
_LIST_GAP = r"(?:\s*(?:,|и|and|or|или|;)\s*)"
_DIGITAL = r"\d{5,}(?:-\d{1,6}){0,2}"
_CODE = r"(?=[a-z0-9-]*\d)[a-z0-9]+(?:-[a-z0-9]+){0,3}"
_KEYWORDS: tuple[tuple[str, str, str], ...] = (
    ("ticket", r"обращени[еяюий]\w*|тикет\w*|ticket|case|запрос[аеу]?", r"\d{5,9}"),
    (
        "claim",
        r"претензи\w*|рекламаци\w*|claim|заявк\w* на (?:возврат|компенсаци\w*)|возврат(?:а|у|ом)?|return",
        r"\d{4,12}",
    ),
    ("supply", r"поставк\w*|поставок|supply|supplies|shipment", rf"(?:wb-gi-)?{_DIGITAL}|{_DIGITAL}"),
    ("order", r"заказ\w*|order|отправлени\w*|posting", _DIGITAL),
    ("sku", r"артикул\w*|арт\.?|sku|skus|nm ?id|nmid|номенклатур\w*|listing", rf"{_CODE}"),
)
_FILLER = r"(?:\s+(?:(?:№|n|#|no\.?|номер(?:ом|а|у)?|number|id)\s*)?|\s*[:#№-]\s*)"


def _keyword_pattern(keyword: str, value: str) -> re.Pattern[str]:
    one = rf"(?<![\w-])(?:{value})(?![\w-])"
    return re.compile(
        rf"(?<![\w])(?:{keyword}){_FILLER}(?P<values>{one}(?:{_LIST_GAP}(?:№|#)?\s*{one})*)", re.IGNORECASE
    )


_PATTERNS = tuple((kind, _keyword_pattern(keyword, value), value) for kind, keyword, value in _KEYWORDS)
_HASH_TICKET = re.compile(r"(?<![\w#])#\s?(\d{5,9})(?![\w-])")


def extract_references(text: str) -> list[tuple[str, str]]:
    """Outside numbers ``text`` quotes, as ``(kind, value)`` in order of appearance, each once.

    Numbers are recognised by the word before them («заказ 1187734521», «поставки №28113452
    и 28113453», «арт. TS-0451», «претензия 77120», «обращение 10234», ``#10234``). A bare
    ``#10234`` with no other keyword is a ticket number. Values keep their case (SKUs).
    """
    found: list[tuple[int, str, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, value in _PATTERNS:
        one = re.compile(rf"(?<![\w-])(?:{value})(?![\w-])", re.IGNORECASE)
        for match in pattern.finditer(text):
            begin, end = match.span("values")
            if any(begin < t_end and t_begin < end for t_begin, t_end in taken):
                continue
            taken.append((begin, end))
            for number in one.finditer(text, begin, end):
                found.append((number.start(), kind, number.group(0)))
    for match in _HASH_TICKET.finditer(text):
        begin = match.start(1)
        if not any(t_begin <= begin < t_end for t_begin, t_end in taken):
            found.append((begin, "ticket", match.group(1)))
    seen: set[tuple[str, str]] = set()
    result = []
    for _, kind, value in sorted(found):
        if kind == "sku" and not any(ch.isdigit() for ch in value):
            continue
        key = (kind, value.upper() if kind == "sku" else value)
        if key not in seen:
            seen.add(key)
            result.append(key)
    return result
