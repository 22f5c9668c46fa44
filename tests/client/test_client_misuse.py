"""The client refuses to be misused, and says so: a closed client, a negative deadline, and a URL that
reaches something other than ECS (404 on /login)."""

from __future__ import annotations

import pytest

from coldfront_ecs_plugin.ecs import ECSConfigurationError, ECSError, ECSNotFound
from harness.sync import ecs_client


def test_a_closed_client_refuses_further_calls(sim):
    client = ecs_client(sim)
    client.login()
    client.close()
    before = sim.stats()["requests"]
    with pytest.raises(ECSConfigurationError, match="ECSClient is closed"):
        client.get_capacity()
    assert sim.stats()["requests"] == before
    assert sim.stats()["active_tokens"] == 0  # close() logged out


def test_a_negative_deadline_is_refused(sim):
    with ecs_client(sim) as client:
        with pytest.raises(ECSConfigurationError, match="deadline seconds must be a number"), client.deadline(-1):
            pass
        assert client.deadline_at is None  # nothing was set


def test_a_login_answered_404_is_not_taken_for_ecs(sim):
    logins = sim.stats()["by_endpoint"].get("GET /login", 0)
    sim.faults(endpoints={"GET /login": 1.0}, kinds=["absent"])
    try:
        with ecs_client(sim) as client, pytest.raises(ECSError) as raised:
            client.login()
    finally:
        sim.faults()
    assert isinstance(raised.value, ECSNotFound) and raised.value.http_status == 404
    assert "[GET /login]" in str(raised.value)
    assert sim.stats()["by_endpoint"]["GET /login"] - logins == 1  # an answer, not a failure to retry
