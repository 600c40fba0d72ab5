"""Standard Webhooks delivery: the CloudEvent as the body, signed with every active secret."""

import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from standardwebhooks.webhooks import Webhook

from notifier.leveranser.personuppgifter import strip_personal
from notifier.prenumerationer import url_guard


def body_for(event: dict[str, Any], *, personal_data: bool) -> str:
    payload = dict(event)
    if not personal_data and "data" in payload:
        payload["data"] = strip_personal(payload["data"])
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def sign(*, msg_id: str, timestamp: datetime, body: str, secrets: list[str]) -> str:
    """Space-separated `v1,<sig>` per secret: receivers accept any one during a rotation."""
    utc = timestamp.astimezone(UTC)
    return " ".join(Webhook(secret).sign(msg_id, utc, body) for secret in secrets)


def _pinned(url: str, address: url_guard.IPAddress, port: int) -> str:
    parts = urlsplit(url)
    host = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    return urlunsplit((parts.scheme, f"{host}:{port}", parts.path or "/", parts.query, ""))


# What is read of a receiver's answer at most: only the status and Retry-After matter, and a
# 200 MB answer was read whole before (RSS 128 -> 510 MB against a 384 Mi limit).
MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Answer:
    status_code: int
    retry_after: str | None


async def post(
    client: httpx.AsyncClient,
    *,
    url: str,
    body: str,
    msg_id: str,
    timestamp: datetime,
    secrets: list[str],
    allowed_hosts: list[str],
    traceparent: str | None = None,
) -> Answer:
    """POST to the address the guard checked (not a second DNS answer), keeping the name for
    the Host header and TLS; read at most MAX_ANSWER_BYTES of the answer, then drop the
    connection. Raises url_guard.UrlRefused or httpx.HTTPError. The caller bounds the time."""
    scheme, host, port, address = await url_guard.resolve_checked(url, allowed_hosts)
    netloc = urlsplit(url).netloc
    headers = {
        "Content-Type": "application/cloudevents+json",
        "Host": netloc,
        "User-Agent": "handlaggning-notifier/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": sign(msg_id=msg_id, timestamp=timestamp, body=body, secrets=secrets),
    }
    if traceparent is not None:
        headers["traceparent"] = traceparent
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    async with client.stream(
        "POST", _pinned(url, address, port), content=body.encode(), headers=headers, extensions=extensions
    ) as response:
        read = 0
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read >= MAX_ANSWER_BYTES:
                break  # leaving the block closes the stream, and an unread stream its connection
        return Answer(response.status_code, response.headers.get("Retry-After"))
