"""`notifier`: the OpenAPI spec and migrations."""

import argparse
import json
import sys

from notifier.settings import get_settings


def _openapi(_args: argparse.Namespace) -> int:
    from notifier.main import create_app

    print(json.dumps(create_app().openapi(), indent=2, ensure_ascii=False, sort_keys=True))
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    from devstack.migrate import upgrade

    settings = get_settings()
    url = settings.database_migration_url or settings.database_url
    if not url:
        print("Set NOTIFIER_DATABASE_MIGRATION_URL or NOTIFIER_DATABASE_URL", file=sys.stderr)
        return 2
    upgrade("notifier", url, settings.database_app_role)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="notifier")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("openapi", help="print the OpenAPI spec").set_defaults(func=_openapi)
    sub.add_parser("migrate", help="apply migrations").set_defaults(func=_migrate)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
