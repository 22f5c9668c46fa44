"""Object users and secret keys over real HTTPS when ECS's answer is lost: a user create or delete is
reconciled by asking ECS; a key write is never sent twice (a second create would rotate the key again)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coldfront_ecs_plugin.ecs import ECSAlreadyExists, ECSClient, ECSUnavailable, ObjectUser
from harness.simulator import SimulatorHandle

CREATE_USER, DELETE_USER = "POST /object/users", "POST /object/users/deactivate"
USER_INFO = "GET /object/users/{uid}/info"
CREATE_KEY, DELETE_KEY = "POST /object/user-secret-keys/{uid}", "POST /object/user-secret-keys/{uid}/deactivate"


@pytest.fixture
def ecs(sim: SimulatorHandle) -> Iterator[ECSClient]:
    with ECSClient(sim.base_url, sim.user, sim.password, verify=sim.ca_path, timeout=5.0, backoff=0.01) as client:
        client.create_namespace("lab", replication_group_id=client.replication_group_id("rg1"))
        yield client
    sim.faults()


def sent(sim: SimulatorHandle, before: dict[str, int]) -> dict[str, int]:
    return {k: n - before.get(k, 0) for k, n in sim.stats()["by_endpoint"].items() if n != before.get(k, 0)}


def lose_answers(sim: SimulatorHandle, endpoint: str) -> dict[str, int]:
    """ECS carries out every ``endpoint`` call but its answer never arrives (fault "slow")."""
    sim.faults(endpoints={endpoint: 1.0}, kinds=["slow"], slow_ms=10)
    return sim.stats()["by_endpoint"]


def test_creating_an_existing_user_says_so(ecs, sim):
    ecs.create_object_user("alice", "lab")
    before = sim.stats()["by_endpoint"]
    with pytest.raises(ECSAlreadyExists, match="Object user alice already exists") as raised:
        ecs.create_object_user("alice", "lab")
    assert (raised.value.http_status, raised.value.code) == (400, 1015)
    assert sent(sim, before) == {CREATE_USER: 1}


def test_a_user_created_whose_answer_was_lost_is_found_not_created_twice(ecs, sim):
    before = lose_answers(sim, CREATE_USER)
    assert ecs.create_object_user("alice", "lab") == ObjectUser(userid="alice", namespace="lab")
    assert sent(sim, before) == {CREATE_USER: 1, USER_INFO: 1}
    sim.faults()
    assert [u.userid for u in ecs.list_object_users("lab")] == ["alice"]


def test_a_user_deleted_whose_answer_was_lost_is_confirmed_gone(ecs, sim):
    ecs.create_object_user("alice", "lab")
    before = lose_answers(sim, DELETE_USER)
    ecs.delete_object_user("alice", "lab")
    assert sent(sim, before) == {DELETE_USER: 1, USER_INFO: 1}
    sim.faults()
    assert ecs.list_object_users("lab") == []


@pytest.mark.parametrize(
    ("endpoint", "write", "message"),
    [
        (CREATE_KEY, lambda ecs: ecs.create_secret_key("alice", "lab"), "create secret key for 'alice': outcome"),
        (DELETE_KEY, lambda ecs: ecs.delete_secret_key("alice", "lab"), "delete secret key of 'alice': outcome"),
    ],
    ids=["create", "delete"],
)
def test_a_key_write_whose_answer_was_lost_is_never_resent(ecs, sim, endpoint, write, message):
    ecs.create_object_user("alice", "lab")
    ecs.create_secret_key("alice", "lab")
    before = lose_answers(sim, endpoint)
    with pytest.raises(ECSUnavailable, match=message):
        write(ecs)
    assert sent(sim, before) == {endpoint: 1}  # exactly one attempt: the caller decides what to do
