"""The command line, through click's CliRunner: exit codes and what the user reads."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fuldtid.cli import cli


@pytest.fixture
def runner():
    return CliRunner()


def _commands():
    return sorted(cli.commands)


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert cli.commands[command].help, command
    assert "Usage: " in result.output


def test_top_level_help_lists_commands(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in _commands():
        assert command in result.output


def test_report_json_and_xlsx(runner, example_dir, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(
        cli,
        ["report", str(example_dir / "export"), "--coding", str(example_dir / "coding.csv"),
         "--min-group", "1", "--format", "json,xlsx", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "Distributed 1,172, answered 333: response rate 28.4%." in result.output
    data = json.loads((out / "tables.json").read_text(encoding="utf-8"))
    assert (data["distributed"], data["answered"]) == (1172, 333)
    assert [t["number"] for t in data["tables"]] == list(range(1, 15))
    t1 = data["tables"][0]
    assert t1["title"] == "Deltidsansattes ønske om at gå op i tid (n=214)"
    assert t1["rows"][0] == {"label": "Ja", "count": 65, "pct": pytest.approx(100 * 65 / 214)}
    t11 = data["tables"][10]
    assert t11["columns"] == ["Ja", "Nej"]
    assert t11["rows"][0]["counts"] == {"Ja": 0, "Nej": 2}
    assert (out / "tabeller.xlsx").stat().st_size > 0
    assert not list(out.glob("*.tmp"))


def test_report_is_deterministic(runner, example_dir, tmp_path):
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = runner.invoke(
            cli,
            ["report", str(example_dir / "export"), "--coding", str(example_dir / "coding.csv"),
             "--format", "json,xlsx", "--out", str(out)],
        )
        assert result.exit_code == 0, result.output
        outs.append(out)
    for f in ("tables.json", "tabeller.xlsx"):
        a = (outs[0] / f).read_bytes()
        b = (outs[1] / f).read_bytes()
        if f == "tables.json":
            # The source path is in the JSON; the rest must match byte for byte.
            assert a == b
        else:
            assert a == b


def test_report_without_coding_says_tables_await_coding(runner, example_dir, tmp_path):
    result = runner.invoke(
        cli, ["report", str(example_dir / "export"), "--format", "json", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "Tables 3, 4, 7, 8, 9 await coding" in result.output
    assert "fuldtid coding-sheet" in result.output
    data = json.loads((tmp_path / "tables.json").read_text(encoding="utf-8"))
    assert [p["number"] for p in data["pending"]] == [3, 4, 7, 8, 9]
    assert [t["number"] for t in data["tables"]] == [1, 2, 5, 6, 10, 11, 12, 13, 14]


def test_tables_prints_readable_tables(runner, example_dir):
    result = runner.invoke(
        cli, ["tables", str(example_dir / "export"), "--min-group", "1", "--table", "1", "--table", "13"]
    )
    assert result.exit_code == 0, result.output
    assert "Tabel 1: Deltidsansattes ønske om at gå op i tid (n=214)" in result.output
    assert "65" in result.output and "30%" in result.output
    assert "Akademikere, KL" in result.output and "1 (33%)" in result.output
    assert "Tabel 5" not in result.output


def test_validate_names_matched_questions(runner, example_dir):
    result = runner.invoke(
        cli, ["validate", str(example_dir / "export"), "--coding", str(example_dir / "coding.csv")]
    )
    assert result.exit_code == 0, result.output
    assert "Rows (distributed): 1,172; answered: 333; response rate 28.4%" in result.output
    assert "op_i_tid" in result.output and "s_7" in result.output
    assert "email" not in result.output.lower()


def test_missing_export_is_a_clean_error(runner, tmp_path):
    result = runner.invoke(cli, ["report", str(tmp_path / "nope.zip"), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "nope.zip" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_verbose_shows_the_traceback(runner, tmp_path):
    result = runner.invoke(cli, ["-v", "report", str(tmp_path / "nope.zip")])
    assert result.exit_code != 0
    assert result.exception is not None and not isinstance(result.exception, SystemExit)


def test_unknown_format_is_refused(runner, example_dir, tmp_path):
    result = runner.invoke(cli, ["report", str(example_dir / "export"), "--format", "pdf", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown format 'pdf'" in result.output


def test_python_m_fuldtid_is_the_command_line():
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "fuldtid", "--help"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("Usage: ") and "report" in res.stdout and "breakdown" in res.stdout


def test_no_library_function_is_collected_as_a_test():
    """Library functions named ``test_*`` (``test_difference``, ``test_note``, ...) carry ``__test__ = False``,
    so pytest never runs one when a test module imports it."""
    import importlib
    import pkgutil

    import fuldtid

    missing = []
    for info in pkgutil.walk_packages(fuldtid.__path__, "fuldtid."):
        if info.name == "fuldtid.__main__":
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith(("test", "Test")) and callable(obj) and getattr(obj, "__module__", None) == info.name:
                if getattr(obj, "__test__", True):
                    missing.append(f"{info.name}.{name}")
    assert missing == []
