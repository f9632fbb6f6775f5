"""create_app(): mounts the API and the error mapper; no logic lives here."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from otklik import __version__
from otklik.api import errors
from otklik.api.router import api_v1
from otklik.api.routes import health
from otklik.core.config import get_settings
from otklik.core.db import make_engine, make_session_factory


def create_app(engine: Engine | None = None) -> FastAPI:
    """The ASGI app on ``engine`` (default: ``OTKLIK_DATABASE_URL``)."""
    engine = engine or make_engine(get_settings().database_url)
    app = FastAPI(
        title="Otklik",
        version=__version__,
        description="Честная служба поддержки / An honest support desk. Errors are RFC 9457 problem+json.",
    )
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    errors.install(app)
    app.include_router(health.router)
    app.include_router(api_v1)
    return app
