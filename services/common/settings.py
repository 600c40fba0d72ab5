from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    """Settings both services read from the environment (documented in README.md)."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path(".data"), alias="DATA_DIR")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    log_json: bool = Field(default=True, alias="LOG_JSON")
    # Swagger UI at /docs, from packaged assets; false in production if nobody browses it.
    api_docs: bool = Field(default=True, alias="API_DOCS")

    # /metrics (common.metrics): the bearer token Prometheus sends; unset, /metrics is open in
    # development and refused in production. Backlog figures are re-read at most this often.
    metrics_token: SecretStr | None = Field(default=None, alias="METRICS_TOKEN")
    metrics_cache_seconds: float = Field(default=5.0, ge=0, alias="METRICS_CACHE_SECONDS")

    # OpenTelemetry traces (common.otel): off by default; on, spans go over OTLP/HTTP to this
    # endpoint (unset: the exporter's own OTEL_EXPORTER_OTLP_* variables, else localhost:4318).
    tracing_enabled: bool = Field(default=False, alias="TRACING_ENABLED")
    tracing_otlp_endpoint: str | None = Field(default=None, alias="OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")

    jwt_issuer: str = Field(default="https://idp.handlaggning.invalid/dev", alias="JWT_ISSUER")
    jwt_audience: str = Field(default="handlaggning", alias="JWT_AUDIENCE")
    # One family per deployment: RS256 or ES256, never HS* and never "none".
    jwt_algorithms: list[str] = Field(default=["RS256"], alias="JWT_ALGORITHMS")
    jwks_url: str | None = Field(default=None, alias="JWKS_URL")
    # How long a fetched JWKS is trusted; it is renewed every half of this. A key removed at the
    # identity provider is refused at most this long after (docs/operations.md, key rotation).
    jwks_cache_seconds: float = Field(default=300.0, gt=0, alias="JWKS_CACHE_SECONDS")
    jwt_leeway_seconds: int = Field(default=30, alias="JWT_LEEWAY_SECONDS")

    # Resource limits (common.limits, issue 11 item 5).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1, alias="MAX_BODY_BYTES")
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, alias="MAX_HEADER_BYTES")
    body_timeout_seconds: float = Field(default=10.0, gt=0, alias="BODY_TIMEOUT_SECONDS")
    # case_api: per caller (sub) over all replicas; each process grants its share. 0: off.
    rate_limit_per_minute: float = Field(default=1200.0, ge=0, alias="RATE_LIMIT_PER_MINUTE")
    rate_limit_burst: int = Field(default=200, ge=1, alias="RATE_LIMIT_BURST")
    rate_limit_replicas: int = Field(default=1, ge=1, alias="RATE_LIMIT_REPLICAS")

    # Idempotency-Key: how long a key replays, and how often expired ones are deleted.
    idempotency_key_ttl_hours: float = Field(default=24.0, gt=0, alias="IDEMPOTENCY_KEY_TTL_HOURS")
    idempotency_purge_interval_seconds: float = Field(
        default=3600.0, gt=0, alias="IDEMPOTENCY_PURGE_INTERVAL_SECONDS"
    )

    # Per process: a replica's connections are api_workers x (pool size + overflow).
    database_pool_size: int = Field(default=10, ge=1, alias="DATABASE_POOL_SIZE")
    database_max_overflow: int = Field(default=10, ge=0, alias="DATABASE_MAX_OVERFLOW")
    # A request that cannot get a connection this fast answers 503 rather than queueing:
    # a client retrying after Retry-After beats a 30 s hang that ends in a 500.
    database_pool_timeout_seconds: float = Field(default=2.0, gt=0, alias="DATABASE_POOL_TIMEOUT_SECONDS")
    retry_after_seconds: int = Field(default=2, ge=1, alias="RETRY_AFTER_SECONDS")
    # On SIGTERM the background loops finish what they are doing for at most this long, then
    # give back what they still hold (leases, locks) and exit (common.shutdown). Keep the
    # orchestrator's kill timeout above it (deploy/: terminationGracePeriodSeconds).
    shutdown_grace_seconds: float = Field(default=10.0, ge=0, alias="SHUTDOWN_GRACE_SECONDS")

    @property
    def dev_key_path(self) -> Path:
        return self.data_dir / "keys" / "dev_rsa_private.pem"

    @property
    def production_keys(self) -> bool:
        return self.jwks_url is not None
