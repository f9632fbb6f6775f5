"""Flood protection for the public endpoints: a token bucket per visitor (or per address).

In-process on purpose: it guards one server process against one noisy browser or script
cheaply, before any database work. With N processes a visitor gets at most N times the
rate, which still caps a flood; the durable per-sender limit of intake is the second line.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Rate:
    """``burst`` requests at once, refilled at ``per_minute``."""

    burst: int
    per_minute: float


@dataclass(frozen=True, slots=True)
class Bucket:
    tokens: float
    at: datetime


def take(bucket: Bucket | None, now: datetime, rate: Rate) -> tuple[Bucket, int]:
    """Spend one token: the bucket after, and 0 when allowed or the whole seconds to wait (≥ 1).

    A missing bucket is full; a clock that went back refills nothing.
    """
    capacity = max(rate.burst, 1)
    per_second = max(rate.per_minute, 0.001) / 60
    if bucket is None:
        tokens = float(capacity)
    else:
        elapsed = max((now - bucket.at).total_seconds(), 0.0)
        tokens = min(capacity, bucket.tokens + elapsed * per_second)
    if tokens >= 1:
        return Bucket(tokens - 1, now), 0
    return Bucket(tokens, now), max(math.ceil((1 - tokens) / per_second - 1e-9), 1)  # no float dust


class Limiter:
    """Buckets by key, shared by the threads of one process."""

    #: past this many keys, buckets that would be full again are forgotten
    MAX_KEYS = 50_000

    def __init__(self) -> None:
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: datetime, rate: Rate) -> int:
        """0 when ``key`` may go on, else the seconds it must wait."""
        with self._lock:
            bucket, wait = take(self._buckets.get(key), now, rate)
            self._buckets[key] = bucket
            if len(self._buckets) > self.MAX_KEYS:
                self._forget_full(now, rate)
            return wait

    def _forget_full(self, now: datetime, rate: Rate) -> None:
        full_after = max(rate.burst, 1) / (max(rate.per_minute, 0.001) / 60)
        for key in [k for k, b in self._buckets.items() if (now - b.at).total_seconds() >= full_after]:
            del self._buckets[key]
