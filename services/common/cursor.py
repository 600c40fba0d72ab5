"""Opaque keyset cursors over (timestamp, id), for lists ordered newest first."""

import base64
import binascii
import json
import uuid
from datetime import datetime

from common.problems import ProblemError


class InvalidCursor(ProblemError):
    status, slug, title = 422, "ogiltig-cursor", "The cursor is not one this list handed out"


def encode_cursor(at: datetime, id_: uuid.UUID) -> str:
    raw = json.dumps([at.isoformat(), str(id_)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, id_ = json.loads(base64.urlsafe_b64decode(padded.encode()))
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            raise ValueError("the cursor's time has no offset")
        return parsed, uuid.UUID(id_)
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise InvalidCursor(
            errors=[{"field": "query.cursor", "message": str(exc), "code": "cursor"}]
        ) from None
