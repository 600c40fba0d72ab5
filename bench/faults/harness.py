"""The project's own fault run: real processes on loopback, real faults, a table of what was lost.

Setup: fresh case_api and notifier databases on the machine's PostgreSQL, reached by every
service only through a TCP proxy (tests/dbproxy.py) the harness can cut; two API processes
(uvicorn, RATE_LIMIT_PER_MINUTE=0), two relays (`python -m case_api.relay`), the audit sealer
(`case-api worker --only sealer`), the notifier with its workers, and a webhook receiver here
that verifies every Standard Webhooks signature and records what arrives.

A load generator writes aktualiseringar through both APIs, each with an Idempotency-Key it
keeps across retries (on 503, 5xx and connection errors, to either API) until it gets an answer
it can believe. The faults run one after another with normal load between them; then the load
stops and the run waits for every committed event to reach the receiver (the drain).

The machine's PostgreSQL is never stopped (other work shares it): a "database outage" is the
proxy cutting every connection and refusing new ones, which is what the services see when the
server stops immediately.
"""

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from common.db import make_engine
from common.serving import UVICORN_ARGS
from common.settings import CommonSettings
from common.tokens import mint_dev_token
from devstack.databases import ServiceDatabase, drop_database, ensure_database
from devstack.migrate import upgrade
from devstack.ports import free_port
from notifier.access_matrix import ALL_SCOPES
from tests.dbproxy import DbProxy

REPO = Path(__file__).resolve().parents[2]
ENHET = "bou-1"
# Skatteverket test personnummer: each child's aktualiseringar join one ärende, so its events
# have an order to keep.
BARN = ["201212121212", "201304052390", "201211152390", "201303192387", "201212302382", "201302032386"]


# --- processes ---------------------------------------------------------------------------------


@dataclass
class Service:
    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    url: str | None = None  # base URL of an HTTP service, for readiness
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, *self.args],
                env={**os.environ, **self.env},
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def signal(self, sig: int) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    async def wait_exit(self, seconds: float) -> int | None:
        assert self.process is not None
        try:
            return await asyncio.to_thread(self.process.wait, seconds)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()

    async def ready(self, seconds: float = 120) -> None:
        # Generous: a boot is seconds of imports, and on a shared 2-core machine it took 28 s.
        if self.url is None:
            await asyncio.sleep(0.5)
            return
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get(f"{self.url}/health/ready", timeout=1)).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready (log: {self.log})")


# --- the verifying receiver --------------------------------------------------------------------


@dataclass
class Arrival:
    webhook_id: str
    event_id: str
    arende: str | None
    sekvens: int | None
    at: float


