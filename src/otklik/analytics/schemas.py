"""API shapes of the parity figures (``GET /api/v1/analytics/channels``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from otklik.analytics.queries import Parity
from otklik.analytics.rules import Figures, WeekShare, public_answered_faster, went_public_growing


class FiguresOut(BaseModel):
    tickets: int
    answered: int
    median_first_response_seconds: float | None
    p90_first_response_seconds: float | None
    resolved: int
    resolution_rate: float | None

    @classmethod
    def of(cls, figures: Figures) -> FiguresOut:
        return cls(
            tickets=figures.tickets,
            answered=figures.answered,
            median_first_response_seconds=figures.median_first_response_seconds,
            p90_first_response_seconds=figures.p90_first_response_seconds,
            resolved=figures.resolved,
            resolution_rate=figures.resolution_rate,
        )


class ChannelOut(FiguresOut):
    channel: str
    public: bool


class WeekOut(BaseModel):
    week: str
    start: datetime
    customers: int
    base: int
    share: float
    complete: bool


class AlertsOut(BaseModel):
    public_faster: bool
    went_public_growing: bool


class ParityOut(BaseModel):
    """Each channel side by side, all public against all private tickets, the went-public share per
    ISO week, and whether each parity alert holds (see ``otklik.analytics.queries`` for definitions)."""

    since: datetime
    until: datetime
    channels: list[ChannelOut]
    public: FiguresOut
    private: FiguresOut
    went_public: list[WeekOut]
    alerts: AlertsOut

    @classmethod
    def of(cls, parity: Parity, weeks: list[WeekShare]) -> ParityOut:
        complete = [w for w in weeks if w.complete]
        growing = len(complete) >= 2 and went_public_growing(complete[-2], complete[-1])
        return cls(
            since=parity.since,
            until=parity.until,
            channels=[
                ChannelOut(channel=name, public=name == "public", **FiguresOut.of(f).model_dump())
                for name, f in parity.channels.items()
            ],
            public=FiguresOut.of(parity.public),
            private=FiguresOut.of(parity.private),
            went_public=[
                WeekOut(
                    week=w.week, start=w.start, customers=w.customers, base=w.base, share=w.share, complete=w.complete
                )
                for w in weeks
            ],
            alerts=AlertsOut(
                public_faster=public_answered_faster(parity.public, parity.private), went_public_growing=growing
            ),
        )
