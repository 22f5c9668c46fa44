"""``services.s3_keys`` on ObjectScale 4.x (the simulator's ``objectscale-4.1`` profile): keys are hidden on
read, listed by slot and id, and deleted by id; no Django page needed, so no database."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from coldfront_ecs_plugin import conf
from coldfront_ecs_plugin.ecs import ECSClient
from coldfront_ecs_plugin.services import s3_keys
from harness.simulator import start_simulator

NS, UID = "hidden-lab", "hidden-lab-ann-00000000"


@pytest.fixture(scope="module")
def sim41(tmp_path_factory):
    handle = start_simulator(tmp_path_factory.mktemp("sim41") / "ca.pem", "--profile", "objectscale-4.1")
    with ECSClient(handle.base_url, handle.user, handle.password, verify=handle.ca_path) as client:
        client.create_namespace(NS, replication_group_id=client.list_replication_groups()[0].id)
        client.create_object_user(UID, NS)
    yield handle
    handle.stop()


@pytest.fixture
def row_and_settings(sim41, settings):
    settings.ECS_USER, settings.ECS_PASS, settings.ECS_VERIFY_SSL = sim41.user, sim41.password, sim41.ca_path
    ecs = dataclasses.replace(conf.load(), key_rotation_minutes=5)
    row = SimpleNamespace(userid=UID, namespace=NS, username="ann", binding=SimpleNamespace(endpoint=sim41.base_url))
    return row, ecs


def _read(row, ecs):
    with ECSClient(row.binding.endpoint, ecs.user, ecs.password, verify=ecs.verify_ssl) as client:
        return client.get_secret_keys(row.userid, row.namespace)


def test_hidden_keys_are_listed_rotated_and_deleted_by_id(row_and_settings):
    row, ecs = row_and_settings
    first = str(s3_keys.create(row, ecs))
    keys = _read(row, ecs)
    assert keys.keys == () and keys.hidden == 1 and keys.slots[0].hidden and keys.slots[0].fingerprint
    assert first not in repr(keys)
    second = str(s3_keys.rotate(row, ecs))
    keys = _read(row, ecs)
    assert second != first and keys.hidden == 2 and len(keys.key_ids) == 2
    old = next(s for s in keys.slots if s.expires)
    assert s3_keys.ecs_time(old.expires) is not None and s3_keys.ecs_time(old.created) is not None
    s3_keys.delete(row, old.fingerprint, ecs)
    assert [s.expires for s in _read(row, ecs).slots] == [""]
    with pytest.raises(s3_keys.KeyRequestError) as refused:
        s3_keys.delete(row, old.fingerprint, ecs)
    assert refused.value.status == 404
    s3_keys.delete(row, None, ecs)
    assert _read(row, ecs).count == 0


def test_a_new_key_never_shows_in_a_repr_and_is_never_pickled():
    import pickle

    secret = s3_keys.OneTimeSecret("AbC123")
    assert str(secret) == "AbC123" and "AbC123" not in repr(secret) and "AbC123" not in repr({"k": secret})
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_ecs_time_reads_what_ecs_sends_and_nothing_else():
    assert s3_keys.ecs_time("2015-12-14 05:13:32.616").isoformat() == "2015-12-14T05:13:32.616000+00:00"
    assert s3_keys.ecs_time("") is None and s3_keys.ecs_time("soon") is None