@dataclass
class Receiver:
    secret: str = ""
    arrivals: list[Arrival] = field(default_factory=list)
    bad_signatures: int = 0
    url: str = ""

    async def handle(self, request: Request) -> Response:
        body = (await request.body()).decode()
        try:
            Webhook(self.secret).verify(body, dict(request.headers))
        except WebhookVerificationError:
            self.bad_signatures += 1
            return Response(status_code=401)
        event = json.loads(body)
        sekvens = event.get("sekvens")
        self.arrivals.append(
            Arrival(
                webhook_id=request.headers["webhook-id"],
                event_id=str(event["id"]),
                arende=event.get("arendeid"),
                sekvens=int(sekvens) if sekvens is not None else None,
                at=time.monotonic(),
            )
        )
        return Response(status_code=204)


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/hook", receiver.handle, methods=["POST"])])
    port = free_port()
    server = _QuietServer(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    receiver.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task


# --- load and probes ---------------------------------------------------------------------------


@dataclass
class Answer:
    started: float
    ended: float
    api: str
    status: int | None  # None: no answer (connection refused or reset, timeout)
    retry_after: bool


@dataclass
class Phase:
    name: str
    started: float
    ended: float = 0.0


@dataclass
class Load:
    apis: list[str]
    token: str
    answers: list[Answer] = field(default_factory=list)
    readiness: list[Answer] = field(default_factory=list)
    acknowledged: dict[str, set[str]] = field(default_factory=dict)  # key -> ids answered
    unresolved: list[str] = field(default_factory=list)  # keys given up on (no answer to believe)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def write(self, http: httpx.AsyncClient, n: int) -> None:
        key = str(uuid.uuid4())
        body = {
            "typ": "anmalan",
            "inkom": datetime.now(UTC).isoformat(),
            "enhet": ENHET,
            "barn": {"personnummer": BARN[n % len(BARN)], "fornamn": "Fel", "efternamn": "Korning"},
            "beskrivning": f"faults {key}",
            "kalla": {"typ": "skola", "namn": "Exempelskolan"},
        }
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": key}
        deadline = time.monotonic() + 90
        attempt = 0
        while time.monotonic() < deadline:
            api = self.apis[(n + attempt) % len(self.apis)]
            attempt += 1
            started = time.monotonic()
            try:
                r = await http.post(f"{api}/v1/aktualiseringar", json=body, headers=headers, timeout=10)
            except httpx.HTTPError:
                self.answers.append(Answer(started, time.monotonic(), api, None, False))
                await asyncio.sleep(0.2)
                continue
            self.answers.append(
                Answer(started, time.monotonic(), api, r.status_code, "retry-after" in r.headers)
            )
            if r.status_code in (200, 201):
                self.acknowledged.setdefault(key, set()).add(r.json()["id"])
                return
            if r.status_code == 409 and "in progress" in r.text.lower():
                await asyncio.sleep(0.2)
                continue
            if r.status_code >= 500 or r.status_code in (408, 409, 429):
                await asyncio.sleep(float(r.headers.get("retry-after", "0.2")) / 4)
                continue
            raise RuntimeError(f"unexpected answer {r.status_code}: {r.text[:300]}")
        self.unresolved.append(key)

    async def writer(self, index: int, pace: float) -> None:
        n = index
        async with httpx.AsyncClient() as http:
            while not self.stop.is_set():
                await self.write(http, n)
                n += 7
                await asyncio.sleep(pace)

    async def prober(self) -> None:
        async with httpx.AsyncClient() as http:
            while not self.stop.is_set():
                for api in self.apis:
                    started = time.monotonic()
                    try:
                        r = await http.get(f"{api}/health/ready", timeout=3)
                        status: int | None = r.status_code
                    except httpx.HTTPError:
                        status = None
                    self.readiness.append(Answer(started, time.monotonic(), api, status, False))
                await asyncio.sleep(0.25)


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Plan:
    faults: list[str]
    between: float = 6.0
    outage: float = 10.0
    notifier_down: float = 20.0
    notifier_frozen: float = 15.0
    writers: int = 4
    pace: float = 0.05
    drain_limit: float = 120.0
    notifier_lease: float = 6.0  # what a killed notifier's in-flight deliveries wait for
    # Duplicates allowed: a share of the events (the done-when's 1 %), or, for a run too short
    # for a share to mean much, the deliveries that can be in flight at each fault that cuts
    # the notifier off from the receiver's answer or from its database.
    duplicate_share: float | None = 0.01


FULL = Plan(["api_kill9", "relay_kill9", "db_outage", "notifier_kill", "notifier_stop", "api_sigterm"])
# In the test suite (tests/test_faults.py): short, but every fault kind that loses data if wrong.
REDUCED = Plan(
    ["api_kill9", "db_outage", "notifier_kill"],
    between=1.5,
    outage=3.0,
    notifier_down=3.0,
    writers=3,
    notifier_lease=3.0,
    duplicate_share=None,
)
# Faults at which deliveries in flight may have been answered but not recorded.
CUTS_DELIVERY = {"db_outage", "notifier_kill"}
IN_FLIGHT_PER_SUBSCRIPTION = 4  # NOTIFIER_SAMTIDIGA_PER_PRENUMERATION's default


@dataclass
class Stack:
    admin_url: str
    work: Path
    proxy: DbProxy
    case_db: ServiceDatabase
    notifier_db: ServiceDatabase
    apis: list[Service]
    relays: list[Service]
    sealer: Service
    notifier: Service

    def all(self) -> list[Service]:
        return [*self.apis, *self.relays, self.sealer, self.notifier]


def _superuser_url(admin_url: str, database: str) -> str:
    return make_url(admin_url).set(database=database).render_as_string(hide_password=False)


async def _databases(admin_url: str, label: str) -> tuple[ServiceDatabase, ServiceDatabase]:
    # A random part too: two runs at once (the suite beside `make faults`) must not share one.
    label = f"{label}_{uuid.uuid4().hex[:8]}"
    case_db = await ensure_database(
        admin_url, name=f"faults_case_{label}", owner_role="case_api_owner", app_role="case_api_app"
    )
    notifier_db = await ensure_database(
        admin_url, name=f"faults_notifier_{label}", owner_role="notifier_owner", app_role="notifier_app"
    )
    # One after the other: alembic's environment is module-global, not thread-safe.
    await asyncio.to_thread(upgrade, "case_api", case_db.owner_url, "case_api_app")
    await asyncio.to_thread(upgrade, "notifier", notifier_db.owner_url, "notifier_app")
    return case_db, notifier_db


def _stack(
    plan: Plan,
    admin_url: str,
    work: Path,
    proxy: DbProxy,
    case_db: ServiceDatabase,
    notifier_db: ServiceDatabase,
) -> Stack:
    common = {"DATA_DIR": str(work / "data"), "LOG_LEVEL": "WARNING", "SHUTDOWN_GRACE_SECONDS": "5"}
    case_url = proxy.url_for(case_db.app_url)
    notifier_port = free_port()
    notifier_url = f"http://127.0.0.1:{notifier_port}"

    def api(i: int) -> Service:
        port = free_port()
        return Service(
            f"api{i}",
            ["-m", "uvicorn", "--factory", "case_api.main:create_app", "--port", str(port), *UVICORN_ARGS],
            {
                **common,
                "DATABASE_URL": case_url,
                "CASE_API_RUN_WORKERS": "false",
                "RATE_LIMIT_PER_MINUTE": "0",
            },
            work / f"api{i}.log",
            url=f"http://127.0.0.1:{port}",
        )

    relay_env = {
        **common,
        "DATABASE_URL": case_url,
        "NOTIFIER_URL": notifier_url,
        "RELAY_LEASE_SECONDS": "5",
        "RELAY_HTTP_TIMEOUT_SECONDS": "2",
        "RELAY_POLL_SECONDS": "0.5",
        "RELAY_BREAKER_MAX_SECONDS": "2",
        "RELAY_BACKOFF_BASE_SECONDS": "0.2",
        "RELAY_BACKOFF_MAX_SECONDS": "2",
    }
    return Stack(
        admin_url=admin_url,
        work=work,
        proxy=proxy,
        case_db=case_db,
        notifier_db=notifier_db,
        apis=[api(1), api(2)],
        relays=[
            Service(f"relay{i}", ["-m", "case_api.relay"], relay_env, work / f"relay{i}.log") for i in (1, 2)
        ],
        sealer=Service(
            "sealer",
            ["-m", "case_api.cli", "worker", "--only", "sealer"],
            {**common, "DATABASE_URL": case_url, "CASE_API_WORKER_PORT": str(free_port())},
            work / "sealer.log",
        ),
        notifier=Service(
            "notifier",
            [
                "-m",
                "uvicorn",
                "--factory",
                "notifier.main:create_app",
                "--port",
                str(notifier_port),
                *UVICORN_ARGS,
            ],
            {
                **common,
                "NOTIFIER_DATABASE_URL": proxy.url_for(notifier_db.app_url),
                "NOTIFIER_TILLATNA_WEBHOOK_VARDAR": '["127.0.0.1:*"]',
                "NOTIFIER_LEASE_SEKUNDER": str(plan.notifier_lease),
                "NOTIFIER_LEVERANS_TIMEOUT_SEKUNDER": str(plan.notifier_lease - 1),
                "NOTIFIER_POLL_SEKUNDER": "0.2",
                "NOTIFIER_BACKOFF_BAS_SEKUNDER": "0.5",
                "NOTIFIER_BACKOFF_MAX_SEKUNDER": "4",
                "NOTIFIER_MAX_FORSOK": "40",
            },
            work / "notifier.log",
            url=notifier_url,
        ),
    )


async def _subscribe(stack: Stack, receiver: Receiver, settings: CommonSettings) -> None:
    token = mint_dev_token(settings, sub="faults", roles=["system"], scopes=sorted(ALL_SCOPES))
    assert stack.notifier.url is not None
    async with httpx.AsyncClient() as http:
        r = await http.post(
            f"{stack.notifier.url}/v1/prenumerationer",
            json={"kind": "webhook", "url": receiver.url, "event_typer": ["se.socialtjanst.*"]},
            headers={"Authorization": f"Bearer {token}"},
        )
        r.raise_for_status()
        receiver.secret = r.json()["hemlighet"]


async def _scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar_one()


class Faults:
    def __init__(self, stack: Stack, plan: Plan, case: AsyncEngine) -> None:
        self.stack, self.plan, self.case = stack, plan, case
        self.notes: dict[str, str] = {}

    async def api_kill9(self) -> None:
        # Restarted at once, like an orchestrator would; the load meanwhile retries on the other
        # API, and the run does not wait for this one's boot (seconds of imports on 2 cores).
        victim = self.stack.apis[0]
        victim.signal(signal.SIGKILL)
        await victim.wait_exit(5)
        await asyncio.sleep(2)
        victim.start()

    async def api_sigterm(self) -> None:
        victim = self.stack.apis[1]
        started = time.monotonic()
        victim.signal(signal.SIGTERM)
        code = await victim.wait_exit(30)
        self.notes["api_sigterm"] = f"exited {code} after {time.monotonic() - started:.1f} s"
        victim.start()
        await victim.ready()

    async def relay_kill9(self) -> None:
        victim = self.stack.relays[0]
        deadline = time.monotonic() + 15
        held = 0
        while time.monotonic() < deadline:
            held = await _scalar(
                self.case,
                "SELECT count(*) FROM outbox_delivery WHERE status = 'pending' AND lease_owner LIKE :o",
                o=f"%:{victim.pid}:%",
            )
            if held:
                break
            await asyncio.sleep(0.005)
        self.notes["relay_kill9"] = f"{held} leases held at the kill"
        victim.signal(signal.SIGKILL)
        await victim.wait_exit(5)
        await asyncio.sleep(2)
        victim.start()

    async def db_outage(self) -> None:
        await self.stack.proxy.cut()
        await asyncio.sleep(self.plan.outage)
        await self.stack.proxy.restore()

    async def notifier_kill(self) -> None:
        self.stack.notifier.signal(signal.SIGKILL)
        await self.stack.notifier.wait_exit(5)
        await asyncio.sleep(self.plan.notifier_down)
        self.stack.notifier.start()
        await self.stack.notifier.ready()

    async def notifier_stop(self) -> None:
        self.stack.notifier.signal(signal.SIGSTOP)
        await asyncio.sleep(self.plan.notifier_frozen)
        self.stack.notifier.signal(signal.SIGCONT)


@dataclass
class Result:
    rows: list[tuple[str, str, bool]]  # what, value, within the done-when threshold
    phases: list[Phase]
    during: dict[str, tuple[Counter[str], Counter[str]]]  # phase -> (readiness, API answers)

    @property
    def ok(self) -> bool:
        return all(passed for _, _, passed in self.rows)

    def table(self) -> str:
        width = max(len(w) for w, _, _ in self.rows)
        lines = [f"{'check'.ljust(width)}  {'value':<40} ok", "-" * (width + 46)]
        lines += [f"{w.ljust(width)}  {v:<40} {'yes' if p else 'NO'}" for w, v, p in self.rows]
        lines += ["", f"{'during':<14} {'readiness answers':<40} API answers", "-" * 90]
        for name, (ready, answers) in self.during.items():
            lines.append(f"{name:<14} {_counts(ready):<40} {_counts(answers)}")
        return "\n".join(lines)


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(counter.items())) or "-"


