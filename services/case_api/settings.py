from functools import lru_cache
from typing import Self

from pydantic import Field, SecretStr, model_validator

from case_api.regler.tabell import regler_med_installningar
from common.settings import CommonSettings

# `case-api serve` reads the migrations' head once and hands it to its uvicorn processes in
# this variable, so an API process imports neither alembic nor the workers (10 MB of RSS each).
EXPECTED_HEAD_ENV = "CASE_API_EXPECTED_HEAD"


class Settings(CommonSettings):
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    database_migration_url: str | None = Field(default=None, alias="DATABASE_MIGRATION_URL")
    database_app_role: str = Field(default="case_api_app", alias="DATABASE_APP_ROLE")
    host: str = Field(default="127.0.0.1", alias="CASE_API_HOST")
    port: int = Field(default=8000, alias="CASE_API_PORT")
    notifier_url: str = Field(default="http://127.0.0.1:8001", alias="NOTIFIER_URL")
    # Off for API processes: the relay, sweep, sealer and purge run as `case-api worker`
    # (case_api.worker). `make run` turns it on to keep the dev stack one process.
    run_workers: bool = Field(default=False, alias="CASE_API_RUN_WORKERS")
    # `case-api serve`: uvicorn worker processes per pod/container (each has its own pool of
    # DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW connections: size them together).
    api_workers: int = Field(default=1, ge=1, alias="API_WORKERS")
    # `case-api worker`: where its health endpoints listen (liveness/readiness probes).
    worker_host: str = Field(default="127.0.0.1", alias="CASE_API_WORKER_HOST")
    worker_port: int = Field(default=8002, alias="CASE_API_WORKER_PORT")
    event_source: str = Field(default="/handlaggning/case-api", alias="EVENT_SOURCE")
    # Outbox relay (case_api/relay).
    notifier_token: str | None = Field(default=None, alias="NOTIFIER_TOKEN")
    # OAuth2 client credentials at the identity provider (production): the relay asks for a
    # token with the ingest scope and renews it before it expires. The secret comes from a Secret.
    notifier_token_url: str | None = Field(default=None, alias="NOTIFIER_TOKEN_URL")
    notifier_client_id: str | None = Field(default=None, alias="NOTIFIER_CLIENT_ID")
    notifier_client_secret: SecretStr | None = Field(default=None, alias="NOTIFIER_CLIENT_SECRET")
    notifier_token_scope: str = Field(default="handelser:skriv", alias="NOTIFIER_TOKEN_SCOPE")
    relay_poll_seconds: float = Field(default=2.0, gt=0, alias="RELAY_POLL_SECONDS")
    relay_listen: bool = Field(default=True, alias="RELAY_LISTEN")
    relay_max_attempts: int = Field(default=12, ge=1, alias="RELAY_MAX_ATTEMPTS")
    relay_batch_size: int = Field(default=50, ge=1, alias="RELAY_BATCH_SIZE")
    relay_concurrency: int = Field(default=10, ge=1, alias="RELAY_CONCURRENCY")
    relay_lease_seconds: float = Field(default=30.0, gt=0, alias="RELAY_LEASE_SECONDS")
    relay_http_timeout_seconds: float = Field(default=10.0, gt=0, alias="RELAY_HTTP_TIMEOUT_SECONDS")
    relay_backoff_base_seconds: float = Field(default=1.0, gt=0, alias="RELAY_BACKOFF_BASE_SECONDS")
    relay_backoff_max_seconds: float = Field(default=600.0, gt=0, alias="RELAY_BACKOFF_MAX_SECONDS")
    # When the notifier answers nothing about any event, the relay pauses as a whole: from the
    # base, doubling per outage round, up to the max (relay/breaker.py).
    relay_breaker_base_seconds: float = Field(default=1.0, gt=0, alias="RELAY_BREAKER_BASE_SECONDS")
    relay_breaker_max_seconds: float = Field(default=30.0, gt=0, alias="RELAY_BREAKER_MAX_SECONDS")
    # Deadline sweep (case_api/bevakning/sweep.py).
    sweep_interval_seconds: float = Field(default=60.0, gt=0, alias="SWEEP_INTERVAL_SECONDS")
    sweep_batch_size: int = Field(default=100, ge=1, alias="SWEEP_BATCH_SIZE")
    # Rule id -> days before the due date to remind; rules not named keep the table's days.
    bevakning_paminnelser: dict[str, list[int]] = Field(default_factory=dict, alias="BEVAKNING_PAMINNELSER")
    lex_sarah_utredning_dagar: int = Field(default=14, alias="LEX_SARAH_UTREDNING_DAGAR")
    # Days the handläggare has to close an omprövning (rule `omprovning`): the nämnd's own
    # requirement, no statutory time.
    omprovning_dagar: int = Field(default=14, alias="OMPROVNING_DAGAR")
    # Organisations (utförare ids) that belong to the nämnd, comma-separated; an uppdrag to any
    # other utförare crosses a boundary and needs the child's samtycke.
    interna_utforare_lista: str = Field(default="", alias="INTERNA_UTFORARE")
    # The sealer (case_api.audit.sealer): how often it looks for committed rows, how many it
    # chains per round, how long a standby waits before trying to lead, and how often the
    # chain's head is anchored outside the database (an audit.forankrad event).
    audit_seal_interval_seconds: float = Field(default=0.2, gt=0, alias="AUDIT_SEAL_INTERVAL_SECONDS")
    audit_seal_batch_size: int = Field(default=1000, ge=1, alias="AUDIT_SEAL_BATCH_SIZE")
    audit_seal_standby_seconds: float = Field(default=2.0, gt=0, alias="AUDIT_SEAL_STANDBY_SECONDS")
    audit_anchor_interval_seconds: float = Field(default=60.0, gt=0, alias="AUDIT_ANCHOR_INTERVAL_SECONDS")
    # Recruiting units (enheter) whose kontaktfamiljer serve every beställare, comma-separated; a
    # family of any other enhet serves only its own.
    kontaktfamilj_enheter_lista: str = Field(default="", alias="KONTAKTFAMILJ_ENHETER")
    audit_manga_personer_troskel: int = Field(default=50, ge=0, alias="AUDIT_MANGA_PERSONER_TROSKEL")
    # A permission to see a protected person ends: after this many days unless the grant names an
    # earlier day, and never later than the maximum (issue 11 item 2).
    behorighet_standard_dagar: int = Field(default=30, ge=1, alias="BEHORIGHET_STANDARD_DAGAR")
    behorighet_max_dagar: int = Field(default=90, ge=1, alias="BEHORIGHET_MAX_DAGAR")

    @property
    def interna_utforare(self) -> frozenset[str]:
        return frozenset(u.strip() for u in self.interna_utforare_lista.split(",") if u.strip())

    @property
    def kontaktfamilj_enheter(self) -> frozenset[str]:
        return frozenset(e.strip() for e in self.kontaktfamilj_enheter_lista.split(",") if e.strip())

    @model_validator(mode="after")
    def _regler_giltiga(self) -> Self:
        # A typo in a rule id or a negative day stops the service at start, not at first use.
        try:
            regler_med_installningar(
                self.bevakning_paminnelser, self.lex_sarah_utredning_dagar, self.omprovning_dagar
            )
        except KeyError as exc:
            raise ValueError(f"BEVAKNING_PAMINNELSER names unknown rules: {exc.args[0]}") from None
        return self

    @model_validator(mode="after")
    def _behorighet_inom_max(self) -> Self:
        if self.behorighet_standard_dagar > self.behorighet_max_dagar:
            raise ValueError("BEHORIGHET_STANDARD_DAGAR must not exceed BEHORIGHET_MAX_DAGAR")
        return self

    @model_validator(mode="after")
    def _client_credentials_complete(self) -> Self:
        if self.notifier_token_url and not (self.notifier_client_id and self.notifier_client_secret):
            raise ValueError("NOTIFIER_TOKEN_URL needs NOTIFIER_CLIENT_ID and NOTIFIER_CLIENT_SECRET")
        return self

    @model_validator(mode="after")
    def _relay_lease_outlives_request(self) -> Self:
        # A request still running when its lease ends invites a second relay to send the same
        # event again: harmless (the inbox absorbs it, and order holds because the ärende's
        # next event waits for an acknowledgement), but every slow request would cost a repeat.
        if self.relay_http_timeout_seconds >= self.relay_lease_seconds:
            raise ValueError("RELAY_HTTP_TIMEOUT_SECONDS must be shorter than RELAY_LEASE_SECONDS")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
