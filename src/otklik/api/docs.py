"""The API's own documentation page, served whole by the app: Swagger UI's files come from the
``swagger-ui-bundle-v2`` wheel (Swagger UI 5, which reads OpenAPI 3.1), not from a CDN, so
``/docs`` works on a machine with no network. ReDoc, which FastAPI would also load from a CDN, is
left out rather than shown blank."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = "/docs/static"


def install(app: FastAPI) -> None:
    """``GET /docs`` and its files under ``/docs/static`` (the app is made with ``docs_url=None``)."""
    from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]  # ships no type information

    app.mount(STATIC, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon-32x32.png",
        )
