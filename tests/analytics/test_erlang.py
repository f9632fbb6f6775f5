"""Erlang C against worked examples published by others (each figure below is quoted from its
source, with the source's rounding), and the staffing endpoint over HTTP.

Sources:
* Call Centre Helper, «Erlang C Formula – Made Simple With an Easy Worked Example»
  (https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls per 30 minutes,
  180 s handle time, 80 % within 20 s. Its table for 11–14 agents as printed by the R package ErlangC
  (github.com/Damonsoul/ErlangC, README.md, MIT licence).
* pyworkforce (github.com/rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/test_erlang.py and
  docs/guide/scenarios.md, MIT licence): the same calls at a 90 % target.
* erlang_c_calculator (github.com/tennety/erlang_c_calculator, README.md, MIT licence): 0.01 calls a
  second, 300 s each, an average wait under 20 s.
"""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient

from otklik.analytics.erlang import agents_needed, probability_of_waiting, traffic, with_agents
from tests.conftest import Cast

HELPER = {"arrivals_per_hour": 200, "handle_seconds": 180, "target_seconds": 20}
#: agents: (wait probability, service level, average speed of answer in s, occupancy) as published
PUBLISHED = {
    11: (0.6821182, 0.3896138, 122.78127684408, 0.9090909),
    12: (0.4493882, 0.640158, 40.4449401868444, 0.8333333),
    13: (0.2852705, 0.7955948, 17.1162271821896, 0.7692308),
    14: (0.1741319, 0.88835, 7.83593701177724, 0.7142857),
}


@pytest.mark.parametrize("agents", sorted(PUBLISHED))
def test_the_call_centre_helper_table_agent_by_agent(agents: int) -> None:
    waiting, level, answer, occupancy = PUBLISHED[agents]
    staffing = with_agents(agents, **HELPER)
    assert staffing.probability_of_waiting == pytest.approx(waiting, abs=5e-7)
    assert staffing.service_level == pytest.approx(level, abs=5e-7)
    assert staffing.average_wait_seconds == pytest.approx(answer, abs=1e-9)
    assert staffing.occupancy == pytest.approx(occupancy, abs=5e-7)


def test_the_smallest_team_that_reaches_the_target() -> None:
    assert traffic(200, 180) == 10.0
    assert agents_needed(**HELPER, target_share=0.8).agents == 14  # 13 give 79.6 %
    ninety = agents_needed(**HELPER, target_share=0.9)
    assert ninety.agents == 15
    assert (round(ninety.service_level, 3), round(ninety.occupancy, 3)) == (0.941, 0.667)
    assert round(ninety.probability_of_waiting, 3) == 0.102


def test_an_average_wait_target_from_another_calculator() -> None:
    load = {"arrivals_per_hour": 0.01 * 3600, "handle_seconds": 300, "target_seconds": 20}
    assert traffic(36, 300) == pytest.approx(3.0)
    assert with_agents(5, **load).average_wait_seconds > 20 >= with_agents(6, **load).average_wait_seconds


def test_too_few_agents_or_none_needed() -> None:
    assert probability_of_waiting(10, 10.0) == 1.0
    overloaded = with_agents(10, **HELPER)
    assert (overloaded.service_level, overloaded.average_wait_seconds) == (0.0, math.inf)
    nobody = agents_needed(arrivals_per_hour=0, handle_seconds=180, target_seconds=20, target_share=0.8)
    assert (nobody.agents, nobody.service_level) == (0, 1.0)
    big = agents_needed(arrivals_per_hour=36_000, handle_seconds=300, target_seconds=20, target_share=0.8)
    assert 3000 < big.agents < 3100  # the recursion holds at thousands of agents (no factorials)
    with pytest.raises(ValueError, match="target_share"):
        agents_needed(**HELPER, target_share=1.0)


def test_the_staffing_endpoint(client: TestClient, cast: Cast) -> None:
    query = "arrivals_per_hour=200&handle_seconds=180&target_seconds=20&target_share=0.8"
    response = client.get(f"/api/v1/analytics/staffing?{query}", headers=cast.lead_boris.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["agents"] == 14
    assert body["service_level"] == pytest.approx(0.88835, abs=5e-6)
    assert body["occupancy"] == pytest.approx(0.7142857, abs=5e-7)
    assert body["average_wait_seconds"] == pytest.approx(7.836, abs=1e-3)
    assert body["source"] == {"arrivals_per_hour": "given", "handle_seconds": "given"}
    assert client.get(f"/api/v1/analytics/staffing?{query}", headers=cast.agent_anna.headers).status_code == 403
    bad = client.get(
        "/api/v1/analytics/staffing?arrivals_per_hour=200&target_share=1.5", headers=cast.lead_boris.headers
    )
    assert bad.status_code == 422
    assert "target_share" in bad.text
    unknown = client.get("/api/v1/analytics/staffing?arrivals_per_hour=200", headers=cast.lead_boris.headers)
    assert unknown.status_code == 422  # no handle time given and no channel to learn it from
    assert "handle_seconds" in unknown.text


def test_a_load_no_desk_could_staff_is_a_422_not_a_500(client: TestClient, cast: Cast) -> None:
    """Found by Schemathesis (issue 14): 171,698 arrivals an hour of 67,618 s each raised out of the
    Erlang loop as a 500."""
    query = "arrivals_per_hour=171697.8&handle_seconds=67617.5&target_seconds=59452&target_share=0.15"
    response = client.get(f"/api/v1/analytics/staffing?{query}", headers=cast.lead_boris.headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "arrivals_per_hour"
    assert "10000" in response.json()["detail"]
