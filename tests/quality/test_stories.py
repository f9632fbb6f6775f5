"""Stories 2 and 4 of docs/stories.md: the checker blocks the first drafts and says what to write."""

from __future__ import annotations

from otklik.quality import check_reply


def test_story_2_svetlanas_public_payout_complaint() -> None:
    draft = "Мы понимаем ваше негодование, постараемся разобраться"
    result = check_reply(draft, customer_message="Выплата «в обработке» уже 12 дней!", public=True)
    assert not result.ok
    assert [f.code for f in result.flags] == ["cliche", "hedging"]
    cliche, hedging = result.flags
    assert draft[cliche.start : cliche.end] == "Мы понимаем ваше негодование"
    assert draft[hedging.start : hedging.end] == "постараемся разобраться"
    for flag in result.flags:
        assert "Анна" in flag.suggestion  # an example with an owner, a step and a time
        assert "публичный" in flag.message
    assert "15:00" in hedging.suggestion


def test_story_4_the_hacked_account() -> None:
    draft = "К большому сожалению, не имеем возможности компенсировать потраченный сертификат. Надеемся на понимание."
    result = check_reply(draft, public=True)
    assert not result.ok
    by_code = {f.code: f for f in result.flags}
    assert set(by_code) == {"refusal_without_reason", "blame"}
    assert by_code["refusal_without_reason"].fragment.startswith("К большому сожалению, не имеем возможности")
    assert by_code["blame"].fragment == "Надеемся на понимание"
    assert "причину" in by_code["refusal_without_reason"].suggestion
    assert "вместо" in by_code["refusal_without_reason"].suggestion


def test_story_4_the_reply_that_passes() -> None:
    better = (
        "Проверкой занимается Дмитрий из службы безопасности. Он уже видит вход с нового устройства 3 ноября "
        "и заблокировал списания. До пятницы он закончит проверку и вернёт 5000 рублей на новый сертификат."
    )
    assert check_reply(better, public=True).ok


def test_messages_follow_the_requested_language() -> None:
    draft = "Мы понимаем ваше негодование, постараемся разобраться"
    english = check_reply(draft, message_lang="en", public=False)
    assert english.lang == "ru"
    assert english.flags[0].message.startswith("“Мы понимаем ваше негодование” is a stock phrase")
    assert "public" not in english.flags[0].message
    assert english.flags[0].label == "Stock empathy"
