"""The live ECS captures ship inside the repository, with their licence: no test may skip for want of them."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ecs-ce-live"


def test_live_captures_are_in_the_repository_with_their_licence():
    assert FIXTURES.is_dir(), f"missing {FIXTURES}"
    assert "Apache License" in (FIXTURES / "LICENSE-Apache-2.0").read_text()
    assert (FIXTURES / "README.md").is_file()
    manifests = sorted(FIXTURES.glob("*/manifest.json"))
    assert [m.parent.name for m in manifests] == ["ecs-3.8.0.3-live", "ecs-3.8.1.4-live"]
    for manifest in manifests:
        for entry in json.loads(manifest.read_text())["fixtures"]:
            assert (manifest.parent / entry["file"]).is_file(), entry["file"]
