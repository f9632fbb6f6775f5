"""Values read once per transaction: seen by its savepoints, dropped with a savepoint rolled back,
forgotten by a writer; and the SLA policies every ticket clock is planned on, kept current that way."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from otklik.core.actors import Actor
from otklik.core.txcache import forget, per_transaction
from otklik.timers.actions import do_create_policy
from otklik.timers.queries import active_policies

KEY = "tests.txcache"


def _counter() -> tuple[list[int], Callable[[], int]]:
    built: list[int] = []

    def build() -> int:
        built.append(len(built) + 1)
        return built[-1]

    return built, build


def test_a_value_is_built_once_and_seen_by_savepoints_inside(db: Session) -> None:
    built, build = _counter()
    with db.begin():
        assert per_transaction(db, KEY, build) == 1
        with db.begin_nested():
            assert per_transaction(db, KEY, build) == 1
        assert per_transaction(db, KEY, build) == 1
    assert built == [1]
    with db.begin():  # the next transaction reads afresh
        assert per_transaction(db, KEY, build) == 2


def test_a_savepoint_rolled_back_takes_its_value_with_it_and_forget_rereads(db: Session) -> None:
    _, build = _counter()
    with db.begin():
        nested = db.begin_nested()
        assert per_transaction(db, KEY, build) == 1
        nested.rollback()
        assert per_transaction(db, KEY, build) == 2
        forget(db, KEY)
        assert per_transaction(db, KEY, build) == 3
        db.rollback()


def test_a_policy_created_in_the_transaction_is_seen_by_the_next_clock(db: Session) -> None:
    with db.begin():
        before = active_policies(db)
        assert active_policies(db) is before  # read once
        do_create_policy(
            db,
            name="VIP-срочно",
            urgency="urgent",
            category=None,
            org_tier="vip",
            first_response_minutes=5,
            next_response_minutes=10,
            resolution_minutes=120,
            calendar_id=None,
            actor=Actor.system("tests"),
        )
        after = active_policies(db)
        assert [p.name for p in after] == [p.name for p in before] + ["VIP-срочно"]
        db.rollback()
