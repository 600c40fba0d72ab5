"""The hash chain's canonical form, without a database."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from case_api.audit import kedja

CONTENT = {
    "at": datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
    "sub": "anna",
    "roller": ["handlaggare"],
    "enhet": "bou-1",
    "utforare": None,
    "handling": "las",
    "objekt_typ": "arende",
    "objekt_id": uuid.UUID("00000000-0000-4000-8000-000000000001"),
    "person_id": uuid.UUID("00000000-0000-4000-8000-000000000002"),
    "arende_id": None,
    "skal": "Åtkomst för utredning",
    "request_id": "req-1",
    "utfall": "tillaten",
}


def test_canonical_is_sorted_compact_utc_and_keeps_swedish_letters() -> None:
    text = kedja.canonical(CONTENT)
    assert text.startswith('{"arende_id":null,"at":"2026-11-23T10:00:00.000000+00:00",')
    assert " " not in text.replace("Åtkomst för utredning", "")
    assert "Åtkomst för utredning" in text


def test_same_instant_in_another_offset_hashes_the_same() -> None:
    stockholm = CONTENT["at"].astimezone(timezone(timedelta(hours=1)))  # type: ignore[attr-defined]
    assert kedja.row_hash(kedja.GENESIS, CONTENT) == kedja.row_hash(
        kedja.GENESIS, {**CONTENT, "at": stockholm}
    )


def test_hash_covers_prev_hash_and_every_field() -> None:
    base = kedja.row_hash(kedja.GENESIS, CONTENT)
    assert base == hashlib.sha256((kedja.GENESIS + kedja.canonical(CONTENT)).encode()).hexdigest()
    assert kedja.row_hash("1" * 64, CONTENT) != base
    for field in kedja.FIELDS:
        changed = {**CONTENT, field: "x" if CONTENT[field] != "x" else "y"}
        assert kedja.row_hash(kedja.GENESIS, changed) != base, field


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        kedja.canonical({**CONTENT, "at": datetime(2026, 11, 23, 10, 0)})


# Every control character, the characters JSON escapes, DEL, the line and paragraph separators
# JavaScript minds, Swedish letters, text beyond the BMP; in each kind of field.
TRICKY = [chr(c) for c in range(0x20)] + [
    '"',
    "\\",
    "/",
    "\x7f",
    "\u2028",
    "\u2029",
    "åäö ÅÄÖ",
    "🦉",
    "a\u0301",
    "",
]


@pytest.mark.parametrize("text", TRICKY, ids=[f"U+{ord(t[0]):04X}" if t else "empty" for t in TRICKY])
def test_the_fast_encoding_is_byte_for_byte_the_reference(text: str) -> None:
    """The sealer hashes orjson's bytes; the chain's definition is json.dumps. They must agree on
    everything a row can hold, or rows sealed by one would fail verification by the other."""
    for field in ("sub", "skal", "request_id", "enhet"):
        content = {**CONTENT, field: f"x{text}y{text}"}
        assert kedja.canonical_bytes(content) == kedja.canonical(content).encode("utf-8"), field
    listed = {**CONTENT, "roller": [text, "handlaggare", f"{text}{text}"]}
    assert kedja.canonical_bytes(listed) == kedja.canonical(listed).encode("utf-8")
