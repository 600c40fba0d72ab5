"""Characters no request may carry: control characters everywhere, bidi controls in names.

PostgreSQL text cannot hold NUL (the INSERT fails, and its traceback used to reach the log with
the row's personal data), and the other control characters have no business in a case file:
they hide text from the reader or break the formats the data is copied into. Free text keeps
tab, line feed and carriage return; names and query parameters keep none of them. Bidi controls
(RLO and friends) make a name read differently from what is stored, so names refuse them too.
"""

import re

# C0 controls, DEL and C1 controls.
_CONTROL = "\x00-\x1f\x7f-\x9f"
_FREE_TEXT_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_FORBIDDEN = re.compile(f"[{_CONTROL}]")
# Arabic letter mark, LRM/RLM, the embeddings and overrides, the isolates.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_NAME_FORBIDDEN = re.compile(f"[{_CONTROL}{_BIDI}]")

FREE_TEXT_MESSAGE = "must not contain control characters (other than tab and line breaks)"
CONTROL_MESSAGE = "must not contain control characters"
NAME_MESSAGE = "must not contain control or bidirectional formatting characters"
CODE = "control_character"


def free_text_ok(value: str) -> bool:
    return _FREE_TEXT_FORBIDDEN.search(value) is None


def no_controls(value: str) -> bool:
    return _CONTROL_FORBIDDEN.search(value) is None


def name_ok(value: str) -> bool:
    return _NAME_FORBIDDEN.search(value) is None
