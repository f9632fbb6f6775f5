"""One mapper from every failure to RFC 9457 problem+json, in the caller's language."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, routing
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from otklik.core.errors import DomainError, TooManyRequests, Unavailable
from otklik.core.i18n import pick_lang, translate
from otklik.core.schemas import NON_BLANK, PATTERN_REASONS

log = logging.getLogger("otklik.api")
PROBLEM = "application/problem+json"

TITLES = {
    400: ("Некорректный запрос", "Bad request"),
    401: ("Нужна авторизация", "Unauthorized"),
    403: ("Доступ запрещён", "Forbidden"),
    404: ("Не найдено", "Not found"),
    405: ("Метод не поддерживается", "Method not allowed"),
    409: ("Конфликт", "Conflict"),
    422: ("Некорректные данные", "Unprocessable content"),
    429: ("Слишком много сообщений", "Too many requests"),
    500: ("Внутренняя ошибка", "Internal error"),
    503: ("Сервис недоступен", "Service unavailable"),
}


def problem(
    status: int, lang: str, *, code: str, detail: str, retry_after: int | None = None, **extra: Any
) -> JSONResponse:
    ru, en = TITLES.get(status, ("Ошибка", "Error"))
    body = {"type": f"/problems/{code}", "title": ru if lang == "ru" else en, "status": status, "detail": detail}
    body["code"] = code
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if retry_after is not None:
        body["retry_after"] = retry_after
        headers = {"Retry-After": str(retry_after)}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _validation_reason(error: dict[str, Any], lang: str) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "обязательное поле не передано" if lang == "ru" else "this field is required"
    if kind == "extra_forbidden":
        return "такого поля нет в API" if lang == "ru" else "no such field in the API"
    if kind == "string_pattern_mismatch":
        words = PATTERN_REASONS.get(str(error.get("ctx", {}).get("pattern", "")))
        if words is not None:
            return words[0] if lang == "ru" else words[1]
    return str(error.get("msg", kind))


def _blank_text(error: dict[str, Any]) -> bool:
    """A message's text that is all blanks: the contract's own ``text_empty``, as the action says it."""
    return error.get("type") == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == NON_BLANK


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    lang = pick_lang(request.headers.get("accept-language"))
    if isinstance(exc, TooManyRequests | Unavailable):
        return problem(
            exc.status, lang, code=exc.code, detail=exc.message(lang), retry_after=exc.retry_after,
            limit=exc.params.get("limit"),
        )  # fmt: skip
    more = exc.problem_members(lang)
    return problem(exc.status, lang, code=exc.code, detail=exc.message(lang), field=exc.field, **more)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lang = pick_lang(request.headers.get("accept-language"))
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        reason = str(errors[0].get("ctx", {}).get("error", "")) or "syntax error"
        detail = translate("invalid_json", lang, reason=reason)
        return problem(400, lang, code="invalid_json", detail=detail, field="body")
    if len(errors) == 1 and _blank_text(errors[0]) and _field(tuple(errors[0].get("loc", ()))) == "text":
        return problem(422, lang, code="text_empty", detail=translate("text_empty", lang), field="text")
    fields = [{"field": _field(tuple(e.get("loc", ()))), "message": _validation_reason(e, lang)} for e in errors]
    first = fields[0] if fields else {"field": "body", "message": ""}
    detail = translate("invalid_field", lang, field=first["field"], reason=first["message"])
    return problem(422, lang, code="invalid_field", detail=detail, field=first["field"], errors=fields)


def _allowed(app: FastAPI, path: str) -> str:
    """Every method some route takes on ``path``: Starlette's 405 names only the first route that
    matched the path, though a GET and a POST on one path are two routes."""
    by_resource: dict[str, set[str]] = {}
    for context in routing.iter_route_contexts(app.routes):
        template, documented = context.path_format or "", getattr(context.route, "include_in_schema", True)
        if context.methods and documented and template and compile_path(template)[0].match(path):
            by_resource.setdefault(template, set()).update(context.methods)
    if not by_resource:
        return ""
    # /settings/channels/health is its own resource, not /settings/channels/{channel} with «health»
    resource = min(by_resource, key=lambda template: template.count("{"))
    return ", ".join(sorted(by_resource[resource]))


async def _http(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own refusals (404, 405…) as problems, with the headers they carry (405's ``Allow``,
    completed with every route's methods on the path)."""
    assert isinstance(exc, HTTPException)
    lang = pick_lang(request.headers.get("accept-language"))
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    answer = problem(exc.status_code, lang, code=f"http_{exc.status_code}", detail=detail)
    answer.headers.update(exc.headers or {})
    if exc.status_code == 405 and detail == "Method Not Allowed":  # Starlette's, not a route's own
        answer.headers["Allow"] = _allowed(request.app, request.url.path) or answer.headers.get("Allow", "")
    return answer


#: seconds a caller is asked to wait when the database is busy or away
DATABASE_RETRY_SECONDS = 2


async def _database(request: Request, exc: Exception) -> JSONResponse:
    """The database is away (connection refused or cut) or chose this transaction as a deadlock's
    victim: nothing was saved, and the caller may simply send again — a 503 with Retry-After, which
    webhook senders (Telegram, WhatsApp) answer by redelivering, never a 500."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0])
    lang = pick_lang(request.headers.get("accept-language"))
    detail = translate("database_unavailable", lang)
    return problem(503, lang, code="database_unavailable", detail=detail, retry_after=DATABASE_RETRY_SECONDS)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    lang = pick_lang(request.headers.get("accept-language"))
    detail = (
        "Непредвиденная ошибка; изменения не сохранены." if lang == "ru" else "Unexpected error; nothing was saved."
    )
    return problem(500, lang, code="internal", detail=detail)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(OperationalError, _database)
    app.add_exception_handler(Exception, _unexpected)
