"""The one logging helper: every line the plugin logs carries its category, however it is logged."""

from __future__ import annotations

import logging

from coldfront_ecs_plugin import attributes, logs


def test_every_record_carries_the_category(caplog):
    logger = logs.get_logger("coldfront_ecs_plugin.services.example")
    with caplog.at_level(logging.DEBUG, logger="coldfront_ecs_plugin"):
        logger.info("plain %s", "info")
        logger.log(logging.WARNING, "by level")
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("with a traceback")
    assert [r.getMessage() for r in caplog.records] == ["plain info", "by level", "with a traceback"]
    assert {r.category for r in caplog.records} == {attributes.LOG_CATEGORY}
    assert {r.name for r in caplog.records} == {"coldfront_ecs_plugin.services.example"}
    assert caplog.records[-1].exc_info is not None


def test_the_services_log_through_it():
    from coldfront_ecs_plugin import signals, tasks
    from coldfront_ecs_plugin.services import provisioning, quota, sync

    for module in (signals, tasks, provisioning, quota, sync):
        assert isinstance(module.logger, logging.LoggerAdapter), module.__name__
        assert module.logger.extra == {"category": attributes.LOG_CATEGORY}
