"""What every server process must see alike: flood buckets and live signals (ADR 0005).

``OTKLIK_SHARED_STATE`` picks the store: ``memory`` keeps both in the process (the embedded
SQLite desk runs one server process), ``database`` keeps them in two small tables that every
process and machine on the same PostgreSQL sees (PostgreSQL only), ``auto`` (the default) is ``database`` on
PostgreSQL and ``memory`` on SQLite.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import Engine

from otklik.core.db import make_engine
from otklik.core.limiter import DatabaseLimiter, Limiter, MemoryLimiter
from otklik.core.signals import DatabaseSignals, MemorySignals, Signals

MODES = ("auto", "memory", "database")
#: the shared state's own pool per database and process: short statements, never nested
POOL_SIZE = 4

_pools: dict[str, Engine] = {}
_pools_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Shared:
    limiter: Limiter
    signals: Signals


def shared_mode(mode: str, engine: Engine) -> str:
    """``memory`` or ``database`` for the setting ``mode`` on ``engine``; a wrong value names the choices."""
    if mode not in MODES:
        raise ValueError(f"OTKLIK_SHARED_STATE={mode!r}: expected one of {', '.join(MODES)}")
    sqlite = engine.dialect.name == "sqlite"
    if mode == "database" and sqlite:
        # SQLite runs one writer at a time per process; a second connection for a signal while a
        # request holds the first would wait on itself. The embedded desk is one process anyway.
        raise ValueError("OTKLIK_SHARED_STATE=database needs PostgreSQL; SQLite keeps it in memory")
    if mode == "auto":
        return "memory" if sqlite else "database"
    return mode


def open_shared(engine: Engine, mode: str) -> Shared:
    """The stores for an app on ``engine``."""
    if shared_mode(mode, engine) == "memory":
        return Shared(MemoryLimiter(), MemorySignals())
    pool = _pool_for(engine)
    return Shared(DatabaseLimiter(pool), DatabaseSignals(pool))


def _pool_for(engine: Engine) -> Engine:
    """A small pool of its own beside ``engine``'s, one per database and process.

    A request or a stream that holds a connection of the main pool may need the shared state;
    taking it from a separate pool, whose users never wait on the main one, cannot deadlock
    however busy both are.
    """
    url = engine.url.render_as_string(hide_password=False)
    with _pools_lock:
        if url not in _pools:
            # autocommit: every use is one statement that stands alone, so no BEGIN/COMMIT round trips
            _pools[url] = make_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_SIZE, isolation_level="AUTOCOMMIT")
        return _pools[url]
