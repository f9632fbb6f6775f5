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
