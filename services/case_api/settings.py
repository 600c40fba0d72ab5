from functools import lru_cache

from pydantic import Field

from common.settings import CommonSettings


class Settings(CommonSettings):
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    database_migration_url: str | None = Field(default=None, alias="DATABASE_MIGRATION_URL")
    database_app_role: str = Field(default="case_api_app", alias="DATABASE_APP_ROLE")
    host: str = Field(default="127.0.0.1", alias="CASE_API_HOST")
    port: int = Field(default=8000, alias="CASE_API_PORT")
    notifier_url: str = Field(default="http://127.0.0.1:8001", alias="NOTIFIER_URL")
    run_workers: bool = Field(default=True, alias="CASE_API_RUN_WORKERS")
    event_source: str = Field(default="/handlaggning/case-api", alias="EVENT_SOURCE")
    audit_manga_personer_troskel: int = Field(default=50, ge=0, alias="AUDIT_MANGA_PERSONER_TROSKEL")


@lru_cache
def get_settings() -> Settings:
    return Settings()
