from functools import lru_cache
from typing import Self

from pydantic import Field, field_validator, model_validator

from common.settings import CommonSettings
from notifier.prenumerationer import url_guard


class Settings(CommonSettings):
    database_url: str | None = Field(default=None, alias="NOTIFIER_DATABASE_URL")
    database_migration_url: str | None = Field(default=None, alias="NOTIFIER_DATABASE_MIGRATION_URL")
    database_app_role: str = Field(default="notifier_app", alias="NOTIFIER_DATABASE_APP_ROLE")
    host: str = Field(default="127.0.0.1", alias="NOTIFIER_HOST")
    port: int = Field(default=8001, alias="NOTIFIER_PORT")
    run_workers: bool = Field(default=True, alias="NOTIFIER_RUN_WORKERS")

    # Webhook URLs: hosts or CIDRs in private/loopback/link-local ranges that are allowed anyway,
    # each with an optional port (none: 80 and 443 only; `:*` every port). See url_guard.
    tillatna_webhook_vardar: list[str] = Field(default=[], alias="NOTIFIER_TILLATNA_WEBHOOK_VARDAR")
    max_forsok: int = Field(default=8, ge=1, alias="NOTIFIER_MAX_FORSOK")
    backoff_bas_sekunder: float = Field(default=10.0, gt=0, alias="NOTIFIER_BACKOFF_BAS_SEKUNDER")
    backoff_max_sekunder: float = Field(default=3600.0, gt=0, alias="NOTIFIER_BACKOFF_MAX_SEKUNDER")
    leverans_timeout_sekunder: float = Field(default=10.0, gt=0, alias="NOTIFIER_LEVERANS_TIMEOUT_SEKUNDER")
    lease_sekunder: float = Field(default=60.0, gt=0, alias="NOTIFIER_LEASE_SEKUNDER")
    # Concurrent deliveries: per subscription (every replica together; one receiver never sees
    # more connections than this), and per worker process in all.
    samtidiga_per_prenumeration: int = Field(default=4, ge=1, alias="NOTIFIER_SAMTIDIGA_PER_PRENUMERATION")
    samtidiga_leveranser: int = Field(default=50, ge=1, alias="NOTIFIER_SAMTIDIGA_LEVERANSER")
    poll_sekunder: float = Field(default=1.0, gt=0, alias="NOTIFIER_POLL_SEKUNDER")
    hemlighet_overlapp_timmar: float = Field(default=24.0, ge=0, alias="NOTIFIER_HEMLIGHET_OVERLAPP_TIMMAR")

    smtp_host: str = Field(default="127.0.0.1", alias="NOTIFIER_SMTP_HOST")
    smtp_port: int = Field(default=25, alias="NOTIFIER_SMTP_PORT")
    smtp_starttls: bool = Field(default=False, alias="NOTIFIER_SMTP_STARTTLS")
    smtp_tls: bool = Field(default=False, alias="NOTIFIER_SMTP_TLS")
    smtp_username: str | None = Field(default=None, alias="NOTIFIER_SMTP_USERNAME")
    smtp_password: str | None = Field(default=None, alias="NOTIFIER_SMTP_PASSWORD")
    epost_fran: str = Field(default="handlaggning@example.invalid", alias="NOTIFIER_EPOST_FRAN")
    arende_url_mall: str = Field(
        default="http://127.0.0.1:3000/arenden/{arende_id}", alias="NOTIFIER_ARENDE_URL_MALL"
    )

    @field_validator("tillatna_webhook_vardar")
    @classmethod
    def _allow_list_parses(cls, entries: list[str]) -> list[str]:
        # A typo in the allow-list should stop the service at start, not refuse every delivery.
        url_guard.parse_allow_list(entries)
        return entries

    @model_validator(mode="after")
    def _deadline_within_lease(self) -> Self:
        # An attempt still running when its lease ends would be claimed and sent again by
        # another worker: a duplicate for every slow receiver.
        if self.leverans_timeout_sekunder >= self.lease_sekunder:
            raise ValueError(
                "NOTIFIER_LEVERANS_TIMEOUT_SEKUNDER must be shorter than NOTIFIER_LEASE_SEKUNDER"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
