"""The hazard log's traceability (tests/safety): the log's validator, the pytest plugin
and the check make test runs after its pytest runs. Each is shown failing on what it
must catch: an untraced hazard, an unknown id, a failing test naming a hazard."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.safety import check
from tests.safety.hazards import HazardLogError, load
from tests.safety.plugin import LOG_ENV, RESULTS_ENV

pytest_plugins = ["pytester"]

ENTRY = """
[[hazard]]
id = "{id}"
title = "{title}"
situation = "a situation"
causes = ["a cause"]
harm = "a harm"
severity = "critical"
probability_before = "probable"
probability_after = "remote"
controls = ["a control"]
status = "{status}"
{extra}
"""


def write_log(directory: Path, *entries: tuple[str, str], name: str = "area.toml",
              extra: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    text = "".join(ENTRY.format(id=i, title=f"hazard {i}", status=status,
                                extra=extra or ("issue = 22" if status == "OPEN" else ""))
                   for i, status in entries)
    (directory / name).write_text(text, "utf-8")
    return directory


def test_the_real_log_loads_with_unique_ids_and_valid_fields():
    hazards = load()
    assert len(hazards) >= 12
    assert all(h.issue for h in hazards.values() if h.is_open)


def test_ids_are_unique_across_files(tmp_path):
    write_log(tmp_path, ("H-001", "controlled"), name="a.toml")
    write_log(tmp_path, ("H-001", "controlled"), name="b.toml")
    with pytest.raises(HazardLogError, match=r"H-001 is also in a\.toml"):
        load(tmp_path)


@pytest.mark.parametrize(("extra", "said"), [
    ('severity = "bad"', "'severity' is 'bad'; allowed: catastrophic, critical"),
    ('probability_after = "often"', "'probability_after' is 'often'; allowed: frequent"),
    ('title = ""', "'title' is required"),
    ("controls = []", "'controls' is required (a non-empty list of texts)"),
    ('colour = "red"', "unknown field(s) colour"),
])
def test_a_wrong_field_is_named_with_what_is_allowed(tmp_path, extra, said):
    entry = ENTRY.format(id="H-001", title="t", status="controlled", extra="")
    key = extra.split(" = ")[0]
    lines = [ln for ln in entry.splitlines() if not ln.startswith(f"{key} =")]
    (tmp_path / "a.toml").write_text("\n".join([*lines, extra]), "utf-8")
    with pytest.raises(HazardLogError) as caught:
        load(tmp_path)
    assert any(said in p for p in caught.value.problems), caught.value.problems


def test_an_open_hazard_needs_its_issue(tmp_path):
    write_log(tmp_path, ("H-001", "OPEN"), extra="# no issue")
    with pytest.raises(HazardLogError, match="an OPEN hazard needs 'issue'"):
        load(tmp_path)


TESTS = """
import pytest

@pytest.mark.hazard("H-001")
def test_proves_one():
    assert 1 + 1 == 2

@pytest.mark.hazard("H-002")
def test_proves_two():
    assert {two}
"""


def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, log: Path,
        results: Path, two: str = "True") -> pytest.RunResult:
    monkeypatch.setenv(LOG_ENV, str(log))
    monkeypatch.setenv(RESULTS_ENV, str(results))
    pytester.makepyfile(test_traced=TESTS.format(two=two))
    return pytester.runpytest("-p", "tests.safety.plugin", "-q")


def test_every_controlled_hazard_proven_passes_the_check(pytester, monkeypatch, tmp_path,
                                                         capsys):
    log = write_log(tmp_path / "log", ("H-001", "controlled"), ("H-002", "controlled"),
                    ("H-003", "OPEN"))
    run(pytester, monkeypatch, log, tmp_path / "results").assert_outcomes(passed=2)
    assert check.main([str(tmp_path / "results")]) == 0
    assert "2 controlled hazards each proven" in capsys.readouterr().out


def test_an_untraced_hazard_fails_the_check_and_is_named(pytester, monkeypatch, tmp_path,
                                                         capsys):
    log = write_log(tmp_path / "log", ("H-001", "controlled"), ("H-002", "controlled"),
                    ("H-004", "controlled"))
    run(pytester, monkeypatch, log, tmp_path / "results").assert_outcomes(passed=2)
    assert check.main([str(tmp_path / "results")]) == 1
    err = capsys.readouterr().err
    assert "H-004 (area.toml): hazard H-004" in err
    assert "H-001" not in err and "H-002" not in err


def test_a_failing_test_naming_a_hazard_does_not_count(pytester, monkeypatch, tmp_path,
                                                       capsys):
    log = write_log(tmp_path / "log", ("H-001", "controlled"), ("H-002", "controlled"))
    result = run(pytester, monkeypatch, log, tmp_path / "results", two="False")
    result.assert_outcomes(passed=1, failed=1)
    assert check.main([str(tmp_path / "results")]) == 1
    assert "H-002 (area.toml)" in capsys.readouterr().err


def test_a_skipped_test_naming_a_hazard_does_not_count(pytester, monkeypatch, tmp_path,
                                                       capsys):
    log = write_log(tmp_path / "log", ("H-001", "controlled"), ("H-002", "controlled"))
    result = run(pytester, monkeypatch, log, tmp_path / "results",
                 two="pytest.skip('no device')")
    result.assert_outcomes(passed=1, skipped=1)
    assert check.main([str(tmp_path / "results")]) == 1
    assert "H-002 (area.toml)" in capsys.readouterr().err


def test_a_test_naming_an_unknown_hazard_stops_the_run(pytester, monkeypatch, tmp_path):
    log = write_log(tmp_path / "log", ("H-001", "controlled"))
    result = run(pytester, monkeypatch, log, tmp_path / "results")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*tests name hazards that are not in the hazard log*",
                                 "*test_proves_two: H-002*"])
    assert check.main([str(tmp_path / "results")]) == 1  # and no results were written


def test_a_broken_log_stops_the_run(pytester, monkeypatch, tmp_path):
    log = write_log(tmp_path / "log", ("H-001", "controlled"), ("H-002", "controlled"))
    (log / "other.toml").write_text('[[hazard]]\nid = "H-002"\n', "utf-8")
    result = run(pytester, monkeypatch, log, tmp_path / "results")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*hazard log is broken*"])


def test_no_results_fail_the_check(tmp_path, capsys):
    assert check.main([str(tmp_path / "empty")]) == 1
    assert "no test results" in capsys.readouterr().err


def test_results_of_every_run_are_read_together(pytester, monkeypatch, tmp_path):
    log = write_log(tmp_path / "log", ("H-001", "controlled"), ("H-002", "controlled"))
    monkeypatch.setenv(LOG_ENV, str(log))
    monkeypatch.setenv(RESULTS_ENV, str(tmp_path / "results"))
    pytester.makepyfile(test_a=TESTS.format(two="True"))
    pytester.runpytest("-p", "tests.safety.plugin", "-q", "-k", "one")
    assert check.proven(tmp_path / "results") == ({"H-001"}, 1)
    pytester.runpytest("-p", "tests.safety.plugin", "-q", "-k", "two")
    assert check.proven(tmp_path / "results") == ({"H-001", "H-002"}, 2)
