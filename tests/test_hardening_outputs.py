"""Outputs never land on an input and never half-land; side files and options that used to end in a
traceback; personal data in the spellings people type (issue 16)."""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fuldtid import atomic
from fuldtid.cli import cli
from fuldtid.errors import ExportError, OutputError
from fuldtid.outputs import guard
from fuldtid.stats.quotes import mask_personal_data, mask_quoted


def _fail(args, code=1):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    message = result.output.strip()
    assert "Error: " in message
    return message


@pytest.fixture
def ex(example_dir, tmp_path):
    """A copy of the example: export folder, coding and population files."""
    dst = tmp_path / "ex"
    shutil.copytree(example_dir, dst)
    return dst


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------------------------------
# Never onto an input


def test_weights_out_onto_the_population_file(ex):
    before = _snapshot(ex)
    msg = _fail(["weights", str(ex / "export"), "--population", str(ex / "population.csv"),
                 "--out", str(ex / "population.csv")])
    assert "inputs of this run (the population file" in msg and len(msg.splitlines()) == 1
    assert _snapshot(ex) == before


def test_breakdown_out_onto_a_file_of_the_export_folder(ex):
    before = _snapshot(ex)
    msg = _fail(["breakdown", str(ex / "export"), "--question", "op_i_tid", "--by", "koen",
                 "--out", str(ex / "export" / "dataset.csv")])
    assert "(the export (dataset.csv)" in msg
    # Another spelling of the same path, and the export given as one of its files.
    _fail(["breakdown", str(ex / "export" / "labels.csv"), "--question", "op_i_tid", "--by", "koen",
           "--out", f"{ex}/export/../export/./structure.csv"])
    assert _snapshot(ex) == before


def test_coding_sheet_out_onto_the_coding_file_by_hard_and_symbolic_link(ex, tmp_path):
    before = _snapshot(ex)
    hard = tmp_path / "hard.csv"
    os.link(ex / "coding.csv", hard)
    soft = tmp_path / "soft.xlsx"
    soft.symlink_to(ex / "coding.csv")
    for out in (ex / "coding.csv", hard, soft):
        msg = _fail(["coding-sheet", str(ex / "export"), "--coding", str(ex / "coding.csv"), "--out", str(out)])
        assert "inputs of this run (the coding file" in msg
    assert _snapshot(ex) == before
    assert hard.read_bytes() == before["coding.csv"]


def test_report_never_writes_onto_a_side_file(ex):
    out = ex / "out"
    out.mkdir()
    shutil.copy(ex / "coding.csv", out / "tables.json")  # a coding file that happens to sit there
    before = _snapshot(ex)
    msg = _fail(["report", str(ex / "export"), "--coding", str(out / "tables.json"), "--out", str(out),
                 "--format", "json"])
    assert "tables.json: is one of the inputs of this run (the coding file" in msg
    assert _snapshot(ex) == before


def test_guard_on_the_library_level(ex):
    with pytest.raises(OutputError, match="population file"):
        guard([ex / "x" / ".." / "population.csv"], {"population file": ex / "population.csv"})
    guard([ex / "new.csv"], {"export": ex / "export", "coding file": None})  # fine


# --------------------------------------------------------------------------------------------------
# Staged writes and OS errors


def test_a_failing_format_leaves_the_previous_outputs_untouched(ex, monkeypatch):
    out = ex / "out"
    r = CliRunner().invoke(cli, ["report", str(ex / "export"), "--out", str(out), "--format", "json,html"])
    assert r.exit_code == 0, r.output
    before = _snapshot(out)
    (ex / "export" / "dataset.csv").write_bytes((ex / "export" / "dataset.csv").read_bytes()[:-2000])

    import fuldtid.report as report

    real = report.render

    def render(tableset, fmt, **options):
        if fmt == "html":
            raise OutputError("the HTML memo cannot be rendered")
        return real(tableset, fmt, **options)

    monkeypatch.setattr(report, "render", render)
    export = ex / "export"
    shutil.copy(ex / "export" / "dataset.csv", ex / "ds.csv")
    r = CliRunner().invoke(cli, ["report", str(export), "--out", str(out), "--format", "json,html"])
    assert r.exit_code == 1
    assert _snapshot(out) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_a_failing_move_puts_the_previous_outputs_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").write_bytes(b"old a")
    (out / "b.xlsx").write_bytes(b"old b")
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if Path(dst).name == "c.docx":
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", flaky)
    with pytest.raises(OutputError, match="c.docx: cannot be written .No space left on device.; the previous"):
        atomic.write_together({out / "a.json": b"new a", out / "b.xlsx": b"new b", out / "c.docx": b"new c"})
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"a.json": b"old a", "b.xlsx": b"old b"}
    monkeypatch.setattr(atomic.os, "replace", real)
    atomic.write_together({out / "a.json": b"new a", out / "c.docx": b"new c"})
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"a.json": b"new a", "b.xlsx": b"old b",
                                                                "c.docx": b"new c"}


