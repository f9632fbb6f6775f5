"""Erlang C: how many agents a live channel needs so that a target share of conversations is
taken within a target wait. Pure arithmetic, values in, values out.

The model (M/M/N): conversations arrive at random (Poisson) at ``arrivals_per_hour``, an agent
handles one at a time for ``handle_seconds`` on average, and a conversation that finds every agent
busy waits for the next free one. With the offered load ``A = arrivals × handle time`` (in
Erlangs) and ``N > A`` agents:

* probability of waiting ``C(N, A)``, computed through the Erlang B recursion (no factorials, so no
  overflow at hundreds of agents);
* service level ``1 − C · e^(−(N − A)·T/h)``: the share taken within ``T`` seconds;
* average wait ``C · h / (N − A)``; occupancy ``A / N``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: beyond this many agents the desk is asking the wrong question (and the loop must end)
MOST_AGENTS = 10_000


@dataclass(frozen=True, slots=True)
class Staffing:
    """N agents and what they give: the share within the target, occupancy and the mean wait."""

    agents: int
    service_level: float
    occupancy: float
    average_wait_seconds: float
    probability_of_waiting: float


def traffic(arrivals_per_hour: float, handle_seconds: float) -> float:
    """The offered load in Erlangs: how many agents would be busy all the time."""
    return arrivals_per_hour * handle_seconds / 3600


def probability_of_waiting(agents: int, load: float) -> float:
    """Erlang C: the chance that a conversation finds all ``agents`` busy (1 when they cannot keep up)."""
    if load <= 0:
        return 0.0
    if agents <= load:
        return 1.0
    blocked = 1.0  # Erlang B with no agents
    for k in range(1, agents + 1):
        blocked = load * blocked / (k + load * blocked)
    return agents * blocked / (agents - load * (1 - blocked))


def with_agents(agents: int, *, arrivals_per_hour: float, handle_seconds: float, target_seconds: float) -> Staffing:
    """What ``agents`` give on this load; with too few to keep up, nobody is served in time."""
    load = traffic(arrivals_per_hour, handle_seconds)
    waiting = probability_of_waiting(agents, load)
    if load <= 0:
        return Staffing(agents, 1.0, 0.0, 0.0, 0.0)
    if agents <= load:
        return Staffing(agents, 0.0, 1.0, math.inf, 1.0)
    spare = agents - load
    level = 1 - waiting * math.exp(-spare * target_seconds / handle_seconds)
    return Staffing(agents, level, load / agents, waiting * handle_seconds / spare, waiting)


def agents_needed(
    *, arrivals_per_hour: float, handle_seconds: float, target_seconds: float, target_share: float
) -> Staffing:
    """The smallest N whose service level reaches ``target_share`` (0 agents for no arrivals)."""
    if not 0 < target_share < 1:
        raise ValueError("target_share must be between 0 and 1")
    if arrivals_per_hour < 0 or handle_seconds <= 0 or target_seconds < 0:
        raise ValueError("arrivals must be ≥ 0, handle time > 0 and the target wait ≥ 0")
    load = traffic(arrivals_per_hour, handle_seconds)
    if load == 0:
        return Staffing(0, 1.0, 0.0, 0.0, 0.0)
    agents = math.floor(load) + 1
    while agents <= MOST_AGENTS:
        staffing = with_agents(
            agents, arrivals_per_hour=arrivals_per_hour, handle_seconds=handle_seconds, target_seconds=target_seconds
        )
        if staffing.service_level >= target_share:
            return staffing
        agents += 1
    raise ValueError(f"more than {MOST_AGENTS} agents needed")
