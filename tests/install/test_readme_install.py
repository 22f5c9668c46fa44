"""The README's "Install and enable in ColdFront" section, run as written: its local_settings.py, its
commands in order, the resource attributes its table names, against a fresh SQLite ColdFront (through
the ``coldfront`` console script, as an admin would) and the session's simulator.

Only two things are substituted, each asserted to be in the README first: the CA bundle path (the
simulator's CA instead of ``/etc/pki/ecs-ca.pem``) and the example ``url`` (the simulator's address).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Install and enable in ColdFront"
SAMPLE_CA = "/etc/pki/ecs-ca.pem"
SIM_PASSWORD = "ChangeMe"  # the simulator's default (README, "The ECS simulator")

pytestmark = pytest.mark.skipif(
    os.environ.get("ECS_TEST_DB", "sqlite") != "sqlite",
    reason="runs its own SQLite ColdFront; once per environment is enough",
)


def _section() -> str:
    text = README.read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end != -1 else None]


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


def _commands(block: str) -> list[str]:
    """``coldfront ...`` lines of a shell block, trailing comments removed."""
    commands = []
    for line in block.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line.startswith("coldfront "):
            commands.append(line)
    return commands


def _resource_attributes(section: str) -> dict[str, str]:
    """``| `name` | `example` | ... |`` rows of the section's resource-attribute table."""
    return dict(re.findall(r"^\| `([a-z_]+)` \| `([^`]*)` \|", section, flags=re.M))


def _run(command: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    argv = [str(Path(sys.executable).parent / "coldfront"), *command.split()[1:]]
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    output = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, f"{command!r} failed ({done.returncode}):\n{output}"
    return done


CREATE_RESOURCE = """
import json, os
from coldfront.core.resource.models import Resource, ResourceAttribute, ResourceAttributeType, ResourceType
values = json.loads(os.environ["README_RESOURCE_ATTRIBUTES"])
resource = Resource.objects.create(name="ECS-S3 (README)", description="ECS object storage",
                                   resource_type=ResourceType.objects.get(name="Storage"))
for name, value in values.items():
    ResourceAttribute.objects.create(resource=resource, value=value,
                                     resource_attribute_type=ResourceAttributeType.objects.get(name=name))
print("created", resource.pk)
"""


def test_readme_install_section_works_as_written(sim, tmp_path):
    section = _section()
    [settings_block] = _blocks(section, "python")
    first, second = [b for b in _blocks(section, "sh") if "coldfront " in b]
    assert any(line.startswith("pip install") for b in _blocks(section, "sh") for line in b.splitlines())
    setup_commands, check_commands = _commands(first), _commands(second)
    assert setup_commands[:2] == ["coldfront migrate", "coldfront initial_setup -f"]
    assert "coldfront ecs_sync --dry-run" in check_commands

    # the README's settings file, pointed at the simulator's CA
    assert SAMPLE_CA in settings_block and 'ENV.str("ECS_PASS", default="")' in settings_block
    assert re.search(r'ECS_USER = "admin"', settings_block), "the sample user is the simulator's"
    local_settings = tmp_path / "local_settings.py"
    local_settings.write_text(settings_block.replace(SAMPLE_CA, sim.ca_path))

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ECS_", "DJANGO_", "COLDFRONT_", "PLUGIN_")) and k not in ("DB_URL", "SECRET_KEY")
    }
    env.update(
        COLDFRONT_CONFIG=str(local_settings),
        DB_URL=f"sqlite:///{tmp_path / 'coldfront.db'}",
        SECRET_KEY="readme-test-only",
        PYTHONWARNINGS="ignore",
    )

    # before ECS_PASS is set: every command runs, and check says what is missing
    outputs = [_run(command, env, tmp_path) for command in setup_commands]
    check = [o for c, o in zip(setup_commands, outputs, strict=True) if c == "coldfront check"][-1]
    assert "ECS_PASS is not set" in check.stdout + check.stderr

    # the resource, with the attributes the README's table names (the url is the simulator's)
    values = _resource_attributes(section)
    assert {"url", "replication_group", "quantity_default_value", "quantity_label"} <= set(values)
    assert values["replication_group"] == "rg1"  # the simulator's default replication group
    values["url"] = sim.host_port
    done = subprocess.run(
        [str(Path(sys.executable).parent / "coldfront"), "shell", "-c", CREATE_RESOURCE],
        env={**env, "README_RESOURCE_ATTRIBUTES": json.dumps(values)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "created" in done.stdout, done.stderr[-3000:]

    # with the password: the checks are quiet about it and the dry run reads ECS
    env["ECS_PASS"] = SIM_PASSWORD
    logins_before = sim.stats()["logins"]
    outputs = [_run(command, env, tmp_path) for command in check_commands]
    text = "\n".join(o.stdout + o.stderr for o in outputs)
    assert "ECS_PASS is not set" not in text
    assert "coldfront_ecs_plugin.W00" not in text and "coldfront_ecs_plugin.E" not in text, text
    assert "ECS-S3 (README)" in text
    assert sim.stats()["logins"] > logins_before