def test_os_errors_are_one_line(ex, tmp_path, monkeypatch):
    (tmp_path / "dir.csv").mkdir()
    msg = _fail(["breakdown", str(ex / "export"), "--question", "op_i_tid", "--by", "koen",
                 "--out", str(tmp_path / "dir.csv")])
    assert "is a folder" in msg and len(msg.splitlines()) == 1
    (tmp_path / "file").write_text("x")
    msg = _fail(["breakdown", str(ex / "export"), "--question", "op_i_tid", "--by", "koen",
                 "--out", str(tmp_path / "file" / "x.csv")])
    assert "cannot create the output folder" in msg and len(msg.splitlines()) == 1
    (tmp_path / "out" / "notat.html").mkdir(parents=True)
    msg = _fail(["report", str(ex / "export"), "--out", str(tmp_path / "out"), "--format", "json,html"])
    assert "notat.html: is a folder" in msg
    assert not (tmp_path / "out" / "tables.json").exists()

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", denied)
    monkeypatch.setattr(atomic.tempfile, "mkdtemp", denied)
    msg = _fail(["weights", str(ex / "export"), "--population", str(ex / "population.csv"),
                 "--out", str(tmp_path / "w.csv")])
    assert "cannot write there (Permission denied)" in msg
    msg = _fail(["report", str(ex / "export"), "--out", str(tmp_path / "o2"), "--format", "json"])
    assert "cannot write there (Permission denied)" in msg


# --------------------------------------------------------------------------------------------------
# Side files and options


def test_coding_file_of_only_a_bom(ex, tmp_path):
    bom = tmp_path / "coding.csv"
    bom.write_bytes(b"\xef\xbb\xbf")
    msg = _fail(["report", str(ex / "export"), "--coding", str(bom), "--out", str(tmp_path / "o")])
    assert "coding.csv: the coding file is empty" in msg


