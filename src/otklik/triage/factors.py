"""The factors that make a message urgent, each found by a plain, testable detector.

Real urgent messages rarely say «срочно»: a courier comes in an hour, someone else changed the
bank details, a fine is charged again every day, the writer stands at the pickup point, a child's
medicine is stuck. Each detector below looks for one such factor in the normalised text (lower
case, ``ё`` → ``е``) and reports it as a feature; the urgency model weighs them with everything
else, so a factor alone decides nothing. Pure functions: values in, names out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"(?:\d{1,3}|пол|полу|один|одну|два|две|три|пять|десять|пятнадцать|двадцать|тридцать|сорок|пятьдесят|пару)"
_NUM_EN = r"(?:\d{1,3}|an?|one|two|three|few|couple of|half an?)"


@dataclass(frozen=True, slots=True)
class Factor:
    """A named factor and the patterns of which any one shows it."""

    name: str
    pattern: re.Pattern[str]


def _factor(name: str, *patterns: str) -> Factor:
    return Factor(name, re.compile("|".join(f"(?:{p})" for p in patterns)))


FACTORS: tuple[Factor, ...] = (
    _factor(
        # a deadline today or within hours
        "deadline_soon",
        rf"\bчерез {_NUM}[- ]?(?:\w+ )?(?:минут|мин\b|час)",
        r"\bчерез (?:час|полчаса|полтора часа|несколько (?:минут|часов))\b",
        rf"\b(?:осталось|остается|в течение|меньше|менее|максимум) (?:\w+ )?{_NUM}? ?(?:минут|мин\b|час)",
        r"\b(?:сегодня|до конца дня|к вечеру|до вечера|до ночи)\b.{0,40}\b(?:последний|истекает|заканчивается|"
        r"закрывается|сгорит|сгорает|аннулир|дедлайн|крайний срок)",
        r"\b(?:последний|крайний) (?:день|срок)\b.{0,30}\b(?:сегодня|завтра утром)\b",
        r"\b(?:сегодня|today)\b.{0,12}\b(?:последний день|last day)\b",
        r"\b(?:последний день|last day)\b.{0,20}\b(?:сегодня|today)\b",
        r"\b(?:истекает|заканчивается|закрывается|сгорает|уедет|уезжает|приедет|приезжает|будет)\b.{0,25}"
        r"\b(?:сегодня|через|в \d{1,2}[:.]\d{2}|до \d{1,2}[:.]\d{2})",
        r"\bдо \d{1,2}[:.]\d{2}\b.{0,30}\b(?:сегодня|не успе|иначе|сгор|аннул|штраф|отмен)",
        r"\b(?:сегодня|today)\b.{0,30}\bдо \d{1,2}[:.]?\d{0,2}\b",
        r"\b(?:слот|окно|приемка|курьер|машина|водитель)\b.{0,30}\bчерез\b",
        rf"\bin {_NUM_EN} (?:minutes?|mins?|hours?)\b",
        r"\b(?:within|in) the (?:next )?hour\b",
        r"\b(?:ends?|expires?|closes?|closing|runs? out|deadline)\b.{0,20}\b(?:today|tonight|at \d|in \d)",
        r"\b(?:today|tonight)\b.{0,25}\b(?:deadline|last day|expires?|ends?|closes?)\b",
        r"\bby \d{1,2}(?::\d{2})? ?(?:am|pm|today|tonight)\b",
    ),
    _factor(
        # someone else acts in the account, said without «взлом»
        "someone_else",
        r"\b(?:неизвестн|посторонн|чуж|левый|левого|левые|незнаком)\w* (?:\w+ )?(?:пользовател|админ|сотрудник|"
        r"человек|номер|устройств|вход|аккаунт|учетк|почт|телефон|карт|реквизит|ip)",
        r"\b(?:кто-то|кто то|какой-то|какие-то|неизвестно кто)\b.{0,40}\b(?:зашел|вошел|заходил|входил|поменял|"
        r"сменил|изменил|добавил|удалил|вывел|оформил|заказал|меняет|получил доступ|отвязал|привязал)",
        r"\b(?:поменял|сменил|изменил|изменены|поменяны|сменены|подменил|подменены)\w*\b.{0,40}\b(?:не я|не мы|без "
        r"(?:моего|нашего) ведома|без нас|без меня)",
        r"\b(?:не я|не мы|без (?:моего|нашего) ведома)\b.{0,40}\b(?:поменял|сменил|изменил|заходил|оформлял|"
        r"добавлял|менял|выводил)",
        r"\b(?:уволенн|бывш)\w* (?:\w+ )?(?:менеджер|сотрудник|администратор|админ|работник)",
        r"\b(?:продиктовал|назвал|сообщил|сказал|отправил|переслал)\w* (?:\w+ ){0,3}(?:код|пароль|смс)",
        r"\b(?:представил\w*|назвал\w* себя|якобы)\b.{0,30}\b(?:поддержк|сотрудник|служб|банк|менеджер)",
        r"\b(?:someone|somebody|stranger|unknown (?:user|admin|device|person|login)|not me|wasn'?t me|"
        r"without (?:my|our) (?:knowledge|consent))\b",
        r"\b(?:former|ex-|fired|dismissed) ?(?:employee|manager|admin|staff)",
        r"\b(?:gave|told|read out) (?:\w+ ){0,3}(?:the |my )?(?:code|password)\b",
    ),
    _factor(
        # money or stock being lost while the message is written
        "harm_now",
        r"\b(?:каждый|каждую|каждые|ежедневно|ежечасно)\b.{0,25}\b(?:день|час|минут|сутки)?.{0,25}"
        r"\b(?:списыва|спишут|штраф|начисля|снима|уход)",
        r"\b(?:списыва|начисля|снима|штрафу)\w*\b.{0,25}\b(?:каждый|каждую|каждые|ежедневно|снова и снова|"
        r"опять|повторно|второй раз|третий раз)",
        r"\b(?:продолжа|все еще|до сих пор)\w*\b.{0,20}\b(?:списыва|продава|приход|идут|сыпл|прода|уход|снима)",
        r"\bзаказ\w*\b.{0,20}\b(?:идут|сыпятся|летят|прут|падают|валятся|продолжают)",
        r"\b(?:прямо сейчас|в эту минуту|с каждой минутой|пока (?:я )?пишу|пока мы (?:тут )?пишем|"
        r"на глазах|каждую минуту)\b",
        r"\b(?:по цене|за|стоит|цена)\s+\d[\d ]*(?:р|руб|₽)?\.?\s*(?:вместо|а не)\s+\d",
        r"\b(?:продаем|продается|продают|уходит|уходят)\b.{0,30}\b(?:которого|которых) (?:нет|уже нет)",
        r"\b(?:вернул|вернули|вернулась|вернулся)\w*\b.{0,20}\b(?:банк|выплат|платеж|деньги)",
        r"\b(?:банк|выплат\w*|платеж)\b.{0,20}\b(?:вернул|вернули|вернулась|вернулся|отклонил)",
        r"\b(?:every (?:day|hour|minute)|keeps? (?:charging|selling|coming|debiting)|orders? (?:are |keep )?"
        r"(?:pouring|flooding|coming) in|as we speak|right now|at this moment)\b",
        r"\b(?:charged|debited|fined) (?:\w+ ){0,2}(?:again|twice|every)\b",
    ),
    _factor(
        # the writer (or their driver) is at the warehouse or pickup point now
        "on_site",
        r"\b(?:я|мы|водитель|экспедитор|курьер|машина|грузовик|фура|сотрудник)\b.{0,20}\b(?:сейчас |уже |прямо )?"
        r"(?:стою|стоит|стоим|нахожусь|находится|находимся|жду|ждет|ждем|приехал|приехали|подъехал|торчу|сижу)\b",
        r"\b(?:стою|стоим|нахожусь|находимся|торчу|жду|сижу)\b.{0,20}\b(?:на|у|в|возле|около|перед)\b.{0,12}\b(?:склад|"
        r"пвз|пункт|постамат|ворот|рамп|кпп|офис|приемк|касс|окн)",
        r"\b(?:я|мы|водитель)\b (?:сейчас |уже |прямо )?(?:на|в|у) (?:склад|пвз|пункте|кпп|воротах|рампе|постамат)",
        r"\b(?:мне|нам|водителю)\b.{0,20}\b(?:не выдают|не отдают|не принимают|отказ\w+|не пропускают|не пускают)",
        r"\b(?:i'?m|i am|we'?re|we are|driver is|truck is|standing|waiting)\b.{0,25}\b(?:at|in front of|outside)\b"
        r".{0,15}\b(?:warehouse|pickup|pick-up|point|gate|dock|office|counter|locker)",
    ),
    _factor(
        # health or safety is at stake
        "health",
        r"\b(?:лекарств|инсулин|препарат|медикамент|антибиотик|ингалятор|тест-полоск|глюкометр|детск\w* питани|"
        r"смес[ьи] для|инвалидн|кресло-коляск|коляск|кислород)",
        r"\b(?:искрит|дымит|задымил|загорел|воспламен|взорвал|ударило током|удар током|ожог|обжег|отравил|"
        r"аллерги)",
        r"\b(?:medicine|medication|insulin|inhaler|baby formula|wheelchair|oxygen|epipen|sparks?|sparking|smoke|"
        r"caught fire|burn(?:ed|t)|electric shock|poison)",
    ),
    _factor(
        # buyers see something wrong on the shop's cards now
        "shown_to_buyers",
        r"\b(?:покупател|клиент)\w*\b.{0,40}\b(?:видят|получают|покупают|заказывают|смотрят)\b.{0,40}"
        r"\b(?:чуж|подделк|фейк|не наш|не то|паленк|копи)",
        r"\b(?:склеил|склеен|объединил|объединен|прицепил)\w*\b.{0,40}\b(?:чуж|подделк|фейк|не наш)",
        r"\b(?:buyers|customers)\b.{0,30}\b(?:see|seeing|getting|buying)\b.{0,30}\b(?:fake|counterfeit|someone else)",
    ),
)
NAMES: tuple[str, ...] = tuple(f.name for f in FACTORS)
_NOT_URGENT = re.compile(r"\b(?:не срочно|несрочн|не горит|ничего не горит|not urgent|no rush|no hurry)\b")


def urgency_factors(normalised: str) -> list[str]:
    """Names of the factors present in ``normalised`` text, in ``NAMES`` order; a message that
    says it is not urgent has none (its own word outranks a guess)."""
    if _NOT_URGENT.search(normalised):
        return []
    return [f.name for f in FACTORS if f.pattern.search(normalised)]
