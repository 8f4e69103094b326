"""Views are given what they show, never the storage: the import-linter contract that
``make test`` runs forbids ``ui`` from importing ``monitor.log``. Checked here with
import-linter itself on a copy of the tree: kept as it is, broken by one import."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACT = "ui-no-log"


def _contract() -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]
    [contract] = [c for c in config["importlinter"]["contracts"] if c.get("id") == CONTRACT]
    return contract


def _lint(top: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--contract", CONTRACT],
                          cwd=top, capture_output=True, text=True, timeout=300, check=False,
                          env={"PATH": str(LINT_IMPORTS.parent), "PYTHONPATH": str(top)})


def _toml(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return '"' + str(value) + '"'


@pytest.mark.hazard("H-287")
def test_ui_importing_the_log_breaks_the_contract(tmp_path: Path) -> None:
    contract = _contract()
    assert contract["type"] == "forbidden"
    assert contract["source_modules"] == ["ui"]
    assert contract["forbidden_modules"] == ["monitor.log"]
    for package in ("monitor", "ui"):
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    lines = ["[tool.importlinter]", 'root_packages = ["monitor", "ui"]',
             "include_external_packages = true", "", "[[tool.importlinter.contracts]]"]
    lines += [f"{key} = {_toml(value)}" for key, value in contract.items()]
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n", "utf-8")
    kept = _lint(tmp_path)
    assert kept.returncode == 0 and "KEPT" in kept.stdout, kept.stdout + kept.stderr
    # A header that reaches into the log again, the way it once drove the reconnects.
    header = tmp_path / "ui" / "session" / "header.py"
    header.write_text(header.read_text("utf-8")
                      + "\nfrom monitor.log.postgres.log import PgLog  # noqa: E402\n", "utf-8")
    broken = _lint(tmp_path)
    assert broken.returncode != 0 and "BROKEN" in broken.stdout, broken.stdout
    assert "ui.session.header -> monitor.log.postgres.log" in broken.stdout
