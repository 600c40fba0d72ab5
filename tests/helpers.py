"""Small helpers the tests share."""

from typing import Any

PROBLEM = "application/problem+json"

# Every beslut and every utredning's avslut carries the child's perspective (seed 000): the one
# default the tests' bodies use.
BARNPERSPEKTIV: dict[str, Any] = {
    "barnkonsekvensanalys": "Insatsen ger barnet stöd i vardagen och en tryggare skolgång.",
    "barnets_synpunkter": "Vill ha hjälp med läxor.",
    "talan_av": "vardnadshavare",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response, status: int, type_suffix: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:handlaggning:problem:")
    assert body["title"]
    if type_suffix:
        assert body["type"].endswith(type_suffix), body["type"]
    return body
