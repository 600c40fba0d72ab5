"""`case-api`: dev tokens, the OpenAPI spec, migrations."""

import argparse
import json
import os
import sys

from case_api.settings import get_settings
from common.auth import Role
from common.tokens import DevKey, mint_dev_token

# What each role is for, shown by `case-api token --help` and checked before signing.
ROLLER = {
    Role.handlaggare: "socialsekreterare of an enhet (needs --enhet)",
    Role.arbetsledare: "arbetsledare of an enhet: förlängning, tilldelning (needs --enhet)",
    Role.enhetschef: "enhetschef of an enhet: reads, behörigheter, avvikelser (needs --enhet)",
    Role.utforare: "an utförare organisation's staff (needs --utforare)",
    Role.kvalitetssamordnare: "kvalitetssamordnare, every enhet: loggkontroll, registerutdrag, reports",
    Role.system: "an integration, with --scope (e.g. arenden:las, handelser:skriv)",
}
# Without these a token of that role reads nothing: every list would be an empty 200.
KRAVER_ENHET = frozenset({Role.handlaggare, Role.arbetsledare, Role.enhetschef})


def _saknas(args: argparse.Namespace) -> str | None:
    roles = {Role(r) for r in args.role}
    if roles & KRAVER_ENHET and not args.enhet:
        names = ", ".join(sorted(r.value for r in roles & KRAVER_ENHET))
        return f"--enhet is required for {names}: without it every list of the enhet is empty"
    if Role.utforare in roles and not args.utforare:
        return "--utforare is required for utforare: without it the token sees no uppdrag"
    return None


def _token(args: argparse.Namespace) -> int:
    settings = get_settings()
    missing = _saknas(args)
    if missing is not None:
        print(f"refused: {missing}", file=sys.stderr)
        return 2
    if Role.system.value in args.role and not args.scope:
        # Flagged, not refused: the relay's operator endpoints need the role alone.
        print("note: no --scope: reads of ärenden and every notifier operation answer 403", file=sys.stderr)
    key_path = settings.dev_key_path
    created = not key_path.exists() and not settings.production_keys
    try:
        token = mint_dev_token(
            settings,
            sub=args.sub,
            roles=args.role,
            enhet=args.enhet,
            utforare=args.utforare,
            name=args.name,
            ttl_seconds=args.ttl,
            extra={"scope": args.scope} if args.scope else None,
        )
    except RuntimeError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    # Which key signed it, on stderr (stdout is the token alone, for TOKEN=$(...)): a server
    # with another DATA_DIR has another key and answers 401.
    kid = DevKey(key_path).kid
    if created:
        print(
            f"created a new dev key {key_path.resolve()} (kid {kid}): only a server with "
            f"DATA_DIR={settings.data_dir} accepts this token",
            file=sys.stderr,
        )
    else:
        print(f"signed with the dev key {key_path.resolve()} (kid {kid})", file=sys.stderr)
    print(token)
    return 0


def _openapi(_args: argparse.Namespace) -> int:
    from case_api.main import create_app

    print(json.dumps(create_app().openapi(), indent=2, ensure_ascii=False, sort_keys=True))
    return 0


def _migrate(_args: argparse.Namespace) -> int:
    from devstack.migrate import upgrade

    settings = get_settings()
    url = settings.database_migration_url or settings.database_url
    if not url:
        print("Set DATABASE_MIGRATION_URL or DATABASE_URL", file=sys.stderr)
        return 2
    upgrade("case_api", url, settings.database_app_role)
    return 0


def _serve(_args: argparse.Namespace) -> int:
    import uvicorn

    from case_api.settings import EXPECTED_HEAD_ENV
    from common.logging import uvicorn_log_config
    from common.serving import UVICORN_CONFIG
    from devstack.migrate import head_revision

    settings = get_settings()
    os.environ[EXPECTED_HEAD_ENV] = head_revision("case_api") or ""
    # API processes only: the background work runs as `case-api worker`. With several worker
    # processes uvicorn's supervisor logs before any app exists: in the app's format too.
    uvicorn.run(
        "case_api.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.api_workers,
        proxy_headers=True,
        log_config=uvicorn_log_config(settings.log_level, settings.log_json),
        access_log=False,
        **UVICORN_CONFIG,
    )
    return 0


def _worker(args: argparse.Namespace) -> int:
    import uvicorn

    from case_api.worker import create_worker_app
    from common.serving import UVICORN_CONFIG

    settings = get_settings()
    only = [name.strip() for name in (args.only or "").split(",") if name.strip()]
    try:
        app = create_worker_app(settings, only)
    except ValueError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    # Logging is ours (common.logging); the probes' requests are not worth a line each.
    uvicorn.run(
        app,
        host=settings.worker_host,
        port=settings.worker_port,
        log_config=None,
        access_log=False,
        **UVICORN_CONFIG,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="case-api")
    sub = parser.add_subparsers(dest="command", required=True)
    token = sub.add_parser(
        "token",
        help="print a dev token (refused with production keys)",
        description="Sign a dev token with DATA_DIR's dev key (the server's, when DATA_DIR is the same). "
        "Roles: " + "; ".join(f"{r.value}: {text}" for r, text in ROLLER.items()),
    )
    token.add_argument("--sub", required=True)
    token.add_argument(
        "--role",
        action="append",
        required=True,
        choices=[r.value for r in ROLLER],
        help="repeat for more roles; one of: " + ", ".join(r.value for r in ROLLER),
    )
    token.add_argument("--enhet")
    token.add_argument("--utforare")
    token.add_argument("--name")
    token.add_argument("--scope", help='space-separated scopes for role system, e.g. "arenden:las"')
    token.add_argument("--ttl", type=int, default=8 * 3600, help="seconds")
    token.set_defaults(func=_token)
    sub.add_parser("openapi", help="print the OpenAPI spec").set_defaults(func=_openapi)
    sub.add_parser("migrate", help="apply migrations").set_defaults(func=_migrate)
    sub.add_parser(
        "serve", help="serve the API (API_WORKERS uvicorn processes on CASE_API_HOST:CASE_API_PORT)"
    ).set_defaults(func=_serve)
    worker = sub.add_parser(
        "worker",
        help="run relay, sweep, audit sealer and key purge (health on CASE_API_WORKER_HOST:PORT)",
    )
    worker.add_argument("--only", help="comma-separated subset: relay,sweep,sealer,purge")
    worker.set_defaults(func=_worker)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
