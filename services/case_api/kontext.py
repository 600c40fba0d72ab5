"""What a case_api request works with: its session, its caller, its clock, its settings.

The dependency also sets the caller's scope on the transaction (`app.enhet`, `app.utforare`,
`app.alla` via set_config(..., true)), which the row-level security policies read: a second
wall behind the object checks in the services, and no setting means no rows.
"""

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from case_api.access_matrix import SYSTEM_SCOPES
from case_api.dependencies import authorize
from case_api.settings import Settings
from common.auth import Principal, Role, operation_id
from common.clock import Clock, ClockDep
from common.db import SessionDep, begin_with
from common.problems import NotFound

STOCKHOLM_TZ = "Europe/Stockholm"
SKAL_ARENDE = "arende"
UNIT_ROLES = frozenset({Role.handlaggare, Role.arbetsledare, Role.enhetschef})


@dataclass(frozen=True)
class Scope:
    enhet: str | None
    utforare: str | None
    alla: bool = False

    @classmethod
    def of(cls, principal: Principal, *, system_las: bool = False) -> "Scope":
        """`system_las`: an integration reading with a scope the operation asks for sees every enhet."""
        if system_las and Role.system in principal.roles and not principal.roles & UNIT_ROLES:
            return SYSTEM_SCOPE
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


_SET_SCOPE = (
    "SELECT set_config('app.enhet', {e}, true), set_config('app.utforare', {u}, true), "
    "set_config('app.alla', {a}, true)"
)
_SCOPE = text(_SET_SCOPE.format(e=":e", u=":u", a=":a"))
# What an enhet or utförare id may hold to be written into the BEGIN's simple query as it is:
# no quote, no backslash, nothing SQL could read as more than the literal's text.
_LITERAL = re.compile(r"[A-Za-z0-9_.:@-]{0,200}")


async def apply_scope(session: AsyncSession, scope: Scope) -> None:
    values = {"e": scope.enhet or "", "u": scope.utforare or "", "a": "on" if scope.alla else "off"}
    # A request's first statement goes with its BEGIN, in one round trip (common.db.begin_with);
    # the literal is made only of values that passed the check.
    plain = all(_LITERAL.fullmatch(v) for v in values.values())
    if plain and await begin_with(session, _SET_SCOPE.format(**{k: f"'{v}'" for k, v in values.items()})):
        return
    # An id with other characters, or a transaction that has begun: bound parameters.
    await session.execute(_SCOPE, values)


@dataclass
class Kontext:
    session: AsyncSession
    vem: Principal
    scope: Scope
    clock: Clock
    settings: Settings
    request_id: str | None
    handling: str = "andra"
    # ärende id -> its child's person id, for the audit rows of objects that name only the ärende.
    _personer: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    # Model -> the rows of the ärende a case-file read loaded at once (laddning.rader reads them).
    forladdning: dict[type, list[Any]] | None = None

    def nu(self) -> datetime:
        return self.clock()

    def idag(self) -> date:
        from case_api.regler import datum

        return datum.lokal_dag(self.clock())

    async def logga(self, objekt_typ: str, objekt: Any, *, handling: str | None = None) -> None:
        """Audit this request's read or write of one object of an ärende (or the ärende itself).

        The handling follows the request (GET: las, a create: skapa, other commands: andra); the
        person is the ärende's child, and the skäl the ärende. Call it last: the audit append
        holds the chain lock until the transaction ends.
        """
        await self._logga(handling or self.handling, objekt_typ, [objekt], per_person=False)

    async def logga_rad(
        self,
        objekt_typ: str,
        *,
        objekt_id: uuid.UUID,
        person_id: uuid.UUID,
        arende_id: uuid.UUID,
    ) -> None:
        """As logga, for an object that names its person and ärende only through the caller."""
        from case_api.audit import service as audit_service

        await audit_service.logga(
            self.session,
            vem=self.vem,
            handling=self.handling,
            objekt_typ=objekt_typ,
            objekt_id=objekt_id,
            person_id=person_id,
            arende_id=arende_id,
            skal=SKAL_ARENDE,
        )

    async def logga_lista(self, objekt_typ: str, objekt: Sequence[Any], *, skal: str = SKAL_ARENDE) -> None:
        """Audit a list or search: one row per person (and ärende) the page returns. The skäl is
        the ärende each row names, unless the search states its own (journalgranskning)."""
        await self._logga("sok", objekt_typ, objekt, per_person=True, skal=skal)

    async def _logga(
        self,
        handling: str,
        objekt_typ: str,
        objekt: Sequence[Any],
        *,
        per_person: bool,
        skal: str = SKAL_ARENDE,
    ) -> None:
        from case_api.audit import service as audit_service

        rader = await self._audit_rader(objekt, per_person=per_person)
        # Why: the ärende each row names (SKAL_ARENDE); access outside an ärende states its own skäl.
        await audit_service.logga_manga(
            self.session,
            vem=self.vem,
            handling=handling,
            objekt_typ=objekt_typ,
            rader=rader,
            skal=skal,
        )

    async def _audit_rader(
        self, objekt: Sequence[Any], *, per_person: bool
    ) -> list[tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]]:
        from case_api.arenden.models import Arende

        def arende_of(o: Any) -> uuid.UUID:
            return o.id if isinstance(o, Arende) else o.arende_id

        missing = {arende_of(o) for o in objekt if getattr(o, "person_id", None) is None}
        # An object outside any ärende (a bevakning of a lex Sarah report) has no child to find.
        missing -= {None, *self._personer.keys()}
        if missing:
            found = await self.session.execute(
                select(col(Arende.id), col(Arende.person_id)).where(col(Arende.id).in_(missing))
            )
            self._personer.update({row.id: row.person_id for row in found})
        rader: dict[tuple[Any, ...], tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]] = {}
        for o in objekt:
            arende_id = arende_of(o)
            person_id = getattr(o, "person_id", None) or self._personer.get(arende_id)
            key = (person_id, arende_id) if per_person else (o.id,)
            # A person with several objects on the page is one row, naming no single object.
            rader[key] = (None if key in rader else o.id, person_id, arende_id)
        return list(rader.values())

    def kand_person(self, arende_id: uuid.UUID, person_id: uuid.UUID) -> None:
        """Remember an ärende's child, read or written anyway, so its audit rows need no lookup."""
        self._personer[arende_id] = person_id

    def krav_synlig(self, objekt: str, *, enhet: str | None, utforare: str | None = None) -> None:
        """404, not 403, for an object outside the caller's scope: do not confirm it exists."""
        if not self.scope.ser(enhet=enhet, utforare=utforare):
            raise NotFound(f"No {objekt} with that id.")


async def kontext(
    request: Request, session: SessionDep, vem: Annotated[Principal, Depends(authorize)], clock: ClockDep
) -> Kontext:
    operation = operation_id(request)
    # Reads only: the system role's rows in the matrix are reads, and this keeps it so.
    system_las = request.method == "GET" and bool(vem.scopes & SYSTEM_SCOPES.get(operation, frozenset()))
    scope = Scope.of(vem, system_las=system_las)
    await apply_scope(session, scope)
    return Kontext(
        session=session,
        vem=vem,
        scope=scope,
        clock=clock,
        settings=request.app.state.settings,
        request_id=getattr(request.state, "request_id", None),
        handling=_handling(request),
    )


def _handling(request: Request) -> str:
    """The audit handling of this route: GET reads, a 201 route creates, any other command changes."""
    if request.method in ("GET", "HEAD"):
        return "las"
    return "skapa" if getattr(request.scope.get("route"), "status_code", None) == 201 else "andra"


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
