"""The committed OpenAPI specs are exactly what the apps serve (`make openapi` regenerates)."""

import pytest

from devstack.openapi_specs import current_specs, render, spec_path


@pytest.mark.parametrize("service", ["case_api", "notifier"])
def test_committed_spec_matches_app(service: str) -> None:
    committed = spec_path(service).read_text(encoding="utf-8")
    assert committed == render(current_specs()[service]), (
        f"openapi/{service}.json is stale: run `make openapi` and commit it"
    )


@pytest.mark.parametrize("service", ["case_api", "notifier"])
def test_errors_are_documented_as_problem_json(service: str) -> None:
    spec = current_specs()[service]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and status != "503":
                    assert list(response["content"]) == ["application/problem+json"], (path, method, status)
            if not path.startswith("/health"):
                assert "401" in operation["responses"], (path, method)
