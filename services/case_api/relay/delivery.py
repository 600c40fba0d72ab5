"""One outbox event as a CloudEvent over HTTP to the notifier's ingest endpoint."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from cloudevents.core.bindings.http import to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from case_api.events import katalog
from case_api.relay.repository import ClaimedEvent
from case_api.settings import Settings
from common.tokens import mint_dev_token

INGEST_PATH = "/v1/events"
RELAY_SUBJECT = "case-api-relay"
# The notifier's ingest scope, and the only one the relay's dev token carries: the relay posts
# events and nothing else (it reads no directory, manages no subscription).
INGEST_SCOPE = "handelser:skriv"
_FORMAT = JSONFormat()
# The notifier cannot ever accept these as sent; retrying would only delay the dead letter.
PERMANENT_STATUSES = frozenset({400, 413, 415, 422})
# 4xx answers that say nothing about the event: the relay's token or address is wrong, or the
# notifier is throttling. Like 5xx and network errors they count against no event.
NOT_ABOUT_THE_EVENT = frozenset({401, 403, 404, 408, 429})


def to_cloudevent(event: ClaimedEvent, *, source: str) -> CloudEvent:
    attributes: dict[str, object] = {
        "specversion": "1.0",
        "id": str(event.id),
        "source": source,
        "type": event.type,
        "subject": event.subject,
        "time": event.occurred_at,
        "datacontenttype": "application/json",
        "dataschema": katalog.dataschema_uri(event.type),
        "sekvens": event.seq,
    }
    if event.arende_id is not None:
        attributes["arendeid"] = str(event.arende_id)
    enhet = event.data.get("enhet")
    if isinstance(enhet, str) and enhet:
        attributes["enhet"] = enhet
    if event.traceparent is not None:
        attributes["traceparent"] = event.traceparent  # CloudEvents distributed-tracing extension
    return CloudEvent(attributes=attributes, data=event.data)


class TokenUnavailable(Exception):
    """The identity provider gave no token; nothing was sent, so no event is charged."""


class TokenSource:
    """The bearer token for the notifier: NOTIFIER_TOKEN; else OAuth2 client credentials at
    NOTIFIER_TOKEN_URL; else a dev token. Fetched tokens are renewed before they expire."""

    def __init__(
        self,
        settings: Settings,
        *,
        ttl_seconds: int = 3600,
        renew_before_seconds: int = 300,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._ttl = ttl_seconds
        self._renew_before = renew_before_seconds
        self._wall_clock = wall_clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._fetched: str | None = None
        self._fetched_until = 0.0

    async def bearer(self, http: httpx.AsyncClient) -> str:
        if self._settings.notifier_token or not self._settings.notifier_token_url:
            return self.token()
        now = self._wall_clock()
        if self._fetched is None or now >= self._fetched_until:
            self._fetched, lifetime = await self._client_credentials(http)
            # Renew ahead of expiry, but never sooner than half the lifetime (short-lived tokens).
            self._fetched_until = now + max(lifetime - self._renew_before, lifetime / 2)
        return self._fetched

    async def _client_credentials(self, http: httpx.AsyncClient) -> tuple[str, float]:
        settings = self._settings
        assert settings.notifier_token_url and settings.notifier_client_id and settings.notifier_client_secret
        try:
            response = await http.post(
                settings.notifier_token_url,
                data={"grant_type": "client_credentials", "scope": settings.notifier_token_scope},
                auth=(settings.notifier_client_id, settings.notifier_client_secret.get_secret_value()),
                timeout=settings.relay_http_timeout_seconds,
            )
        except httpx.HTTPError as exc:
            raise TokenUnavailable(f"token endpoint: {type(exc).__name__}") from None
        if response.status_code != 200:
            # The body may echo the client id; the status is all the log needs.
            raise TokenUnavailable(f"token endpoint: HTTP {response.status_code}")
        try:
            body = response.json()
            return str(body["access_token"]), float(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError):
            raise TokenUnavailable("token endpoint: no access_token in the answer") from None

    def token(self) -> str:
        if self._settings.notifier_token:
            return self._settings.notifier_token
        # Token expiry is real time, not the injected domain clock that tests move around.
        now = self._wall_clock()
        if self._token is None or now >= self._expires_at - self._renew_before:
            self._token = mint_dev_token(
                self._settings,
                sub=RELAY_SUBJECT,
                roles=["system"],
                ttl_seconds=self._ttl,
                scopes=[INGEST_SCOPE],
            )
            self._expires_at = now + self._ttl
        return self._token


@dataclass(frozen=True)
class SendOutcome:
    delivered: bool
    permanent: bool = False
    error: str | None = None
    # The notifier answered about this event (a 4xx of its own): the attempt counts. Network
    # errors, timeouts, 5xx and NOT_ABOUT_THE_EVENT do not.
    concerns_event: bool = False


async def send(
    http: httpx.AsyncClient, event: ClaimedEvent, *, settings: Settings, tokens: TokenSource
) -> SendOutcome:
    message = to_structured(to_cloudevent(event, source=settings.event_source), _FORMAT)
    try:
        bearer = await tokens.bearer(http)
    except TokenUnavailable as exc:
        return SendOutcome(delivered=False, error=str(exc))
    headers = dict(message.headers) | {"Authorization": f"Bearer {bearer}"}
    if event.traceparent is not None:
        # The request to the notifier belongs to the trace of the command that wrote the event.
        headers["traceparent"] = event.traceparent
    url = settings.notifier_url.rstrip("/") + INGEST_PATH
    try:
        response = await http.post(
            url, content=message.body, headers=headers, timeout=settings.relay_http_timeout_seconds
        )
    except httpx.HTTPError as exc:
        return SendOutcome(delivered=False, error=f"{type(exc).__name__}: {exc}"[:500])
    # 202 stored, 200 duplicate: both mean the notifier has it.
    if response.is_success:
        return SendOutcome(delivered=True)
    code = response.status_code
    return SendOutcome(
        delivered=False,
        permanent=code in PERMANENT_STATUSES,
        error=f"HTTP {code}: {response.text[:300]}",
        concerns_event=400 <= code < 500 and code not in NOT_ABOUT_THE_EVENT,
    )
