"""No domain starts another domain's job by its name in a string (issue 13): intake used to schedule
``"routing.route"``, ``"bot.consider"`` and ``"triage.ticket"`` itself, a dependency upward that
import-linter could not see. Now the domain that owns a job schedules it (subscribing to intake where
it must, ``messages.actions.on_new_ticket`` / ``on_message_stored``), so every such dependency is an
import the layers contract checks."""

from __future__ import annotations

from pathlib import Path

import otklik
from otklik.core import jobs

PACKAGE = Path(otklik.__file__).parent


#: left for issue 18 (links and the portal move to their homes): a lower domain still names the job
#: that a higher one runs for it — the sending of a link code and of a portal link (customers → the
#: delivery in messages and tickets), and triage handing its answer to routing's pending job
KNOWN = {
    ("customers/links.py", "customers.send_link_code"),
    ("customers/portal.py", "portal.send_link"),
    ("triage/actions.py", "routing.route"),
}


def _owner(module: str) -> str:
    return module.split(".")[1]


def test_only_the_owner_of_a_job_kind_names_it() -> None:
    kinds = {kind: _owner(spec.handler.__module__) for kind, spec in jobs.registered().items()}
    assert {"routing.route", "bot.consider", "triage.ticket"} <= set(kinds)
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        package = path.relative_to(PACKAGE).parts[0]
        source = path.read_text(encoding="utf-8")
        for kind, owner in kinds.items():
            known = (str(path.relative_to(PACKAGE)), kind) in KNOWN
            if owner != package and f'"{kind}"' in source and not known:
                found.append(f"{path.relative_to(PACKAGE)} names {kind!r} of otklik.{owner}")
    assert found == []
    assert all((PACKAGE / path).exists() for path, _ in KNOWN)  # the list shrinks as they move, never stale