def _label(a: Answer) -> str:
    if a.status is None:
        return "no answer"
    return f"{a.status}{'+RA' if a.retry_after else ''}"


def _within(a: Answer, phase: Phase) -> bool:
    return phase.started <= a.started and a.ended <= phase.ended


async def run(
    plan: Plan, *, admin_url: str, work: Path, label: str = "run", log: Callable[[str], None] = print
) -> Result:
    await asyncio.to_thread((work / "data").mkdir, parents=True, exist_ok=True)
    begun = time.monotonic()

    def say(what: str) -> None:
        log(f"{time.monotonic() - begun:6.1f} s  {what}")

    case_db, notifier_db = await _databases(admin_url, label)
    say("databases migrated")
    settings = CommonSettings(DATA_DIR=work / "data")
    proxy = DbProxy(case_db.app_url)
    await proxy.start()
    # One proxy per database server is enough: both databases are on the same PostgreSQL.
    stack = _stack(plan, admin_url, work, proxy, case_db, notifier_db)
    case = make_engine(_superuser_url(admin_url, case_db.name), pool_size=2)
    inbox = make_engine(_superuser_url(admin_url, notifier_db.name), pool_size=2)
    phases: list[Phase] = []
    try:
        async with receiving() as receiver:
            # The dev signing key is made here, before any service starts: services starting
            # at once on an empty DATA_DIR each made their own, and tokens failed as 401.
            mint_dev_token(settings, sub="faults", roles=["handlaggare"], enhet=ENHET)
            for service in stack.all():
                service.start()
            await stack.notifier.ready()
            await _subscribe(stack, receiver, settings)
            for service in stack.apis:
                await service.ready()
            say("services ready")
            token = mint_dev_token(settings, sub="faults", roles=["handlaggare"], enhet=ENHET)
            load = Load([s.url for s in stack.apis if s.url], token)
            tasks = [asyncio.create_task(load.writer(i, plan.pace)) for i in range(plan.writers)]
            tasks.append(asyncio.create_task(load.prober()))
            faults = Faults(stack, plan, case)
            await asyncio.sleep(plan.between)
            for name in plan.faults:
                # Each fault starts on a whole stack: a restarted process has finished booting.
                for service in [*stack.apis, stack.notifier]:
                    await service.ready()
                say(f"fault: {name}")
                phase = Phase(name, time.monotonic())
                await getattr(faults, name)()
                phase.ended = time.monotonic()
                phases.append(phase)
                await asyncio.sleep(plan.between)
            last_fault = phases[-1].ended if phases else time.monotonic()
            load.stop.set()
            await asyncio.gather(*tasks)
            say("load stopped; draining")
            drain = await _drain(case, receiver, plan.drain_limit)
            drained_at = time.monotonic()
            # The sealer has sealed every committed row before the audit is verified.
            await asyncio.sleep(1.0)
            audit = await _verify_audit(stack, settings)
            say("drained and verified")
            result = await _results(
                plan, load, receiver, case, inbox, phases, drain, drained_at - last_fault, audit
            )
            result.rows.extend((f"note {k}", v, True) for k, v in faults.notes.items())
            return result
    finally:
        for service in stack.all():
            service.stop()
        await proxy.cut()
        await case.dispose()
        await inbox.dispose()
        await drop_database(admin_url, case_db.name)
        await drop_database(admin_url, notifier_db.name)


