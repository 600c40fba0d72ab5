"""The hash chain as pure functions: what a row's hash covers and how it is computed.

hash = sha256_hex(prev_hash + canonical JSON of the row's content), where the content is every
column except id, prev_hash and hash. The first row's prev_hash is GENESIS. The verifier
recomputes the same from stored rows, so the canonical form must be stable across the write
(Python values) and the read (values from PostgreSQL): timestamps in UTC with microseconds,
uuids as lowercase strings, keys sorted, no whitespace.
"""

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64

FIELDS = (
    "at",
    "sub",
    "roller",
    "enhet",
    "utforare",
    "handling",
    "objekt_typ",
    "objekt_id",
    "person_id",
    "arende_id",
    "skal",
    "request_id",
    "utfall",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("audit timestamps must be timezone-aware")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical(content: Mapping[str, Any]) -> str:
    return json.dumps(
        {name: _plain(content[name]) for name in FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def row_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()
