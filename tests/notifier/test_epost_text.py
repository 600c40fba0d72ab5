"""Issue 11, item 3: an e-mail's text comes from the rule table, never from the event's strings.

The pen test put "BRÅDSKANDE: logga in på https://evil.example/sso" in a forged
`bevakning.forsenad`'s `regel_namn`, and it became the subject and first line of an e-mail
from the official sender to a handläggare. Ingest is now the relay's alone (test_scopes.py);
this is the second wall: even an event that gets in cannot choose the words.
"""

import pytest

from case_api.regler.tabell import REGLER
from notifier.leveranser import epost
from notifier.settings import Settings
from tests.notifier.support import send_event
from tests.notifier.test_epost import bevakning, deliver, parsed, setup

HOSTILE = "BRÅDSKANDE: logga in på https://evil.example/sso"


def test_the_notifiers_rule_names_are_case_apis() -> None:
    """The copy in epost.py must not drift from the rule table it copies."""
    assert dict(epost.REGEL_NAMN) == {regel.id: regel.namn for regel in REGLER.values()}


@pytest.mark.parametrize("kind", ["forsenad", "paminnelse"])
async def test_hostile_regel_namn_does_not_reach_the_email(live, smtp, kind) -> None:  # type: ignore[no-untyped-def]
    await setup(live)
    event = bevakning(kind, 1)
    event["data"]["regel_namn"] = HOSTILE
    assert (await send_event(live, event)).status_code == 202
    await deliver(live)
    assert smtp.handler.messages
    for message in smtp.handler.messages:
        _to, subject, text = parsed(message)
        assert "evil.example" not in message["data"] and "BRÅDSKANDE" not in subject + text
        assert "Förhandsbedömning" in subject and "Förhandsbedömning" in text


async def test_an_unknown_rule_id_is_not_echoed(live, smtp) -> None:  # type: ignore[no-untyped-def]
    """The old fallback turned an unknown `typ` into its own text ("Logga in på ...")."""
    await setup(live)
    event = bevakning("forsenad", 1)
    event["data"]["typ"] = "logga_in_pa_evil.example/sso_nu"
    event["data"]["troskel_dagar"] = "klicka här"
    await send_event(live, event)
    await deliver(live)
    assert smtp.handler.messages
    for message in smtp.handler.messages:
        _to, subject, _text = parsed(message)
        assert subject == "Försenad: Bevakning"
        assert "evil" not in message["data"] and "logga" not in message["data"].lower()


@pytest.mark.parametrize("days", ["7 dagar, logga in på evil.example", 10**12, True, -3])
def test_the_threshold_is_a_small_whole_number_or_left_out(days: object) -> None:
    data = {"typ": "utredning", "forfallodatum": "2026-12-07 evil.example", "troskel_dagar": days}
    message = epost.compose(
        event_type="se.socialtjanst.bevakning.paminnelse",
        data=data,
        arende_id=None,
        to="hanna@kommun.example",
        settings=Settings(),
    )
    text = message.get_content()
    assert str(message["Subject"]) == "Påminnelse: Utredning (barn och unga) senast 2026-12-07"
    assert "Utredning (barn och unga) ska vara klar senast 2026-12-07." in text
    assert "evil" not in text and "dagar" not in text