async def _committed_events(case: AsyncEngine) -> set[str]:
    async with case.connect() as conn:
        return {str(r[0]) for r in await conn.execute(text("SELECT id FROM outbox_event"))}


async def _drain(case: AsyncEngine, receiver: Receiver, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if await _committed_events(case) <= {a.event_id for a in receiver.arrivals}:
            return True
        await asyncio.sleep(0.2)
    return False


async def _verify_audit(stack: Stack, settings: CommonSettings) -> dict[str, Any]:
    token = mint_dev_token(settings, sub="faults-kvalitet", roles=["kvalitetssamordnare"], enhet=ENHET)
    async with httpx.AsyncClient() as http:
        r = await http.get(
            f"{stack.apis[0].url}/v1/audit/verifiering",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        r.raise_for_status()
        body: dict[str, Any] = r.json()
        return body


async def _results(
    plan: Plan,
    load: Load,
    receiver: Receiver,
    case: AsyncEngine,
    inbox: AsyncEngine,
    phases: list[Phase],
    drained: bool,
    drain_seconds: float,
    audit: dict[str, Any],
) -> Result:
    async with case.connect() as conn:
        existing = {str(r[0]) for r in await conn.execute(text("SELECT id FROM aktualisering"))}
        twice = (
            await conn.execute(
                text(
                    "SELECT count(*) FROM (SELECT beskrivning FROM aktualisering "
                    "WHERE beskrivning LIKE 'faults %' GROUP BY beskrivning HAVING count(*) > 1) d"
                )
            )
        ).scalar_one()
    events = await _committed_events(case)
    async with inbox.connect() as conn:
        in_inbox = {str(r[0]) for r in await conn.execute(text("SELECT event_id FROM inbox_event"))}
    acked_ids = {i for ids in load.acknowledged.values() for i in ids}
    lost_writes = len(acked_ids - existing)
    keys_two = sum(1 for ids in load.acknowledged.values() if len(ids) > 1) + int(twice)
    arrived = {a.event_id for a in receiver.arrivals}
    per_webhook = Counter(a.webhook_id for a in receiver.arrivals)
    duplicates = sum(n - 1 for n in per_webhook.values())
    order_breaks = _order_breaks(receiver.arrivals)
    during: dict[str, tuple[Counter[str], Counter[str]]] = {}
    for phase in phases:
        during[phase.name] = (
            Counter(_label(a) for a in load.readiness if _within(a, phase)),
            Counter(_label(a) for a in load.answers if _within(a, phase)),
        )
    outage_ok = True
    for phase in phases:
        if phase.name == "db_outage":
            ready, answers = during[phase.name]
            outage_ok = set(ready) <= {"503", "503+RA"} and set(answers) <= {"503+RA"} and bool(ready)
    dup_share = duplicates / max(len(events), 1)
    if plan.duplicate_share is not None:
        dup_ok, dup_bound = dup_share <= plan.duplicate_share, f"<= {plan.duplicate_share:.0%}"
    else:
        limit = IN_FLIGHT_PER_SUBSCRIPTION * sum(1 for p in phases if p.name in CUTS_DELIVERY)
        dup_ok, dup_bound = duplicates <= limit, f"<= {limit} in flight"
    rows = [
        ("writes acknowledged", str(len(acked_ids)), True),
        ("acknowledged writes lost", str(lost_writes), lost_writes == 0),
        ("keys given up on (no answer)", str(len(load.unresolved)), True),
        ("keys that created two objects", str(keys_two), keys_two == 0),
        ("events committed", str(len(events)), True),
        ("events lost (not in the inbox)", str(len(events - in_inbox)), not events - in_inbox),
        ("deliveries missing at the receiver", str(len(events - arrived)), not events - arrived),
        ("duplicate deliveries", f"{duplicates} ({dup_share:.2%}; {dup_bound})", dup_ok),
        ("order breaks (per ärende)", str(order_breaks), order_breaks == 0),
        ("bad signatures", str(receiver.bad_signatures), receiver.bad_signatures == 0),
        (
            "audit verification",
            f"ok={audit['ok']} rows={audit['antal']} breaks={audit['antal_brott']} "
            f"unsealed={audit['antal_oforseglade']}",
            bool(audit["ok"]),
        ),
        ("db outage: readiness 503, API 503+Retry-After", "yes" if outage_ok else "no", outage_ok),
        (
            "drain after the last fault",
            f"{drain_seconds:.1f} s" if drained else "not drained",
            drained and drain_seconds <= 60,
        ),
    ]
    return Result(rows, phases, during)


def _order_breaks(arrivals: list[Arrival]) -> int:
    """First arrivals per ärende must come in sekvens order (a repeat of an old one is not a break)."""
    seen: set[str] = set()
    last: dict[str, int] = defaultdict(lambda: -1)
    breaks = 0
    for a in arrivals:
        if a.event_id in seen or a.arende is None or a.sekvens is None:
            continue
        seen.add(a.event_id)
        if a.sekvens < last[a.arende]:
            breaks += 1
        last[a.arende] = max(last[a.arende], a.sekvens)
    return breaks
