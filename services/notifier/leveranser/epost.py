"""E-mail alerts for bevakningar: short Swedish plain text, with no personal data.

The text is built only from what the notifier can vouch for: the rule's name from its own copy
of case_api's rule table (looked up by the rule id `typ`), the due date parsed as a date, the
threshold as an integer, the ärende id as a UUID and the link template from the settings. No
string from the event's data reaches the message as it was sent: an event is data from another
service, and one that said "BRÅDSKANDE: logga in på https://evil.example/sso" in `regel_namn`
used to become that line in an e-mail from the official sender.
"""

import datetime as dt
from collections.abc import Mapping
from email.message import EmailMessage
from types import MappingProxyType
from typing import Any

import aiosmtplib

from notifier.settings import Settings

# case_api's rule ids -> their names, as in case_api/regler/tabell.py (tests/notifier/
# test_epost_text.py fails when the two differ). A copy, not an import: the notifier is a service
# of its own and must not need case_api's code to run; a new rule there shows here as
# "Bevakning" until it is added.
REGEL_NAMN: Mapping[str, str] = MappingProxyType(
    {
        "skyddsbedomning": "Skyddsbedömning",
        "forhandsbedomning": "Förhandsbedömning",
        "utredning": "Utredning (barn och unga)",
        "verkstallighet": "Verkställighet av beslut",
        "genomforandeplan": "Genomförandeplan",
        "uppfoljning": "Uppföljning av insats och genomförandeplan",
        "lex_sarah_utredning": "Utredning av lex Sarah-rapport",
        "aterkoppling_anmalare": "Återkoppling till anmälaren",
        "aterkoppling_anmalare_genast": "Återkoppling till anmälaren (begäran efter beslutet)",
        "omprovning": "Omprövning av beslut",
        "overvagande": "Övervägande av vård utanför det egna hemmet",
        "omprovning_lvu": "Omprövning av vård enligt LVU 3 §",
        "vardnadsoverflyttning": "Övervägande om vårdnadsöverflyttning",
        "jourhem": "Vård i jourhem efter avslutad utredning",
        "uppfoljning_efter_vard": "Uppföljning efter avslutad placering",
        "ej_nyttjad": "Insats som inte nyttjas",
        "sip_uppfoljning": "Uppföljning av samordnad individuell plan (SIP)",
        "vardplan": "Vårdplan",
        "vardplan_revidering": "Första revideringen av vårdplanen",
    }
)
OKAND_REGEL = "Bevakning"
# Reminder thresholds are days before a statutory due date; a larger number is not one.
MAX_TROSKEL_DAGAR = 366


def regel_namn(data: dict[str, Any]) -> str:
    """The rule's name from the table by its id; `regel_namn` in the event is not read."""
    typ = data.get("typ")
    return REGEL_NAMN.get(typ, OKAND_REGEL) if isinstance(typ, str) else OKAND_REGEL


def _datum(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return "okänt datum"


def compose(
    *, event_type: str, data: dict[str, Any], arende_id: str | None, to: str, settings: Settings
) -> EmailMessage:
    namn = regel_namn(data)
    datum = _datum(data.get("forfallodatum"))
    kind = event_type.rsplit(".", 1)[-1]
    if kind == "forsenad":
        subject = f"Försenad: {namn}"
        lead = f"{namn} skulle ha varit klar senast {datum} och är nu försenad."
    elif kind == "paminnelse":
        days = data.get("troskel_dagar")
        whole = isinstance(days, int) and not isinstance(days, bool) and 0 <= days <= MAX_TROSKEL_DAGAR
        left = f" (om {days} dagar)" if whole else ""
        subject = f"Påminnelse: {namn} senast {datum}"
        lead = f"{namn} ska vara klar senast {datum}{left}."
    else:
        subject = f"Bevakning: {namn}"
        lead = f"{namn}: bevakningen har uppdaterats (förfallodatum {datum})."
    lines = [lead, ""]
    if arende_id:
        lines += [
            f"Ärende: {arende_id}",
            f"Öppna ärendet: {settings.arende_url_mall.replace('{arende_id}', arende_id)}",
        ]
    lines += ["", "Meddelandet skickas automatiskt från Handläggning och kan inte besvaras."]
    message = EmailMessage()
    message["From"] = settings.epost_fran
    message["To"] = to
    message["Subject"] = subject
    message.set_content("\n".join(lines))
    return message


async def send(message: EmailMessage, settings: Settings) -> None:
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        use_tls=settings.smtp_tls,
        start_tls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=settings.smtp_password,
        timeout=settings.leverans_timeout_sekunder,
    )
