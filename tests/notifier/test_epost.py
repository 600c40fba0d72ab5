"""E-mail alerts over real SMTP (aiosmtpd): to the handläggare, and for forsenad to the chefs."""

import email
from email.policy import default

from notifier.leveranser import service as leverans_service
from tests.notifier.support import cloudevent, send_event

ARENDE = "7f3e9c2a-5e3d-4caf-9b90-4d8fae6c3b22"
PEOPLE = [
    ("hanna", "hanna@kommun.example", "bou-1", "handlaggare"),
    ("arne", "arne@kommun.example", "bou-1", "arbetsledare"),
    ("chefen", "chef@kommun.example", "bou-1", "enhetschef"),
    ("annan", "annan@kommun.example", "bou-2", "arbetsledare"),
]


def bevakning(kind: str, sekvens: int) -> dict:  # type: ignore[type-arg]
    data = {
        "bevakning_id": "3a9d7c1e-0000-4000-8000-000000000001",
        "typ": "forhandsbedomning",
        "arende_id": ARENDE,
        "enhet": "bou-1",
        "handlaggare": "hanna",
        "forfallodatum": "2026-12-07",
        "status": "forsenad" if kind == "forsenad" else "oppen",
        "troskel_dagar": 7 if kind == "paminnelse" else None,
        # Never meant for e-mail: must not leak into the message.
        "namn": "Tolvan Tolvansson",
        "personnummer": "19121212-1212",
    }
    return cloudevent(type_=f"se.socialtjanst.bevakning.{kind}", arende=ARENDE, sekvens=sekvens, data=data)


async def setup(live) -> None:  # type: ignore[no-untyped-def]
    for sub, address, enhet, roll in PEOPLE:
        body = {"sub": sub, "epost": address, "enhet": enhet, "roll": roll}
        response = await live.client.post("/v1/mottagare", json=body, headers=live.system())
        assert response.status_code == 201, response.text
    response = await live.client.post("/v1/prenumerationer", json={"kind": "epost"}, headers=live.system())
    assert response.status_code == 201, response.text
    assert response.json()["event_typer"] == [
        "se.socialtjanst.bevakning.paminnelse",
        "se.socialtjanst.bevakning.forsenad",
    ]


async def deliver(live) -> None:  # type: ignore[no-untyped-def]
    await leverans_service.fan_out(live.session_factory, live.clock)
    while await leverans_service.deliver_due(live.session_factory, live.clock, live.settings):
        pass


def parsed(message: dict) -> tuple[list[str], str, str]:  # type: ignore[type-arg]
    mail = email.message_from_string(message["data"], policy=default)
    return message["to"], str(mail["Subject"]), mail.get_content()  # type: ignore[union-attr]


async def test_paminnelse_reaches_the_handlaggare(live, smtp) -> None:  # type: ignore[no-untyped-def]
    await setup(live)
    assert (await send_event(live, bevakning("paminnelse", 1))).status_code == 202
    await deliver(live)
    [message] = smtp.handler.messages
    to, subject, text = parsed(message)
    assert to == ["hanna@kommun.example"]
    assert subject == "Påminnelse: Förhandsbedömning senast 2026-12-07"
    assert "Förhandsbedömning ska vara klar senast 2026-12-07 (om 7 dagar)." in text
    assert f"Ärende: {ARENDE}" in text
    assert f"https://front.example/arenden/{ARENDE}" in text
    for secret in ("Tolvan", "19121212", "121212-1212"):
        assert secret not in message["data"]


async def test_forsenad_reaches_the_chefs_of_the_enhet_too(live, smtp) -> None:  # type: ignore[no-untyped-def]
    await setup(live)
    await send_event(live, bevakning("forsenad", 2))
    await deliver(live)
    recipients = sorted(r for m in smtp.handler.messages for r in m["to"])
    assert recipients == ["arne@kommun.example", "chef@kommun.example", "hanna@kommun.example"]
    for message in smtp.handler.messages:
        _to, subject, text = parsed(message)
        assert subject == "Försenad: Förhandsbedömning"
        assert "skulle ha varit klar senast 2026-12-07" in text
        assert "Tolvan" not in message["data"] and "19121212" not in message["data"]


async def test_smtp_down_is_retried(live, smtp) -> None:  # type: ignore[no-untyped-def]
    await setup(live)
    await send_event(live, bevakning("paminnelse", 1))
    down = live.settings.model_copy(update={"smtp_port": 1})
    await leverans_service.fan_out(live.session_factory, live.clock)
    assert await leverans_service.deliver_due(live.session_factory, live.clock, down) == 1
    response = await live.client.get("/v1/leveranser", params={"status": "misslyckad"}, headers=live.system())
    assert len(response.json()["items"]) == 1
    assert smtp.handler.messages == []


async def test_epost_subscription_takes_bevakning_types_only(live) -> None:  # type: ignore[no-untyped-def]
    body = {"kind": "epost", "event_typer": ["se.socialtjanst.beslut.fattat"]}
    response = await live.client.post("/v1/prenumerationer", json=body, headers=live.system())
    assert response.status_code == 422
