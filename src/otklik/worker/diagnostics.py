"""``diagnostics.ping``: a job whose only effect is one audit row, to prove the engine.

Scheduling N pings and counting the rows shows whether every job ran exactly once,
across restarts, crashes and competing workers (``otklik jobs ping``, tests, bench).
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy.orm import Session

from otklik.core import audit
from otklik.core.actors import Actor
from otklik.core.jobs import Job, task

PING = "diagnostics.ping"


@task(PING, max_attempts=3)
def handle_ping(session: Session, job: Job) -> datetime | None:
    """Record that this job ran; an optional ``sleep`` (seconds) widens crash windows in tests."""
    pause = float(job.payload.get("sleep", 0) or 0)
    if pause:
        time.sleep(min(pause, 5.0))
    audit.record(
        session,
        actor=Actor.system(job.worker or "worker"),
        action="diagnostics.ping",
        entity="job",
        entity_id=job.id,
        data={"worker": job.worker},
    )
    return None
