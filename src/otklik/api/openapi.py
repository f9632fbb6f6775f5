"""The OpenAPI document tells every answer an operation can give, not only the happy one.

FastAPI describes the success and a validation error in its own shape. Every failure here is RFC
9457 ``application/problem+json`` (``api.errors``), and the refusals come from layers FastAPI does not
see: the bearer token, roles, a missing row, a state conflict, the body limit read before any
parsing, flood limits and a database that is away. This walks the routes once, looks at what each one
depends on and takes, and writes those answers into the document (with the bearer scheme), so a
client generated from it — or Schemathesis — meets no status or content type it was not told about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi

from otklik.api.deps import get_auth
from otklik.api.errors import PROBLEM
from otklik.core.schemas import NO_NUL, StrictIn

BEARER = "bearer"
_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `code` names the failure, `field` the input at fault.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "field": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}},
        },
        "retry_after": {"type": "integer"},
    },
    "additionalProperties": True,
}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before asking again", "schema": {"type": "integer"}}}
_WORDS: dict[int, str] = {
    400: "The body is not valid JSON / тело запроса — не JSON",
    401: "No valid token or signature / нет действующего токена или подписи",
    403: "The token's agent may not do this / сотруднику это не разрешено",
    404: "No such resource / такого нет",
    409: "Not possible in the resource's present state / невозможно в текущем состоянии",
    413: "The body is over this route's limit / тело запроса больше предела",
    415: "Not a media type this operation takes / неподдерживаемый тип содержимого",
    422: "A value breaks a rule / значение нарушает правило",
    429: "Too many requests; see Retry-After / слишком много запросов",
    503: "The database is busy or away; nothing was saved, send again after Retry-After / база недоступна",
}
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _calls(dependant: Dependant) -> Iterable[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _answer(status: int, description: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description or _WORDS.get(status, "Error / ошибка"),
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status in {429, 503}:
        answer["headers"] = _RETRY_AFTER
    return answer


def _failures(path: str, dependant: Dependant, method: str, *, guarded: bool) -> set[int]:
    """The refusals ``method`` on ``path`` can answer with, from what the route takes and depends on
    (``guarded``: it needs an agent's token)."""
    found = {503}  # any operation can meet a database that is away
    if guarded:
        found |= {401, 403}
    if path.startswith("/api/v1/channels/"):
        found |= {401, 429}  # webhooks: the channel's own signature or secret; senders' flood limits
    if path.startswith(("/api/v1/public/chat/", "/api/v1/auth/")):
        found |= {401, 429}  # the visitor's chat token; a wrong password (both flood-limited)
    if dependant.path_params:
        found.add(404)
    if method in _BODY_METHODS:
        found |= {400, 404, 409, 413, 415, 422, 429}  # 404: an id in the body names nothing
    elif dependant.query_params or dependant.path_params:
        found.add(422)
    return found


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _integer_bounds(node: Any) -> None:
    """FastAPI's OpenAPI models hold bounds as floats; an integer's bound goes back to an integer, or a
    reader gets ``9.223372036854775e+18`` and generates ids past the one the server enforces."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            for key in _BOUNDS:
                if isinstance(node.get(key), float) and node[key].is_integer():
                    node[key] = int(node[key])
        for value in node.values():
            _integer_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _integer_bounds(value)


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set(cls.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found))


_NESTED = frozenset({"items", "anyOf", "oneOf", "allOf", "prefixItems", "additionalProperties"})


def _no_nul(node: Any) -> None:
    """A text of an input model never holds NUL (``StrictIn`` refuses it): say so where nothing else does."""
    if isinstance(node, list):
        for item in node:
            _no_nul(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not {"enum", "const", "format"} & node.keys():
        if "pattern" not in node:
            node["pattern"] = NO_NUL
        elif "x00" not in node["pattern"]:  # the field's own pattern (non-blank, an address) and no NUL
            node["allOf"] = [{"pattern": NO_NUL}]
    for key, child in node.items():
        if key == "properties" and isinstance(child, dict):
            _no_nul(list(child.values()))
        elif key in _NESTED:
            _no_nul(child)


def document_failures(app: FastAPI) -> None:
    """Replace ``app.openapi`` by one that adds the bearer scheme and every route's failure answers."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
        for unused in ("HTTPValidationError", "ValidationError"):
            components["schemas"].pop(unused, None)
        components["securitySchemes"] = {BEARER: {"type": "http", "scheme": "bearer"}}
        for context in routing.iter_route_contexts(app.routes):
            dependant = getattr(context.route, "dependant", None)
            if not isinstance(dependant, Dependant) or not context.path_format:
                continue
            guarded = get_auth in set(_calls(dependant))
            for method in context.methods or ():
                operation = schema["paths"].get(context.path_format, {}).get(method.lower())
                if operation is None:
                    continue
                failures = _failures(context.path_format, dependant, method, guarded=guarded)
                if guarded:
                    operation["security"] = [{BEARER: []}]
                responses = operation.setdefault("responses", {})
                declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
                for status in sorted(failures | declared):
                    given = responses.get(str(status), {}).get("description")
                    responses[str(status)] = _answer(status, given if status in declared else None)
        _integer_bounds(schema)
        inputs = {model.__name__ for model in _subclasses(StrictIn)}
        for model_schema in schema.get("components", {}).get("schemas", {}).values():
            if model_schema.get("title") in inputs:  # by title: two models of one name get longer keys
                _no_nul(model_schema)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]  # FastAPI's documented way to shape the document
