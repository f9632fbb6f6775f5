"""The worker loop: build what intake journaled, run due jobs, sleep briefly when there was nothing,
stop cleanly on request."""

from __future__ import annotations

import logging
import os
import socket
import threading

from sqlalchemy.orm import Session, sessionmaker

import otklik.models  # noqa: F401  (every table known before the first query)
from otklik.core import jobs
from otklik.messages import pipeline
from otklik.worker import registry

log = logging.getLogger("otklik.worker")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def run(factory: sessionmaker[Session], stop: threading.Event, *, poll: float = 0.5, batch: int = 200) -> None:
    """Run until ``stop`` is set. An error in one round is logged and the loop goes on."""
    registry.load()
    name = worker_name()
    periodic_ready = False
    log.info("worker %s started", name)
    while not stop.is_set():
        try:
            if not periodic_ready:  # inside the guard: a database that blinks at start-up is retried
                with factory() as session, session.begin():
                    jobs.ensure_periodic(session)
                periodic_ready = True
            ran = pipeline.build_pending(factory)  # items a request acknowledged but did not build
            ran += jobs.run_due(factory, worker=name, batch=batch)
        except Exception:  # the database may blink; the jobs are still there next round
            log.exception("worker round failed")
            ran = 0
        if ran == 0:
            stop.wait(poll)
    log.info("worker %s stopped", name)


def start_thread(factory: sessionmaker[Session], *, poll: float = 0.5) -> tuple[threading.Thread, threading.Event]:
    """An in-process worker (the SQLite default of ``otklik serve``)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run, args=(factory, stop), kwargs={"poll": poll}, name="otklik-worker", daemon=True
    )
    thread.start()
    return thread, stop
