"""Generate the committed OpenAPI specs (`make openapi`) and compare them (the drift test)."""

import json
import sys
from pathlib import Path
from typing import Any

from devstack.migrate import REPO_ROOT

SPEC_DIR = REPO_ROOT / "openapi"


def current_specs() -> dict[str, dict[str, Any]]:
    from case_api.events.katalog import asyncapi
    from case_api.main import create_app as case_app
    from notifier.main import create_app as notifier_app

    # asyncapi.json: the event catalogue (AsyncAPI 3.0) beside the two OpenAPI specs.
    return {"case_api": case_app().openapi(), "notifier": notifier_app().openapi(), "asyncapi": asyncapi()}


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def spec_path(name: str) -> Path:
    return SPEC_DIR / f"{name}.json"


def main() -> int:
    if sys.argv[1:] != ["write"]:
        print("usage: python -m devstack.openapi_specs write", file=sys.stderr)
        return 2
    SPEC_DIR.mkdir(exist_ok=True)
    for name, spec in current_specs().items():
        spec_path(name).write_text(render(spec), encoding="utf-8")
        print(f"wrote {spec_path(name).relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
