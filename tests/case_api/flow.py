"""Steps of the case walk as small functions, shared by the lifecycle tests."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from common.clock import FrozenClock
from tests.helpers import bearer

STHLM = ZoneInfo("Europe/Stockholm")
TEST_PNR = "201503142380"  # fictitious; the check digit is valid
ANMALAN: dict[str, Any] = {
    "typ": "anmalan",
    "inkom": "2026-02-03T09:30:00+01:00",
    "enhet": "bou-1",
    "barn": {"personnummer": TEST_PNR, "fornamn": "Test", "efternamn": "Testsson"},
    "beskrivning": "Oro från skolan",
    "kalla": {"typ": "skola", "namn": "Exempelskolan"},
}


def at(clock: FrozenClock, text: str) -> None:
    """Move the app's clock to a local Stockholm time ("2026-02-03 10:00")."""
    clock.set(datetime.fromisoformat(text).replace(tzinfo=STHLM))


class Walk:
    """An API client acting as several people, with helpers that assert each step's status."""

    def __init__(self, client: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    async def post(
        self,
        who: str,
        path: str,
        body: dict[str, Any],
        *,
        etag: str | None = None,
        expect: int = 200,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        h = bearer(self.tokens[who]) | (headers or {})
        if etag is not None:
            h["If-Match"] = etag
        response = await self.client.post(path, json=body, headers=h)
        assert response.status_code == expect, response.text
        return response

    async def get(self, who: str, path: str, *, expect: int = 200, **params: Any) -> httpx.Response:
        response = await self.client.get(path, headers=bearer(self.tokens[who]), params=params)
        assert response.status_code == expect, response.text
        return response

    async def command(
        self, who: str, path: str, obj_path: str, body: dict[str, Any], expect: int = 200
    ) -> Any:
        """Read the object's ETag, then run the command with it."""
        etag = (await self.get(who, obj_path)).headers["ETag"]
        return (await self.post(who, path, body, etag=etag, expect=expect)).json()

    async def bevakningar(self, arende_id: str, who: str = "handlaggare") -> dict[str, list[dict[str, Any]]]:
        items = (await self.get(who, "/v1/bevakningar", arende_id=arende_id)).json()["items"]
        by_type: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            by_type.setdefault(item["typ"], []).append(item)
        return by_type
