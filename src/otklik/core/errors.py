"""Domain errors: each names what went wrong in words a person understands, in ru and en
(``code`` keys the Babel catalogue of ``otklik.core.i18n``).

The API maps them to RFC 9457 problem+json in one place (``otklik.api.errors``).
"""

from __future__ import annotations

from typing import Any

from otklik.core.i18n import known, translate


class DomainError(Exception):
    """Base of every expected failure; ``code`` keys the message catalogue."""

    status = 400

    def __init__(self, code: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    def message(self, lang: str = "ru", *, page: bool = False) -> str:
        """The message in ``lang``. ``page``: as a person reads it on a page, where the API's field
        names («в поле text», «override_reason») mean nothing; the catalogue's ``<code>:page``
        wording when there is one."""
        params = {"field": self.field, **self.params}
        if page and known(f"{self.code}:page"):
            return translate(f"{self.code}:page", lang, **params)
        return translate(self.code, lang, **params)

    def problem_members(self, lang: str) -> dict[str, Any]:
        """More members of the problem+json body (e.g. the flags that blocked a reply); none by default."""
        return {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message('en')}"


class InvalidInput(DomainError):
    status = 422


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class TooManyRequests(DomainError):
    """A sender went over a rate limit; ``retry_after`` is the whole seconds until it may write again."""

    status = 429

    def __init__(self, code: str, *, retry_after: int, field: str | None = None, **params: Any) -> None:
        super().__init__(code, field=field, retry_after=retry_after, **params)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """Not now, but nothing is lost: ask again in ``retry_after`` seconds (a message that is journaled
    and still waiting to be built)."""

    status = 503

    def __init__(self, code: str, *, retry_after: int, field: str | None = None, **params: Any) -> None:
        super().__init__(code, field=field, retry_after=retry_after, **params)
        self.retry_after = retry_after


class NotBuilt(DomainError):
    """Accepted and kept, but our side could not finish it (a journaled message that failed to build):
    a 500 that says what is kept and why, instead of an anonymous «internal error»."""

    status = 500
