"""How uvicorn runs the services, in one place: no `server: uvicorn` header (it names the
software to an attacker), and a cap on what h11 buffers while it reads a request's head.

`case-api serve` and `case-api worker` (the image's case_api commands), devstack.run and
tests/servers.py use them from here; the notifier's deploy commands repeat the flags (a test
checks that they do).
"""

from typing import Any

# What h11 buffers of a request line and headers; past it the connection is refused before the
# app sees it. The app refuses long headers itself too (common.limits), for the httptools parser.
H11_MAX_INCOMPLETE_EVENT_SIZE = 32 * 1024

UVICORN_ARGS = [
    "--no-server-header",
    "--h11-max-incomplete-event-size",
    str(H11_MAX_INCOMPLETE_EVENT_SIZE),
]
UVICORN_CONFIG: dict[str, Any] = {
    "server_header": False,
    "h11_max_incomplete_event_size": H11_MAX_INCOMPLETE_EVENT_SIZE,
}
