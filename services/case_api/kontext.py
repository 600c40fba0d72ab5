"""What a case_api request works with: its session, its caller, its clock, its settings.

The dependency also sets the caller's scope on the transaction (`app.enhet`, `app.utforare`,
`app.alla` via set_config(..., true)), which the row-level security policies read: a second
wall behind the object checks in the services, and no setting means no rows.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from case_api.dependencies import authorize
from case_api.settings import Settings
from common.auth import Principal, Role
from common.clock import Clock, ClockDep
from common.db import SessionDep
from common.problems import NotFound

STOCKHOLM_TZ = "Europe/Stockholm"
UNIT_ROLES = frozenset({Role.handlaggare, Role.arbetsledare, Role.enhetschef})


@dataclass(frozen=True)
class Scope:
    enhet: str | None
    utforare: str | None
    alla: bool = False

    @classmethod
    def of(cls, principal: Principal) -> "Scope":
        enhet = principal.enhet if principal.roles & UNIT_ROLES else None
        utforare = principal.utforare if Role.utforare in principal.roles else None
        return cls(enhet=enhet, utforare=utforare)

    def ser(self, *, enhet: str | None, utforare: str | None = None) -> bool:
        """May this scope see an object of that enhet (or sent to that utförare)?"""
        if self.alla:
            return True
        if self.enhet is not None and enhet == self.enhet:
            return True
        return self.utforare is not None and utforare == self.utforare


SYSTEM_SCOPE = Scope(enhet=None, utforare=None, alla=True)


async def apply_scope(session: AsyncSession, scope: Scope) -> None:
    await session.execute(
        text(
            "SELECT set_config('app.enhet', :e, true), set_config('app.utforare', :u, true), "
            "set_config('app.alla', :a, true)"
        ),
        {"e": scope.enhet or "", "u": scope.utforare or "", "a": "on" if scope.alla else "off"},
    )


@dataclass
class Kontext:
    session: AsyncSession
    vem: Principal
    scope: Scope
    clock: Clock
    settings: Settings
    request_id: str | None

    def nu(self) -> datetime:
        return self.clock()

    def idag(self) -> date:
        from case_api.regler import datum

        return datum.lokal_dag(self.clock())

    def krav_synlig(self, objekt: str, *, enhet: str | None, utforare: str | None = None) -> None:
        """404, not 403, for an object outside the caller's scope: do not confirm it exists."""
        if not self.scope.ser(enhet=enhet, utforare=utforare):
            raise NotFound(f"No {objekt} with that id.")


async def kontext(
    request: Request, session: SessionDep, vem: Annotated[Principal, Depends(authorize)], clock: ClockDep
) -> Kontext:
    scope = Scope.of(vem)
    await apply_scope(session, scope)
    return Kontext(
        session=session,
        vem=vem,
        scope=scope,
        clock=clock,
        settings=request.app.state.settings,
        request_id=getattr(request.state, "request_id", None),
    )


Ctx = Annotated[Kontext, Depends(kontext)]


SYSTEM_PRINCIPAL = Principal(
    sub="system:handlaggning", name=None, roles=frozenset({Role.system}), enhet=None, utforare=None
)


async def system_kontext(session: AsyncSession, *, clock: Clock, settings: Settings) -> Kontext:
    """For workers (the deadline sweep): the system acting on every enhet, in its own session."""
    await apply_scope(session, SYSTEM_SCOPE)
    return Kontext(
        session=session,
        vem=SYSTEM_PRINCIPAL,
        scope=SYSTEM_SCOPE,
        clock=clock,
        settings=settings,
        request_id=None,
    )
