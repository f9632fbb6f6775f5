"""The daily retention run: closed tickets past their channel's time lose their words
(``OTKLIK_RETENTION``; unset, nothing is erased)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.core.jobs import Job, task
from otklik.core.taxonomy import Channel
from otklik.privacy.actions import do_apply_retention
from otklik.privacy.rules import parse_retention


@task("privacy.retention", every=timedelta(days=1), max_attempts=3)
def apply_retention(session: Session, job: Job) -> datetime | None:
    policy = parse_retention(get_settings().retention, frozenset(c.value for c in Channel))
    if policy.days:
        do_apply_retention(session, policy, actor=Actor.system("retention"))
    return None
