"""Options the report commands share (``ecs_check``, ``ecs_reconcile``): which resources, and JSON."""

from __future__ import annotations


def add_report_options(parser, *, verb: str, json_help: str = "print a machine-readable report on stdout") -> None:
    """``--resource NAME`` (exact name, repeatable; default every ECS resource) and ``--json``."""
    parser.add_argument(
        "--resource",
        action="append",
        default=[],
        metavar="NAME",
        help=f"{verb} only this resource (exact name; repeatable); default: every ECS resource",
    )
    parser.add_argument("--json", action="store_true", help=json_help)
