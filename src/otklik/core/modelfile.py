"""What the shipped linear models (triage, the reply checker's detector) share: a pickle-free
``.npz`` file of numeric arrays, string lists and JSON ``meta``, read with numpy alone; and the
serve-time TF-IDF block that reproduces scikit-learn's vectoriser, so scikit-learn is needed only
to train."""

from __future__ import annotations

import io
import json
import math
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]
M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class Block:
    """One TF-IDF block: its vocabulary, idf weights, weight in the joint vector and offset."""

    vocabulary: dict[str, int]
    idf: Floats
    weight: float
    offset: int

    def vector(self, features: list[str]) -> tuple[list[int], list[float]]:
        """Indices (global) and values of the block's l2-normalised, sublinear TF-IDF."""
        counts = Counter(f for f in features if f in self.vocabulary)
        if not counts:
            return [], []
        index = [self.vocabulary[f] for f in counts]
        values = [(1.0 + math.log(c)) * float(self.idf[i]) for i, c in zip(index, counts.values(), strict=True)]
        norm = math.sqrt(sum(v * v for v in values)) or 1.0
        scale = self.weight / norm
        return [i + self.offset for i in index], [v * scale for v in values]

    def known(self, features: list[str]) -> int:
        """How many distinct features of the block the message has."""
        return len({f for f in features if f in self.vocabulary})


def pack_strings(values: list[str]) -> npt.NDArray[np.uint8]:
    return np.frombuffer("\n".join(values).encode(), dtype=np.uint8)


def unpack_strings(raw: npt.NDArray[np.uint8]) -> list[str]:
    return raw.tobytes().decode().split("\n") if raw.size else []


def save(path: Path, arrays: dict[str, Any], meta: dict[str, Any], strings: dict[str, list[str]]) -> None:
    """Write a model file: numeric arrays, string lists (``s_<name>``) and the JSON ``meta``, no
    pickles; written aside and moved into place, so a reader never sees half a file."""
    payload: dict[str, Any] = {k: np.asarray(v) for k, v in arrays.items()}
    payload.update({f"s_{k}": pack_strings(v) for k, v in strings.items()})
    payload["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False, sort_keys=True).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **payload)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)


def read_meta(data: Any) -> dict[str, Any]:
    """The JSON ``meta`` of an open model file."""
    meta: dict[str, Any] = json.loads(data["meta"].tobytes().decode())
    return meta


class LoadedOnce(Generic[M]):
    """Model files read once per process, by path; ``forget`` after training wrote a new one."""

    def __init__(self, load: Callable[[Path], M]) -> None:
        self._load = load
        self._loaded: dict[Path, M] = {}
        self._lock = threading.Lock()

    def get(self, path: Path) -> M:
        with self._lock:
            model = self._loaded.get(path)
            if model is None:
                model = self._loaded[path] = self._load(path)
            return model

    def forget(self) -> None:
        with self._lock:
            self._loaded.clear()
