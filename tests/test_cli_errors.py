"""Bad input through the command line: one or two lines naming the file and the place, a non-zero exit,
no traceback, no partial output."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from fuldtid.cli import cli


def _run(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    message = result.output.strip()
    assert message.startswith("Error: ")
    assert len(message.splitlines()) <= 2, message
    return message


@pytest.fixture
def export_copy(example_dir, tmp_path):
    dst = tmp_path / "export"
    shutil.copytree(example_dir / "export", dst)
    return dst


def test_text_named_xlsx(tmp_path):
    bad = tmp_path / "export.xlsx"
    bad.write_text("this is not a workbook", encoding="utf-8")
    out = tmp_path / "out"
    msg = _run(["report", str(bad), "--out", str(out)])
    assert "export.xlsx" in msg
    assert not out.exists()


def test_empty_dataset(export_copy, tmp_path):
    (export_copy / "dataset.csv").write_bytes(b"")
    msg = _run(["report", str(export_copy), "--out", str(tmp_path / "o")])
    assert "dataset.csv" in msg


def test_truncated_dataset(export_copy, tmp_path):
    data = (export_copy / "dataset.csv").read_bytes()
    (export_copy / "dataset.csv").write_bytes(data[: len(data) // 2])
    msg = _run(["validate", str(export_copy)])
    assert "dataset.csv" in msg and "line" in msg


def test_duplicated_respondentid(export_copy):
    path = export_copy / "dataset.csv"
    lines = path.read_bytes().split(b"\r\n")
    first_id = lines[1].split(b";")[0]
    second = lines[2].split(b";")
    second[0] = first_id
    lines[2] = b";".join(second)
    path.write_bytes(b"\r\n".join(lines))
    msg = _run(["validate", str(export_copy)])
    assert first_id.decode() in msg and "dataset.csv" in msg


def test_code_without_label(export_copy):
    # Drop the label of code 6 of s_2 ("60 år eller derover") from both Labels and Structure.
    for name in ("labels.csv", "structure.csv"):
        path = export_copy / name
        lines = path.read_bytes().split(b"\r\n")
        kept = [ln for ln in lines if not (ln.startswith(b"s_2;6;") or (b";s_2;" in ln and b";6;60 " in ln))]
        assert len(kept) == len(lines) - 1
        path.write_bytes(b"\r\n".join(kept))
    msg = _run(["validate", str(export_copy)])
    assert "s_2" in msg and "6" in msg


def test_required_question_missing(export_copy, tmp_path):
    for name in ("structure.csv",):
        path = export_copy / name
        text = path.read_bytes().decode("cp1252").replace("Ønsker du at gå ned i tid?", "Vil du gerne ned i tid?")
        path.write_bytes(text.encode("cp1252"))
    msg = _run(["report", str(export_copy), "--out", str(tmp_path / "o")])
    assert "Ønsker du at gå ned i tid?" in msg and "Vil du gerne ned i tid?" in msg


def test_coding_with_unknown_category(example_dir, tmp_path):
    coding = tmp_path / "coding.csv"
    text = (example_dir / "coding.csv").read_text(encoding="utf-8").replace(";Økonomi;", ";Penge;", 1)
    coding.write_text(text, encoding="utf-8")
    msg = _run(["report", str(example_dir / "export"), "--coding", str(coding), "--out", str(tmp_path / "o")])
    assert "coding.csv, line" in msg and "'Penge'" in msg
    assert not (tmp_path / "o").exists()


def test_population_totals_disagree(example_dir, tmp_path):
    pop = tmp_path / "population.csv"
    pop.write_text(
        (example_dir / "population.csv").read_text(encoding="utf-8").replace("koen;Mand;340;", "koen;Mand;341;"),
        encoding="utf-8",
    )
    msg = _run(["weights", str(example_dir / "export"), "--population", str(pop)])
    assert "population.csv" in msg


def test_breakdown_with_unknown_field(example_dir):
    msg = _run(["breakdown", str(example_dir / "export"), "--question", "op_i_tid", "--by", "afdeling"])
    assert "'afdeling'" in msg and "overenskomst" in msg


def test_breakdown_to_unknown_extension(example_dir, tmp_path):
    msg = _run(["breakdown", str(example_dir / "export"), "--question", "op_i_tid", "--by", "omraade",
                "--out", str(tmp_path / "x.pdf")])
    assert "x.pdf" in msg and ".xlsx" in msg
