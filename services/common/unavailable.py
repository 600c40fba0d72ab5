"""A database that cannot be reached answers 503 problem+json with Retry-After, never a 500.

During an outage every call used to answer a bare 500 (an unhandled ConnectionRefusedError),
which a client takes for "refused, not written". A 503 says "try again": nothing was done, or,
when the connection died during COMMIT, the outcome is unknown, and the retry with the same
Idempotency-Key then tells the truth (the object exists, or it is created now).
"""

from typing import Any

from sqlalchemy.exc import DBAPIError

# SQLSTATEs that mean the server is not there for us: 08 connection exception, 57P01-57P03
# admin shutdown / crash shutdown / cannot connect now (starting up), 53300 too many connections.
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03", "53300")


def _sqlstate(exc: BaseException) -> str | None:
    for candidate in (exc, exc.__cause__, getattr(exc, "orig", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(code, str):
            return code
    return None


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached (rather than refusing a statement)."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True  # SQLAlchemy's disconnect detection: the connection died under us
        orig: Any = exc.orig
        if orig is not None and database_unavailable(orig):
            return True
        code = _sqlstate(exc)
        return code is not None and code.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES)
    # Connecting raises the socket's own error (refused, reset, unreachable, timed out), which
    # SQLAlchemy does not wrap. Requests make no other network calls than to the database.
    if isinstance(exc, OSError):
        return True
    code = _sqlstate(exc)
    return code is not None and code.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES)
