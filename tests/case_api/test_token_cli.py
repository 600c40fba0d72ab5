"""`case-api token` (issue 14 item 12): unknown roles refused, the roles listed in --help, the
key it signed with named (and a new one called new), no unit role without --enhet."""

from pathlib import Path
from typing import Any

import pytest

from case_api.cli import main
from case_api.settings import get_settings
from common.tokens import DevKey


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("JWKS_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_an_unknown_role_is_refused(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["token", "--sub", "anna", "--role", "handläggare", "--enhet", "bou-1"])
    assert refused.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'handläggare'" in err and "handlaggare" in err
    assert not (data_dir / "keys").exists()  # refused before any key is made


def test_help_lists_the_roles(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["token", "--help"])
    out = capsys.readouterr().out
    for role in ("handlaggare", "arbetsledare", "enhetschef", "utforare", "kvalitetssamordnare", "system"):
        assert role in out, role


def test_it_says_which_key_it_used(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["token", "--sub", "anna", "--role", "handlaggare", "--enhet", "bou-1"]
    assert main(args) == 0
    first = capsys.readouterr()
    key = data_dir / "keys" / "dev_rsa_private.pem"
    assert first.out.count(".") == 2 and "\n" not in first.out.strip()  # stdout: the token alone
    assert "created a new dev key" in first.err and str(key.resolve()) in first.err
    assert f"DATA_DIR={data_dir}" in first.err
    assert main(args) == 0
    second = capsys.readouterr().err
    assert f"signed with the dev key {key.resolve()} (kid {DevKey(key).kid})" in second


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--role", "handlaggare"], "--enhet"),
        (["--role", "enhetschef"], "--enhet"),
        (["--role", "utforare"], "--utforare"),
    ],
)
def test_a_unit_role_without_its_unit_is_refused(
    data_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], flag: str
) -> None:
    assert main(["token", "--sub", "anna", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and flag in captured.err
    # The kvalitetssamordnare acts for every enhet: no --enhet needed.
    assert main(["token", "--sub", "kim", "--role", "kvalitetssamordnare"]) == 0
