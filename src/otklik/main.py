"""create_app(): mounts the API and the error mapper; no logic lives here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine

import otklik.models  # noqa: F401  (every table known before the first query)
from otklik import __version__
from otklik.api import docs, errors, limits, openapi
from otklik.api.router import api_v1
from otklik.api.routes import health
from otklik.core import clock
from otklik.core.config import get_settings, wants_embedded_worker
from otklik.core.db import make_engine, make_session_factory
from otklik.core.shared import open_shared
from otklik.web import install as install_web
from otklik.worker import registry


def create_app(engine: Engine | None = None, *, embedded_worker: bool = False) -> FastAPI:
    """The ASGI app on ``engine`` (default: ``OTKLIK_DATABASE_URL``).

    With ``embedded_worker`` a job worker thread runs for the app's lifetime.
    """
    clock.follow_settings()
    engine = engine or make_engine(get_settings().database_url)
    registry.load()  # every job kind the API schedules is known with its limits, worker or not

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not embedded_worker:
            yield
            return
        from otklik.worker.loop import start_thread

        thread, stop = start_thread(app.state.session_factory, poll=get_settings().worker_poll_seconds)
        yield
        stop.set()
        thread.join(timeout=10)

    app = FastAPI(
        lifespan=lifespan,
        title="Otklik",
        version=__version__,
        description="Честная служба поддержки / An honest support desk. Errors are RFC 9457 problem+json.",
        docs_url=None,  # served by otklik.api.docs from the package, never from a CDN
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    reports_url = get_settings().reports_database_url  # a read replica for analytics, if there is one
    app.state.reports_session_factory = make_session_factory(make_engine(reports_url)) if reports_url else None
    app.state.shared = open_shared(engine, get_settings().shared_state)  # flood buckets, typing, viewers
    errors.install(app)
    docs.install(app)
    app.include_router(health.router)
    app.include_router(api_v1)
    limits.install(app)  # body sizes, per route, enforced while reading (inside CORS, so browsers see a 413)
    install_web(app)  # the public side: widget, chat stream, web form, ticket page
    openapi.document_failures(app)  # every refusal and the bearer scheme in the document, not only success
    return app


def create_served_app() -> FastAPI:
    """The app ``otklik serve`` runs: settings decide whether the worker is embedded."""
    return create_app(embedded_worker=wants_embedded_worker(get_settings()))
