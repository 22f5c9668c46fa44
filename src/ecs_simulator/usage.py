"""Bucket usage as billing sees it: ECS samples usage every few minutes, so billing lags the truth.

Sources: ecs-api.md section 7 ("Billing data is sampled asynchronously ... values lag behind real
usage"; ``uptodate_till`` says up to when the data is consistent) and ecs-field-notes.md "Sampling".
With ``billing_lag_s`` = L, a usage written through ``/_sim/usage`` at time t reaches billing at
t + L, and billing answers carry ``sample_time`` = ``uptodate_till`` = now - L.
A bucket keeps its truth in ``size_bytes``/``objects`` and, while a lag is set, a short history
``usage_log`` of ``[epoch, size_bytes, objects]`` (the entry before the first write has epoch 0).
"""

from __future__ import annotations

import time
from typing import Any


def record(bucket: dict[str, Any], size_bytes: int, objects: int, lag_s: float, now: float | None = None) -> None:
    """Write the truth; keep just enough history to answer reads lagging by ``lag_s``."""
    now = time.time() if now is None else now
    if lag_s > 0:
        log = bucket.setdefault("usage_log", [[0.0, bucket["size_bytes"], bucket["objects"]]])
        log.append([now, size_bytes, objects])
        horizon = now - lag_s
        while len(log) > 1 and log[1][0] <= horizon:  # entry 0 is superseded before anyone can read it
            log.pop(0)
    else:
        bucket.pop("usage_log", None)
    bucket["size_bytes"], bucket["objects"] = size_bytes, objects


def visible(bucket: dict[str, Any], lag_s: float, now: float | None = None) -> tuple[int, int]:
    """(size_bytes, objects) as billing reports them ``lag_s`` seconds late."""
    log = bucket.get("usage_log")
    if lag_s <= 0 or not log:
        return bucket["size_bytes"], bucket["objects"]
    horizon = (time.time() if now is None else now) - lag_s
    size, objects = log[0][1], log[0][2]
    for epoch, s, o in log:
        if epoch > horizon:
            break
        size, objects = s, o
    return int(size), int(objects)


def sample_epoch(lag_s: float, now: float | None = None) -> float:
    """When the reported sample was taken: ``lag_s`` seconds ago."""
    return (time.time() if now is None else now) - max(lag_s, 0.0)
