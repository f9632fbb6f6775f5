"""The shipped word vectors: loaded once, paraphrases closer than other topics, unknown words ignored."""

from __future__ import annotations

import numpy as np

from otklik.core.embeddings import DIM, embeddings, similarity


def test_vectors_load_once_per_process_without_importing_natasha() -> None:
    import sys

    assert embeddings() is embeddings()
    assert "natasha" not in sys.modules  # its start-up would load models we never use


def test_a_paraphrase_lies_closer_than_another_topic() -> None:
    vectors = embeddings()
    courier = vectors.text("Курьер приедет через час, а заказ не собран")
    paraphrase = vectors.text("водитель будет через сорок минут, отправление ещё не упаковано")
    refund = vectors.text("Хочу вернуть деньги за платье, оно не подошло по размеру")
    assert similarity(courier, paraphrase) > similarity(courier, refund) + 0.1


def test_text_vectors_are_unit_length_and_unknown_text_is_zero() -> None:
    vectors = embeddings()
    known = vectors.text("Где моя выплата за прошлую неделю?")
    assert known.shape == (DIM,)
    assert abs(float(np.linalg.norm(known)) - 1.0) < 1e-4
    assert not vectors.text("zzqxw qqqzv 12345").any()
    assert not vectors.text("и в на").any()  # stop words alone say nothing


def test_sentence_vectors_tell_a_paraphrase_from_another_question_in_both_languages() -> None:
    from otklik.core.embeddings import SENTENCE_DIM, sentences

    encoder = sentences()
    cancel, cancel_en, refund, again = encoder.encode(
        ["Как отменить заказ?", "How do I cancel my order?", "Когда вернутся деньги за возврат?", "Как отменить заказ?"]
    )
    assert cancel.shape == (SENTENCE_DIM,)
    assert float(cancel @ cancel_en) > float(cancel @ refund) + 0.2
    assert np.array_equal(cancel, again)  # one text, one vector: the encoder keeps what it encoded
