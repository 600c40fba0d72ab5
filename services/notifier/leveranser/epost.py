"""E-mail alerts for bevakningar: short Swedish plain text, with no personal data.

The text is built only from the bevakning's rule, due date, threshold and ärende id; the
event's other data never reaches the message, so a name or personnummer cannot slip in.
"""

import datetime as dt
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from notifier.settings import Settings

# Fallback display names of case_api's rule ids, for events that do not carry `regel_namn`.
REGEL_NAMN = {
    "skyddsbedomning": "Skyddsbedömning",
    "forhandsbedomning": "Förhandsbedömning",
    "utredning": "Utredning",
    "verkstallighet": "Verkställighet",
    "genomforandeplan": "Genomförandeplan",
    "uppfoljning": "Uppföljning",
    "lex_sarah_utredning": "Utredning av lex Sarah-rapport",
}


def regel_namn(data: dict[str, Any]) -> str:
    """The rule's name as case_api's rule table gives it, else the fallback table."""
    named = data.get("regel_namn")
    if isinstance(named, str) and named.strip():
        return named.strip()[:100]
    typ = data.get("typ")
    if not isinstance(typ, str) or not typ:
        return "Bevakning"
    return REGEL_NAMN.get(typ, typ.replace("_", " ").capitalize())


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
        left = f" (om {days} dagar)" if isinstance(days, int) and not isinstance(days, bool) else ""
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
