"""Reconciliation of non-idempotent writes whose outcome is unknown.

A create or delete that timed out, lost its connection or got a 5xx may have been applied.
Instead of blindly resending (a duplicate create) or giving up (a lie), the client asks ECS
whether the write is visible, and resends only when it is not.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from .errors import AmbiguousWrite, ECSAlreadyExists, ECSUnavailable
from .sender import MIN_ATTEMPT_S, Sender

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Reconciler(Sender):
    """Adds ``_reconciled`` to the sender."""

    def _reconciled(self, what: str, send: Callable[[float], T], check: Callable[[], T | None], deadline: float) -> T:
        """Run a non-idempotent write; after an ambiguous failure, ask ECS whether it took effect.

        ``check`` returns the outcome if the write is visible (entity exists / is gone), else None.
        ECSUnavailable means "unknown, reconcile later".
        """
        ambiguous: AmbiguousWrite | None = None
        for attempt in range(self.retries + 1):
            try:
                return send(deadline)
            except AmbiguousWrite as exc:
                ambiguous = exc
            except ECSAlreadyExists:
                outcome = check() if ambiguous is not None else None  # our earlier attempt likely created it
                if outcome is not None:
                    return outcome
                raise
            try:
                outcome = check()
            except ECSUnavailable:
                break
            if outcome is not None:
                logger.info("ECS %s: ambiguous failure, but ECS shows it took effect", what)
                return outcome
            if attempt >= self.retries or deadline - time.monotonic() <= MIN_ATTEMPT_S:
                break
            self._sleep(attempt, deadline)
        raise self._unknown_outcome(what, ambiguous)

    @staticmethod
    def _unknown_outcome(what: str, ambiguous: AmbiguousWrite | None) -> ECSUnavailable:
        detail = f": {ambiguous.message}" if ambiguous is not None else ""
        return ECSUnavailable(
            f"{what}: outcome unknown and ECS could not confirm it{detail}",
            http_status=ambiguous.http_status if ambiguous else None,
            method=ambiguous.method if ambiguous else None,
            path=ambiguous.path if ambiguous else None,
        )
