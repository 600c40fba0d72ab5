from functools import lru_cache

from pydantic import Field

from common.settings import CommonSettings


class Settings(CommonSettings):
    database_url: str | None = Field(default=None, alias="NOTIFIER_DATABASE_URL")
    database_migration_url: str | None = Field(default=None, alias="NOTIFIER_DATABASE_MIGRATION_URL")
    database_app_role: str = Field(default="notifier_app", alias="NOTIFIER_DATABASE_APP_ROLE")
    host: str = Field(default="127.0.0.1", alias="NOTIFIER_HOST")
    port: int = Field(default=8001, alias="NOTIFIER_PORT")
    run_workers: bool = Field(default=True, alias="NOTIFIER_RUN_WORKERS")


@lru_cache
def get_settings() -> Settings:
    return Settings()
