"""The web form: a page that needs no JavaScript, and the same form as JSON. Both answer with a follow link."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from otklik.web.common import DB, PageLang, State, client_address, guard
from otklik.web.errors import PublicError, RateLimited
from otklik.web.i18n import page_lang, text
from otklik.web.intake import submit_form
from otklik.web.links import follow_url
from otklik.web.pages import render
from otklik.web.schemas import MAX_PUBLIC_TEXT, FormIn, FormOut, check_contacts

router = APIRouter(tags=["public"], include_in_schema=False)  # pages, not API: HTML in, HTML out
#: a form post larger than this is refused unread
MAX_FORM_BYTES = 64 * 1024
FIELDS = ("name", "email", "phone", "subject", "text", "lang")


async def form_fields(request: Request) -> dict[str, str]:
    """The form page's fields."""
    return await posted_fields(request, FIELDS)


async def posted_fields(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    """A page's url-encoded ``names`` (the last value of each), read with a size cap."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise PublicError(415, "form_type")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise PublicError(413, "body_too_large")
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {key: values[-1] for key, values in parsed.items() if key in names}


def _reason(error_type: str, lang: str, field: str) -> str:
    if field == "text" and error_type in {"missing", "string_too_short"}:
        return text("text_required", lang)
    if error_type == "string_too_long":
        return text("text_too_long" if field == "text" else "field_too_long", lang, limit=MAX_PUBLIC_TEXT)
    return text(f"{field}_invalid" if field in {"email", "phone"} else "value_invalid", lang)


def _problems(fields: dict[str, str], lang: str) -> tuple[FormIn | None, dict[str, str]]:
    """The valid form, or the message for each field that is not (contacts checked either way)."""
    errors: dict[str, str] = {}
    form: FormIn | None = None
    try:
        form = FormIn.model_validate(fields)
    except ValidationError as invalid:
        for e in invalid.errors():
            field = str(e["loc"][0]) if e["loc"] else "text"
            errors.setdefault(field, _reason(e["type"], lang, field))
    try:
        check_contacts(fields.get("email"), fields.get("phone"))
    except PublicError as refused:
        errors.setdefault(refused.field or "email", refused.message(lang))
    return (form if not errors else None), errors


@router.get("/form", response_class=HTMLResponse)
def form_page(lang: PageLang) -> HTMLResponse:
    return render("form.html", lang=lang, embeddable=True, values={}, errors={})


@router.post("/form", response_class=HTMLResponse)
def form_post(
    request: Request, fields: Annotated[dict[str, str], Depends(form_fields)], state: State, db: DB
) -> Response:
    """Without JavaScript: errors re-render the page (422), success redirects to the ticket page (303)."""
    lang = page_lang(fields.get("lang"), request.headers.get("accept-language"))
    try:
        guard(state, f"form:{client_address(request)}")
    except RateLimited as limited:
        errors = {"text": limited.message(lang)}
        page = render("form.html", lang=lang, status=429, embeddable=True, values=fields, errors=errors)
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    form, errors = _problems(fields, lang)
    if form is None:
        return render("form.html", lang=lang, status=422, embeddable=True, values=fields, errors=errors)
    ticket = submit_form(
        db, text_=form.text, subject=form.subject, contacts=check_contacts(form.email, form.phone, form.name), lang=lang
    )
    target = follow_url(request, state, ticket.id)
    return RedirectResponse(f"{target}?new=1" + ("&lang=en" if lang == "en" else ""), status_code=303)


@router.post("/api/v1/public/form", status_code=201, response_model=FormOut)
def form_json(body: FormIn, request: Request, state: State, db: DB) -> FormOut:
    """The form as JSON: 422 names the field (``email`` when neither e-mail nor phone is given)."""
    guard(state, f"form:{client_address(request)}")
    contacts = check_contacts(body.email, body.phone, body.name)
    lang = body.lang or page_lang(None, request.headers.get("accept-language"))
    ticket = submit_form(db, text_=body.text, subject=body.subject, contacts=contacts, lang=lang)
    return FormOut(ticket_id=ticket.id, number=ticket.number, follow_url=follow_url(request, state, ticket.id))
