"""Allow ``python -m ecs_simulator`` (what the test fixtures run)."""

from ecs_simulator.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
