"""Object users and their (at most two) S3 secret keys.

ObjectScale 4.x hides keys on read: masked values, ``secret_key_N_exist`` and ``secret_key_N_id``
(SHA-256), deletion by ``secret_key_id`` (ecs-field-notes.md "Object users, secret keys, IAM").
The mask's exact text is not documented; the simulator sends ``********``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
from typing import TYPE_CHECKING, Any

from ..errors import ApiError, invalid
from ..util import as_long, body_dict, iso_ms_now, key_timestamp, page, text
from .common import Json, Params, get_ns

if TYPE_CHECKING:
    from ..api import Request, Simulator

MASK = "********"


def key_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _user(sim: Simulator, uid: Any, namespace: str | None = None) -> Json:
    rec = sim.state.users.get(uid) if isinstance(uid, str) else None
    if rec is None or (namespace and rec["namespace"] != namespace):
        raise ApiError(
            404, 2000, f"Unable to find object user {uid}" + (f" in namespace {namespace}" if namespace else "")
        )
    return rec


def create_user(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    body = body_dict(req.body)
    uid, namespace = text(body, "user", required=True), text(body, "namespace", required=True)
    get_ns(sim, namespace)
    if uid in sim.state.users:
        raise ApiError(400, 1015, f"Object user {uid} already exists")
    tags = body.get("tags") or []
    if not isinstance(tags, list):
        raise invalid("tags must be a list")
    sim.state.users[uid] = {
        "userid": uid,
        "namespace": namespace,
        "tags": tags,
        "created": iso_ms_now(),
        "keys": [None, None],
    }
    return {"link": {"rel": "self", "href": f"/object/user-secret-keys/{uid}"}}


def _user_list(sim: Simulator, req: Request, namespace: str | None) -> Json:
    users = sim.state.users
    uids = sorted(u for u, rec in users.items() if namespace is None or rec["namespace"] == namespace)
    if req.query.get("userid"):
        uids = [u for u in uids if u == req.query["userid"]]
    names, nxt, limit = page(uids, {"marker": req.query.get("marker", ""), "limit": req.query.get("limit", "")})
    out: Json = {
        "blobuser": [{"userid": u, "namespace": users[u]["namespace"]} for u in names],
        "Filter": f"namespace={namespace}" if namespace else "",
        "MaxUsers": limit,
    }
    if nxt:
        out["NextMarker"] = nxt
    return out


def list_users(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    return _user_list(sim, req, None)


def list_namespace_users(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    get_ns(sim, params["namespace"])
    return _user_list(sim, req, params["namespace"])


def get_user(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    rec = _user(sim, params["uid"], req.query.get("namespace"))
    return {
        "name": rec["userid"],
        "namespace": rec["namespace"],
        "locked": False,
        "created": rec["created"],
        "tags": rec["tags"],
    }


def delete_user(sim: Simulator, req: Request, params: Params, user: str) -> None:
    body = body_dict(req.body)
    rec = _user(sim, text(body, "user"), text(body, "namespace") or None)
    del sim.state.users[rec["userid"]]


def _live_keys(rec: Json) -> list[Json | None]:
    now = time.time()
    rec["keys"] = [k if k and not (k["expiry"] and k["expiry"] <= now) else None for k in rec["keys"]]
    return list(rec["keys"])


def create_key(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    body = body_dict(req.body)
    rec = _user(sim, params["uid"], text(body, "namespace") or None)
    keys = _live_keys(rec)
    if None not in keys:
        raise invalid(f"Object user {rec['userid']} already has two secret keys")
    secret = text(body, "secretkey") or base64.b64encode(os.urandom(30)).decode()
    expiry_min = body.get("existing_key_expiry_time_mins")
    if expiry_min not in (None, ""):
        until = time.time() + 60 * as_long(expiry_min, "existing_key_expiry_time_mins")
        for k in keys:
            if k:
                k["expiry"] = until
    new = {"key": secret, "timestamp": key_timestamp(), "expiry": None}
    keys[keys.index(None)] = new
    rec["keys"] = keys
    out = {
        "link": {"rel": "self", "href": f"/object/user-secret-keys/{rec['userid']}"},
        "secret_key": secret,
        "key_timestamp": new["timestamp"],
        "key_expiry_timestamp": "",
    }
    if sim.profile.hidden_keys:
        out["secret_key_id"] = key_id(secret)
    return out


def get_keys(sim: Simulator, req: Request, params: Params, user: str) -> Json:
    rec = _user(sim, params["uid"], params.get("namespace"))
    hidden = sim.profile.hidden_keys
    out: Json = {}
    for i, k in enumerate(_live_keys(rec), start=1):
        out[f"secret_key_{i}"] = (MASK if hidden else k["key"]) if k else ""
        out[f"key_timestamp_{i}"] = k["timestamp"] if k else ""
        out[f"key_expiry_timestamp_{i}"] = key_timestamp(k["expiry"]) if k and k["expiry"] else ""
        out[f"secret_key_{i}_exist"] = k is not None
        if hidden:
            out[f"secret_key_{i}_id"] = key_id(k["key"]) if k else ""
    out["link"] = {"rel": "self", "href": f"/object/user-secret-keys/{rec['userid']}"}
    return out


def delete_keys(sim: Simulator, req: Request, params: Params, user: str) -> None:
    """One key by ``secret_key`` (3.x) or ``secret_key_id`` (4.x), or both keys when neither is given."""
    body = body_dict(req.body)
    rec = _user(sim, params["uid"], text(body, "namespace") or None)
    keys = _live_keys(rec)
    secret, kid = text(body, "secret_key"), text(body, "secret_key_id")
    if secret or kid:
        match = [k for k in keys if k and (k["key"] == secret or key_id(k["key"]) == kid)]
        if not match:
            raise invalid("The secret key to delete does not belong to this user")
        rec["keys"] = [None if k in match else k for k in keys]
    else:
        rec["keys"] = [None, None]
