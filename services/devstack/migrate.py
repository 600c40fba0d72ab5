"""Apply a service's alembic migrations programmatically (`case-api migrate`, `make run`, tests).

The migrations are found as the `migrations` package, so this works from a source checkout and
from a non-editable install (the image) alike; no alembic.ini is needed (it stays for the
`alembic --name case_api` command line in a checkout).
"""

import importlib.util
import os
from pathlib import Path

from alembic import command
from alembic.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]

# What alembic.ini says per service, for running without it.
_OPTIONS: dict[str, dict[str, str]] = {
    "case_api": {
        "url_env": "DATABASE_MIGRATION_URL,DATABASE_URL",
        "app_role_env": "DATABASE_APP_ROLE",
        "default_app_role": "case_api_app",
    },
    "notifier": {
        "url_env": "NOTIFIER_DATABASE_MIGRATION_URL,NOTIFIER_DATABASE_URL",
        "app_role_env": "NOTIFIER_DATABASE_APP_ROLE",
        "default_app_role": "notifier_app",
    },
}
FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"


def migrations_dir(service: str) -> Path:
    spec = importlib.util.find_spec("migrations")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / service
        if (candidate / "env.py").is_file():
            return candidate
    raise RuntimeError(f"the {service} migrations are not installed (no migrations/{service}/env.py)")


def alembic_config(service: str, url: str, app_role: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir(service)))
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.set_main_option("path_separator", "os")
    for name, value in _OPTIONS[service].items():
        config.set_main_option(name, value)
    config.attributes["database_url"] = url
    config.attributes["app_role"] = app_role
    config.attributes["service"] = service
    return config


def upgrade(service: str, url: str, app_role: str | None = None) -> None:
    command.upgrade(alembic_config(service, url, app_role), "head")


def head_revision(service: str) -> str | None:
    from alembic.script import ScriptDirectory

    config = alembic_config(service, os.environ.get("DATABASE_URL", "postgresql://unused"))
    return ScriptDirectory.from_config(config).get_current_head()
