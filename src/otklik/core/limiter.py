"""Flood protection: a token bucket per visitor, address or account, before any other work.

Two stores with one shape (ADR 0005): ``MemoryLimiter`` for the embedded SQLite desk (one
server process; nothing to share), ``DatabaseLimiter`` for PostgreSQL with several ``serve``
processes or machines, where a bucket kept per process would give a caller N times the
allowance. The durable per-sender limit of intake (``customers.links``) is the second line.
"""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Boolean, Engine, Float, String, delete, text
from sqlalchemy.orm import Mapped, mapped_column

from otklik.core.db import Base, UTCDateTime

#: every so many hits a database limiter forgets the buckets that are full again
SWEEP_EVERY = 1000
#: longer keys (an e-mail address with a prefix can be long) are stored as their digest
KEY_MAX = 200


@dataclass(frozen=True, slots=True)
class Rate:
    """``burst`` requests at once, refilled at ``per_minute``."""

    burst: int
    per_minute: float

    @property
    def capacity(self) -> int:
        return max(self.burst, 1)

    @property
    def per_second(self) -> float:
        return max(self.per_minute, 0.001) / 60

    @property
    def refill_seconds(self) -> float:
        """How long an empty bucket takes to be full again."""
        return self.capacity / self.per_second

    def wait(self, tokens: float) -> int:
        """The whole seconds (≥ 1) until a bucket holding ``tokens`` (< 1) has a whole token."""
        return max(math.ceil((1 - tokens) / self.per_second - 1e-9), 1)  # no float dust


@dataclass(frozen=True, slots=True)
class Bucket:
    tokens: float
    at: datetime


def take(bucket: Bucket | None, now: datetime, rate: Rate) -> tuple[Bucket, int]:
    """Spend one token: the bucket after, and 0 when allowed or the whole seconds to wait (≥ 1).

    A missing bucket is full; a clock that went back refills nothing.
    """
    if bucket is None:
        tokens = float(rate.capacity)
    else:
        elapsed = max((now - bucket.at).total_seconds(), 0.0)
        tokens = min(rate.capacity, bucket.tokens + elapsed * rate.per_second)
    if tokens >= 1:
        return Bucket(tokens - 1, now), 0
    return Bucket(tokens, now), rate.wait(tokens)


class Limiter(Protocol):
    def hit(self, key: str, now: datetime, rate: Rate) -> int:
        """0 when ``key`` may go on, else the seconds it must wait."""
        ...


class MemoryLimiter:
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
        for key in [k for k, b in self._buckets.items() if (now - b.at).total_seconds() >= rate.refill_seconds]:
            del self._buckets[key]


class RateBucket(Base):
    """One caller's bucket, kept in an UNLOGGED table on PostgreSQL (a crash refills buckets)."""

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: whether the last hit was let through (what ``take`` answered, read back with the tokens)
    spent: Mapped[bool] = mapped_column(Boolean)
    #: from then on the bucket is surely full again, so the sweep may forget it
    full_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


#: ``take`` as one PostgreSQL statement: the bucket's row is created full or refilled since its last
#: hit, spent when a whole token is there, and read back, under the row lock of the upsert
_REFILLED = (
    "LEAST(:capacity, b.tokens + GREATEST(EXTRACT(EPOCH FROM (CAST(:now AS timestamptz) - b.at)), 0) * :per_second)"
)
_SPEND = text(f"""
INSERT INTO rate_buckets AS b (key, tokens, at, spent, full_at)
VALUES (:key, :capacity - 1, :now, true, :full_at)
ON CONFLICT (key) DO UPDATE SET
    tokens = CASE WHEN {_REFILLED} >= 1 THEN {_REFILLED} - 1 ELSE {_REFILLED} END,
    spent = {_REFILLED} >= 1,
    at = :now,
    full_at = :full_at
RETURNING b.tokens, b.spent
""")  # noqa: S608  (constant fragments, every value is a bound parameter)


class DatabaseLimiter:
    """Buckets in the ``rate_buckets`` table: one allowance per caller, whichever process serves it.

    PostgreSQL only. A hit is one statement (``_SPEND``, the same arithmetic as ``take``) on
    ``engine``, a small pool of its own (``otklik.core.shared``): the upsert holds the bucket's row
    while it spends, so two processes never spend the same token.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._hits = 0
        self._lock = threading.Lock()

    def hit(self, key: str, now: datetime, rate: Rate) -> int:
        stored = key if len(key) <= KEY_MAX else "sha256:" + hashlib.sha256(key.encode()).hexdigest()
        values = {"key": stored, "now": now, "capacity": rate.capacity, "per_second": rate.per_second,
                  "full_at": now + timedelta(seconds=rate.refill_seconds)}  # fmt: skip
        with self._engine.begin() as connection:
            tokens, spent = connection.execute(_SPEND, values).one()
            if self._sweep_due():
                connection.execute(delete(RateBucket).where(RateBucket.full_at < now))
        return 0 if spent else rate.wait(tokens)

    def _sweep_due(self) -> bool:
        with self._lock:
            self._hits += 1
            return self._hits % SWEEP_EVERY == 0
