"""Apply a service's alembic migrations programmatically (used by `make run` and the tests)."""

import os
from pathlib import Path

from alembic import command
from alembic.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(service: str, url: str, app_role: str | None = None) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"), ini_section=service)
    config.set_main_option("script_location", str(REPO_ROOT / "migrations" / service))
    config.attributes["database_url"] = url
    config.attributes["app_role"] = app_role
    return config


def upgrade(service: str, url: str, app_role: str | None = None) -> None:
    command.upgrade(alembic_config(service, url, app_role), "head")


def head_revision(service: str) -> str | None:
    from alembic.script import ScriptDirectory

    config = alembic_config(service, os.environ.get("DATABASE_URL", "postgresql://unused"))
    return ScriptDirectory.from_config(config).get_current_head()
