"""The plugin's one logging helper: every line it logs carries its category.

Why: sites route or filter the plugin's lines by the ``category`` record attribute
(``integration:ecs``); one adapter sets it, so no call site can forget it.
"""

from __future__ import annotations

import logging

from .attributes import LOG_CATEGORY


def get_logger(name: str) -> logging.LoggerAdapter:
    """``logging.getLogger(name)``, with ``category`` set on every record it makes."""
    return logging.LoggerAdapter(logging.getLogger(name), {"category": LOG_CATEGORY})
