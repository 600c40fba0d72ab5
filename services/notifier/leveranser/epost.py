"""E-mail alerts for bevakningar: short Swedish plain text, with no personal data.

The text is built only from the bevakning's rule, due date, threshold and ärende id; the
event's other data never reaches the message, so a name or personnummer cannot slip in.
"""

import datetime as dt
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from notifier.settings import Settings

# Display names of the rule table's ids; an unknown id is shown as written.
REGEL_NAMN = {
    "skyddsbedomning": "Skyddsbedömning",
    "forhandsbedomning": "Förhandsbedömning",
    "utredning": "Utredning",
    "utredning_forlangd": "Förlängd utredning",
    "beslut": "Beslut",
    "verkstallighet": "Verkställighet",
    "ej_verkstallt": "Ej verkställt beslut",
    "genomforandeplan": "Genomförandeplan",
    "uppfoljning": "Uppföljning",
    "uppfoljning_plan": "Uppföljning av genomförandeplan",
    "uppfoljning_beslut": "Uppföljning av beslut",
    "omprovning": "Omprövning",
}


def regel_namn(typ: Any) -> str:
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
    namn = regel_namn(data.get("typ"))
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
