"""Personal data out of a webhook body whose subscription does not allow it: by key and by value.

By key alone, a personnummer under an innocent key ("ref", "kommentar", a list item) went out
to the receiver. So every string (and integer) is also looked at: one that holds something
shaped like a personnummer or samordningsnummer, or an e-mail address, is removed with its
key. Removing, not masking: a receiver that may not have personal data has no use for the
field, and "[borttaget]" would still say that there was one.

The personnummer shape: 10 or 12 digits, a dash or plus before the last four allowed, the
date part a real month and a day 01-31 (61-91 for a samordningsnummer), and no letter, digit,
underscore or dash right before or after it. The last rule keeps UUIDs (the events' ids)
intact: a UUID's first groups (`12345678-1234-`) look like a personnummer followed by a dash,
and about one UUID in 3,000 ends in two hex letters and ten digits (`...-ab1212121212`), which
with digit-only boundaries was stripped. The cost: a number glued to letters (`pnr1912...`)
is not seen. A ten-digit phone number
often has the shape too and goes as well, which is what we want. The check digit is not
tested: a mistyped personnummer is still someone's.
"""

import re
from typing import Any

PERSONAL_FIELDS = frozenset(
    {
        "personnummer",
        "samordningsnummer",
        "pnr",
        "personnr",
        "namn",
        "fornamn",
        "efternamn",
        "adress",
        "telefon",
        "epost",
        "kontakt",
    }
)

_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
_PERSONNUMMER = re.compile(rf"(?<![\w-])(?:(?:19|20)\d\d|\d\d){_MONTH}{_DAY}[-+]?\d{{4}}(?![\w-])")
_EPOST = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")


def looks_personal(value: object) -> bool:
    """A string or integer holding a personnummer-shaped number or an e-mail address."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return False
    # The "@" test first: the address pattern alone scans a long id in quadratic time.
    return bool(_PERSONNUMMER.search(value) or ("@" in value and _EPOST.search(value)))


def strip_personal(value: Any) -> Any:
    """`value` without personal fields (by key) and without personal-looking values, at any depth."""
    if isinstance(value, dict):
        return {
            k: strip_personal(v)
            for k, v in value.items()
            if k.lower() not in PERSONAL_FIELDS and not looks_personal(k) and not looks_personal(v)
        }
    if isinstance(value, list):
        return [strip_personal(v) for v in value if not looks_personal(v)]
    return value
