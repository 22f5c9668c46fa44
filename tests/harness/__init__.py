"""Shared test support, importable from every test directory (``pythonpath = ["tests"]``).

- ``harness.endpoints``: simulator endpoint names as they appear in ``/_sim/stats`` and fault specs.
- ``harness.simulator``: ``SimulatorHandle`` / ``start_simulator`` (an ``ecs-simulator`` subprocess).
- ``harness.world``: the ``World`` builder (ColdFront objects on a simulator, ColdFront's real views).
- ``harness.sync``: builders for the sync tests (allocations with stored names, their ECS side).
- ``harness.secrets`` / ``harness.stub``: the reliability suite's secret scanner and malformed-reply stub.

Fixtures stay in the ``conftest.py`` files; this package only holds plain code.
"""
