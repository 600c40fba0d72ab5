"""Subscriptions. `system` manages all; an enhetschef manages those filtered to their own enhet."""

import base64
import secrets
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, Role
from common.clock import Clock
from common.concurrency import check_if_match
from notifier.leveranser import repository as leverans_repository
from notifier.prenumerationer import repository as prenumeration_repository
from notifier.prenumerationer import url_guard
from notifier.prenumerationer.exceptions import (
    OutsideOwnEnhet,
    PrenumerationInactive,
    PrenumerationNotFound,
    WebhookUrlRefused,
)
from notifier.prenumerationer.models import Prenumeration
from notifier.prenumerationer.schemas import (
    BEVAKNING_TYPES,
    PrenumerationCreate,
    PrenumerationRead,
    PrenumerationUpdate,
)
from notifier.settings import Settings


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def read(p: Prenumeration, now_: object = None) -> PrenumerationRead:
    return PrenumerationRead(
        id=p.id,
        kind=p.kind,
        url=p.url,
        event_typer=p.event_typer,
        enhet=p.enhet,
        tillat_personuppgifter=p.tillat_personuppgifter,
        status=p.status,
        inaktiverad_orsak=p.inaktiverad_orsak,
        rotation_pagar=p.tidigare_hemlighet is not None,
        tidigare_hemlighet_till=p.tidigare_hemlighet_till,
        created_at=p.created_at,
        updated_at=p.updated_at,
        version=p.version,
    )


def scope_enhet(caller: Principal) -> str | None:
    """None: every enhet (system). Otherwise the only enhet the caller may touch."""
    if caller.has(Role.system):
        return None
    if not caller.enhet:
        raise OutsideOwnEnhet("Your token names no enhet.")
    return caller.enhet


def _check_url(url: str, settings: Settings) -> None:
    try:
        url_guard.check_url_syntax(url, settings.tillatna_webhook_vardar)
    except url_guard.UrlRefused as exc:
        raise WebhookUrlRefused(str(exc)) from None


async def create(
    session: AsyncSession, *, caller: Principal, data: PrenumerationCreate, clock: Clock, settings: Settings
) -> tuple[Prenumeration, str | None]:
    own = scope_enhet(caller)
    enhet = data.enhet
    if own is not None:
        if enhet not in (None, own):
            raise OutsideOwnEnhet("An enhetschef subscribes for their own enhet only.")
        if data.tillat_personuppgifter:
            raise OutsideOwnEnhet("Only the system role may allow personal data in webhooks.")
        enhet = own
    secret: str | None = None
    if data.kind == "webhook":
        assert data.url is not None
        _check_url(data.url, settings)
        secret = data.hemlighet or new_secret()
    now = clock()
    prenumeration = Prenumeration(
        id=uuid.uuid4(),
        kind=data.kind,
        url=data.url,
        event_typer=list(data.event_typer or BEVAKNING_TYPES),
        enhet=enhet,
        tillat_personuppgifter=data.tillat_personuppgifter,
        hemlighet=secret,
        status="aktiv",
        skapad_av=caller.sub,
        created_at=now,
        updated_at=now,
        version=1,
    )
    session.add(prenumeration)
    await session.flush()
    return prenumeration, secret


async def get(
    session: AsyncSession, *, caller: Principal, prenumeration_id: uuid.UUID, for_update: bool = False
) -> Prenumeration:
    prenumeration = await prenumeration_repository.get(session, prenumeration_id, for_update=for_update)
    own = scope_enhet(caller)
    if prenumeration is None or (own is not None and prenumeration.enhet != own):
        raise PrenumerationNotFound(f"No subscription {prenumeration_id}.")
    return prenumeration


async def list_page(
    session: AsyncSession,
    *,
    caller: Principal,
    kind: str | None,
    status: str | None,
    enhet: str | None,
    cursor: uuid.UUID | None,
    limit: int,
) -> tuple[list[Prenumeration], str | None]:
    own = scope_enhet(caller)
    if own is not None:
        if enhet not in (None, own):
            return [], None
        enhet = own
    rows = await prenumeration_repository.page(
        session, enhet=enhet, kind=kind, status=status, after=cursor, limit=limit + 1
    )
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


async def update(
    session: AsyncSession,
    *,
    caller: Principal,
    prenumeration_id: uuid.UUID,
    data: PrenumerationUpdate,
    if_match: str | None,
    clock: Clock,
    settings: Settings,
) -> Prenumeration:
    p = await get(session, caller=caller, prenumeration_id=prenumeration_id, for_update=True)
    check_if_match(if_match, p.version)
    own = scope_enhet(caller)
    if p.status != "aktiv":
        raise PrenumerationInactive("A disabled subscription is not changed; create a new one.")
    fields = data.model_fields_set
    if p.kind == "epost" and ({"url", "hemlighet"} & fields or data.tillat_personuppgifter):
        raise PrenumerationInactive("An e-mail subscription has no url, secret or personal data.")
    now = clock()
    if "url" in fields and data.url is not None:
        _check_url(data.url, settings)
        p.url = data.url
    if "event_typer" in fields and data.event_typer is not None:
        checked = PrenumerationCreate(kind=p.kind, url=p.url, event_typer=data.event_typer)
        p.event_typer = list(checked.event_typer or [])
    if "enhet" in fields:
        if own is not None and data.enhet != own:
            raise OutsideOwnEnhet("An enhetschef subscribes for their own enhet only.")
        p.enhet = data.enhet
    if "tillat_personuppgifter" in fields and data.tillat_personuppgifter is not None:
        if own is not None and data.tillat_personuppgifter:
            raise OutsideOwnEnhet("Only the system role may allow personal data in webhooks.")
        p.tillat_personuppgifter = data.tillat_personuppgifter
    if data.hemlighet is not None and data.hemlighet != p.hemlighet:
        p.tidigare_hemlighet = p.hemlighet
        p.tidigare_hemlighet_till = now + timedelta(hours=settings.hemlighet_overlapp_timmar)
        p.hemlighet = data.hemlighet
    if data.avsluta_rotation:
        p.tidigare_hemlighet = None
        p.tidigare_hemlighet_till = None
    p.updated_at = now
    p.version += 1
    await session.flush()
    return p


async def disable(
    session: AsyncSession,
    *,
    caller: Principal,
    prenumeration_id: uuid.UUID,
    if_match: str | None,
    clock: Clock,
) -> Prenumeration:
    p = await get(session, caller=caller, prenumeration_id=prenumeration_id, for_update=True)
    check_if_match(if_match, p.version)
    if p.status != "aktiv":
        raise PrenumerationInactive("The subscription is already disabled.")
    now = clock()
    p.status = "inaktiverad"
    p.inaktiverad_orsak = f"inaktiverad av {caller.sub}"
    p.updated_at = now
    p.version += 1
    await session.flush()
    await leverans_repository.cancel_pending(
        session, prenumeration_id=p.id, reason="prenumerationen inaktiverad"
    )
    return p
