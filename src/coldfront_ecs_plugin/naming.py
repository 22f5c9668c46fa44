"""ECS namespace and bucket names for an allocation.

Names come from the allocation's ``Namespace``/``Bucket`` attributes when set (validated,
never silently rewritten), else they are derived: a slug of the project title and
``lab-<namespace>-bucket``.  Derivation never falls back to a shared name such as
"default": a title with nothing transliterable is refused, so two labs can never end up
in one namespace by accident.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass

from . import attributes

MAX_NAMESPACE = 63
MIN_BUCKET = 3
MAX_BUCKET = 63
BUCKET_PREFIX = "lab-"
BUCKET_SUFFIX = "-bucket"

_NAMESPACE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_BUCKET_RE = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")


class NamingError(ValueError):
    """A namespace or bucket name cannot be derived or is not valid for ECS."""


@dataclass(frozen=True)
class Names:
    """The names an allocation uses on ECS, and whether each came from an attribute."""

    namespace: str
    bucket: str
    namespace_from_attribute: bool
    bucket_from_attribute: bool


def slugify(text: str, max_length: int = MAX_NAMESPACE) -> str:
    """Lowercase ASCII slug ``[a-z0-9-]``: NFKD transliteration, hyphens collapsed, stripped
    again after truncation so a cut never leaves a trailing hyphen.  May return ""."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-")


def validate_namespace(name: str) -> str:
    """Return ``name`` when ECS accepts it as a namespace, else raise NamingError."""
    if not name or len(name) > MAX_NAMESPACE or not _NAMESPACE_RE.match(name):
        raise NamingError(
            f"namespace name {name!r} is not valid for ECS: use 1-{MAX_NAMESPACE} characters a-z, 0-9 and '-', "
            "starting and ending with a letter or digit"
        )
    return name


def validate_bucket(name: str) -> str:
    """Return ``name`` when it follows the S3 bucket rules ECS applies, else raise NamingError."""
    problem = None
    if not MIN_BUCKET <= len(name or "") <= MAX_BUCKET:
        problem = f"must be {MIN_BUCKET}-{MAX_BUCKET} characters long"
    elif not _BUCKET_RE.match(name):
        problem = "may contain only a-z, 0-9, '-' and '.', and must start and end with a letter or digit"
    elif ".." in name or ".-" in name or "-." in name:
        problem = "must not contain '..', '.-' or '-.'"
    else:
        try:
            ipaddress.IPv4Address(name)
            problem = "must not look like an IP address"
        except ValueError:
            pass
    if problem:
        raise NamingError(f"bucket name {name!r} is not valid for ECS: it {problem}")
    return name


def namespace_from_title(title: str) -> str:
    """The derived namespace for a project title; refuses titles with nothing usable."""
    slug = slugify(title, MAX_NAMESPACE)
    if not slug:
        raise NamingError(
            f"cannot derive an ECS namespace from the project title {title!r} (no letters or digits survive "
            f"transliteration to ASCII); set the allocation's {attributes.NAMESPACE} attribute"
        )
    return validate_namespace(slug)


def bucket_for_namespace(namespace: str) -> str:
    """``lab-<namespace>-bucket``, truncating the namespace part so the suffix survives."""
    room = MAX_BUCKET - len(BUCKET_PREFIX) - len(BUCKET_SUFFIX)
    middle = namespace[:room].strip("-")
    if not middle:
        raise NamingError(
            f"cannot derive a bucket name from namespace {namespace!r}; set the allocation's Bucket attribute"
        )
    return validate_bucket(f"{BUCKET_PREFIX}{middle}{BUCKET_SUFFIX}")


def resolve_names(project_title: str, namespace_attr: str | None, bucket_attr: str | None) -> Names:
    """Names from the attributes when set (validated), else derived from the title."""
    ns_value = (namespace_attr or "").strip()
    bucket_value = (bucket_attr or "").strip()
    if ns_value:
        try:
            namespace = validate_namespace(ns_value)
        except NamingError as exc:
            raise NamingError(f"the allocation's {attributes.NAMESPACE} attribute: {exc}") from None
    else:
        namespace = namespace_from_title(project_title)
    if bucket_value:
        try:
            bucket = validate_bucket(bucket_value)
        except NamingError as exc:
            raise NamingError(f"the allocation's {attributes.BUCKET} attribute: {exc}") from None
    else:
        bucket = bucket_for_namespace(namespace)
    return Names(namespace, bucket, bool(ns_value), bool(bucket_value))


def reference_namespace(title: str) -> str:
    """The name the reference (FASRC) plugin derived from a project title: non-ASCII and punctuation
    become hyphens, cut at 63, "default" when nothing is left. Used only to find legacy storage."""
    slug = re.sub(r"[^a-z0-9]+", "-", (title or "").lower()).strip("-")[:MAX_NAMESPACE]
    return slug or "default"


def reference_bucket(namespace: str) -> str:
    """The reference plugin's ``lab-<namespace>-bucket``, slugged and cut the same way."""
    return re.sub(r"[^a-z0-9]+", "-", f"lab-{namespace}-bucket".lower()).strip("-")[:MAX_BUCKET]