def test_truncated_coding_workbook(ex, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for line in (ex / "coding.csv").read_text("utf-8-sig").splitlines():
        ws.append(line.split(";"))
    full = tmp_path / "full.xlsx"
    wb.save(full)
    data = full.read_bytes()
    for cut in (len(data) // 2, len(data) - 40):
        bad = tmp_path / f"cut{cut}.xlsx"
        bad.write_bytes(data[:cut])
        msg = _fail(["validate", str(ex / "export"), "--coding", str(bad)])
        assert bad.name in msg
    # A member whose data is damaged while the zip directory is intact.
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(full) as zin, zipfile.ZipFile(damaged, "w", zipfile.ZIP_STORED) as zout:
        for name in zin.namelist():
            body = zin.read(name)
            zout.writestr(name, body[: len(body) // 2] if name.startswith("xl/worksheets/") else body)
    msg = _fail(["validate", str(ex / "export"), "--coding", str(damaged)])
    assert "damaged.xlsx" in msg


def test_population_of_bytes_ff_fe_41(ex, tmp_path):
    pop = tmp_path / "pop.csv"
    pop.write_bytes(b"\xff\xfeA")
    msg = _fail(["report", str(ex / "export"), "--population", str(pop), "--out", str(tmp_path / "o")])
    assert "pop.csv: starts like UTF-16 but does not decode" in msg


def test_by_the_same_field_twice(ex):
    msg = _fail(["breakdown", str(ex / "export"), "--question", "op_i_tid", "--by", "koen", "--by", "koen"])
    assert "--by 'koen' is given twice" in msg


def test_unknown_table_number(ex):
    msg = _fail(["tables", str(ex / "export"), "--table", "99", "--table", "2"], code=2)
    assert "no table 99; the tables are 1, 2, 3" in msg
    r = CliRunner().invoke(cli, ["tables", str(ex / "export"), "--table", "2"])
    assert r.exit_code == 0 and r.output.startswith("Tabel 2")


# --------------------------------------------------------------------------------------------------
# Personal data


@pytest.mark.parametrize("text, masked", [
    ("ring 010190–1234 tak", "ring [CPR-nr.] tak"),
    ("cpr 050595 - 5678.", "cpr [CPR-nr.]."),
    ("0101 90 1234", "[CPR-nr.]"),
    ("010190-1234 og 0101901234", "[CPR-nr.] og [CPR-nr.]"),
    ("tlf +45-12345678", "tlf [telefonnr.]"),
    ("0045 34 56 78 90", "[telefonnr.]"),
    ("+45 23 456 789!", "[telefonnr.]!"),
    ("ring på 123 45 678", "ring på [telefonnr.]"),
    ("(+45) 12 34 56 78", "[telefonnr.]"),
    ("12.34.56.78", "[telefonnr.]"),
    ("skriv til o%brien@kommune.dk", "skriv til [e-mail]"),
    ("skriv til o'brien@kommune.dk nu", "skriv til [e-mail] nu"),
    ("anna (at) kommune.dk", "[e-mail]"),
    # Not personal data: kept.
    ("fra 2019-2022 og 2019 – 2020", "fra 2019-2022 og 2019 – 2020"),
    ("37 timer, kl. 8-16, 1.172 ansatte", "37 timer, kl. 8-16, 1.172 ansatte"),
])
def test_masking_spellings(text, masked):
    assert mask_personal_data(text) == masked


_SEPS = st.sampled_from(["", " ", "-", "–", " - ", " – ", ".", "/", "  ", "\u00a0"])
_WORDS = st.text(alphabet=st.sampled_from("abcæøå ,.!?"), max_size=12)


@st.composite
def cpr(draw):
    day, month = draw(st.integers(1, 31)), draw(st.integers(1, 12))
    year, tail = draw(st.integers(0, 99)), draw(st.integers(0, 9999))
    parts = [f"{day:02d}", f"{month:02d}", f"{year:02d}", f"{tail:04d}"]
    layout = draw(st.sampled_from(["6+4", "2+2+2+4", "4+2+4"]))
    s1, s2 = draw(_SEPS), draw(_SEPS)
    if layout == "6+4":
        return "".join(parts[:3]) + s1 + parts[3]
    if layout == "4+2+4":
        return parts[0] + parts[1] + s1 + parts[2] + s2 + parts[3]
    return parts[0] + s1 + parts[1] + s2 + parts[2] + draw(_SEPS) + parts[3]


@st.composite
def phone(draw):
    digits = f"{draw(st.integers(10_000_000, 99_999_999))}"
    groups = draw(st.sampled_from([[8], [2, 2, 2, 2], [4, 4], [3, 2, 3], [2, 3, 3], [2, 6]]))
    sep = draw(st.sampled_from(["", " ", "-", "."]))
    out, at = [], 0
    for g in groups:
        out.append(digits[at:at + g])
        at += g
    number = sep.join(out)
    # "2019-2022" is a year range, deliberately left alone.
    assume(not re.fullmatch(r"(19|20)\d\d[-–](19|20)\d\d", number))
    prefix = draw(st.sampled_from(["", "+45", "+45 ", "+45-", "0045 ", "0045", "(+45) "]))
    return prefix + number


@st.composite
def email(draw):
    local = draw(st.text(alphabet=st.sampled_from("abcxyz0123456789.%'+-_"), min_size=1, max_size=15))
    domain = draw(st.sampled_from(["kommune.dk", "example.com", "mail.co.uk", "post-7.dk"]))
    return f"{local}@{domain}"


@settings(max_examples=300, deadline=None)
@given(_WORDS, st.one_of(cpr(), phone()), _WORDS)
def test_no_cpr_or_phone_spelling_survives(before, number, after):
    text = f"{before} {number} {after}"
    masked = mask_personal_data(text)
    assert not re.search(r"\d", masked), (text, masked)


@settings(max_examples=300, deadline=None)
@given(_WORDS, email(), _WORDS)
def test_no_email_spelling_survives(before, address, after):
    masked = mask_personal_data(f"{before} {address} {after}")
    assert "@" not in masked and address.split("@")[1] not in masked


def test_error_messages_mask_quoted_values_but_keep_ids(tmp_path):
    from fuldtid.read.export import read_export

    folder = tmp_path / "e"
    folder.mkdir()
    (folder / "structure.csv").write_text(
        "questionName;variableName;questionType;subType;questionText;choiceValue;choiceText\n"
        "s_1;s_1;Closed;Single;Køn;1;Kvinde\n", encoding="utf-8")
    (folder / "labels.csv").write_text("s_1;1;Kvinde\n", encoding="utf-8")
    (folder / "dataset.csv").write_text(
        "respondentid;s_1;statoverall_3;statoverall_4\n81234567;12 34 56 78;0;1\n", encoding="utf-8")
    with pytest.raises(ExportError) as info:
        read_export(folder)
    msg = str(info.value)
    assert "'[telefonnr.]'" in msg and "12 34 56 78" not in msg and "respondentid 81234567" in msg
    assert mask_quoted("holds 'a@b.dk' and \"o'x@b.dk\" at line 12345678") == \
        "holds '[e-mail]' and \"[e-mail]\" at line 12345678"


def test_memo_texts_decoded_with_evidence(ex, tmp_path):
    intro = tmp_path / "intro.md"
    intro.write_bytes("Løn og ".encode("utf-8") + "løn".encode("cp1252"))
    msg = _fail(["report", str(ex / "export"), "--intro", str(intro), "--out", str(tmp_path / "o"),
                 "--format", "html"])
    assert "intro.md, line 1: the file is UTF-8" in msg
    intro.write_bytes("Løn\x0bog løn".encode("cp1252"))
    r = CliRunner().invoke(cli, ["report", str(ex / "export"), "--intro", str(intro), "--out", str(tmp_path / "o"),
                                 "--format", "html"])
    assert r.exit_code == 0, r.output
    assert "Løn og løn" in (tmp_path / "o" / "notat.html").read_text("utf-8")


def test_init_and_compare_never_onto_an_input_by_identity(ex, tmp_path):
    link = tmp_path / "survey.yaml"
    os.link(ex / "export" / "dataset.csv", link)  # the same file under another name and folder
    before = (ex / "export" / "dataset.csv").read_bytes()
    msg = _fail(["init", str(ex / "export"), "--out", str(link), "--force"])
    assert "is one of the inputs of this run (the export (dataset.csv)" in msg
    pop_link = tmp_path / "cmp.json"
    os.link(ex / "population.csv", pop_link)
    msg = _fail(["compare", str(ex / "export"), str(ex / "export"), "--population", str(ex / "population.csv"),
                 "--population", str(ex / "population.csv"), "--out", str(pop_link)])
    assert "(the population file of wave 1" in msg
    assert (ex / "export" / "dataset.csv").read_bytes() == before
    assert pop_link.read_bytes() == (ex / "population.csv").read_bytes()


def test_definition_lookup_file_of_any_encoding_or_damaged(ex, tmp_path):
    root = Path(__file__).resolve().parents[1] / "surveys"
    shutil.copy(root / "vjh.yaml", tmp_path / "vjh.yaml")
    lookup = (root / "vjh_tilbud.csv").read_bytes().decode("utf-8-sig")
    (tmp_path / "vjh_tilbud.csv").write_bytes(lookup.encode("cp1252"))
    r = CliRunner().invoke(cli, ["validate", str(ex / "export"), "--survey", str(tmp_path / "vjh.yaml")])
    assert r.exit_code == 0 and "Center for Bosteder til Voksne" in r.output, r.output
    for raw, expected in ((b"\xef\xbb\xbf", "the lookup file is empty"), (b"abc", "cannot be read as CSV")):
        (tmp_path / "vjh_tilbud.csv").write_bytes(raw)
        msg = _fail(["validate", str(ex / "export"), "--survey", str(tmp_path / "vjh.yaml")])
        assert expected in msg
