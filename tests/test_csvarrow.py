"""The pyarrow road for large CSV Datasets (fuldtid/read/csvarrow.py) reads exactly what the pandas road reads.

Each test reads the same bytes twice, with the arrow road forced (``_ARROW_FROM = 0``) and with it off, and
checks that the arrow road was really taken (or, where it must not be, declined), so no test passes because
both readings went the same way. tests/test_csvarrow_attack.py throws generated hazards at the same promise.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fuldtid.errors import ExportError
from fuldtid.read import csvarrow, csvform
from fuldtid.read.export import read_export
from exportwriter import write_export

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "surveys" / "examples" / "vjh_2022" / "export"
STATUS = "statoverall_1;statoverall_2;statoverall_3;statoverall_4;statoverall_5"
STRUCTURE = (
    "questionName;variableName;questionType;subType;questionText;choiceValue;choiceText;\n"
    "s_1;s_1;Closed;Single;Køn;1;Kvinde;\ns_1;s_1;Closed;Single;Køn;2;Mand;\n"
    "s_16;s_16;Open;String;Uddyb gerne dit svar;;;\n"
)
LABELS = "s_1;1;Kvinde\ns_1;2;Mand\n"


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, arrow: bool) -> tuple[str, object, list[bool]]:
    """What reading gives on one road: ("read", (data, warnings, counts)) or ("error", message), and whether
    csvarrow.parse returned a frame on each call."""
    taken: list[bool] = []
    parse = csvarrow.parse

    def spy(*args: object) -> pd.DataFrame | None:
        frame = parse(*args)
        taken.append(frame is not None)
        return frame

    monkeypatch.setattr(csvarrow, "parse", spy)
    monkeypatch.setattr(csvform, "_ARROW_FROM", 0 if arrow else 1 << 40)
    try:
        exp = read_export(path)
    except ExportError as exc:
        return "error", str(exc), taken
    return "read", (exp.data, exp.warnings, exp.distributed, exp.answered), taken


def _same(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, object, list[bool]]:
    """Read both ways, assert the same outcome, and return the arrow road's."""
    kind_a, got_a, taken = _read(path, monkeypatch, arrow=True)
    kind_p, got_p, never = _read(path, monkeypatch, arrow=False)
    assert never == []
    assert kind_a == kind_p, (got_a, got_p)
    if kind_a == "error":
        assert got_a == got_p
    else:
        pd.testing.assert_frame_equal(got_a[0], got_p[0])
        assert got_a[1:] == got_p[1:]
    return kind_a, got_a, taken


def _trio(folder: Path, dataset: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("dataset.csv", dataset), ("structure.csv", STRUCTURE), ("labels.csv", LABELS)):
        (folder / name).write_bytes(text.encode(encoding))
    return folder


@pytest.fixture(scope="module")
def example():
    return read_export(EXAMPLE)


@pytest.mark.parametrize("form, kw", [
    ("csv-folder", {}),                                                  # cp1252, ';', CR LF, as SurveyXact
    ("csv-folder", {"encoding": "utf-8", "newline": "\n"}),
    ("csv-folder", {"encoding": "utf-16", "separator": "\t"}),
    ("csv-folder", {"encoding": "utf-8-sig", "separator": ","}),
    ("csv-zip", {"trailing_separator": False}),
])
def test_the_example_reads_the_same_on_both_roads(form: str, kw: dict, example, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_export(example.variables, example.data, tmp_path / ("e.zip" if form == "csv-zip" else "e"),
                        form=form, **kw)
    kind, got, taken = _same(path, monkeypatch)
    assert kind == "read" and taken == [True]
    data, _, distributed, answered = got
    assert (distributed, answered) == (1172, 333)
    pd.testing.assert_frame_equal(data, example.data)


def test_dictionaries_of_many_blocks_make_one_column(example, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """pyarrow gives every block its own dictionary of distinct values; with 2 KB blocks the example's Dataset
    is over a hundred of them, and the columns still come out as pandas reads them."""
    monkeypatch.setattr(csvarrow, "_BLOCK", 2048)
    path = write_export(example.variables, example.data, tmp_path / "e", encoding="utf-8")
    assert (path / "dataset.csv").stat().st_size > 100 * 2048
    kind, got, taken = _same(path, monkeypatch)
    assert kind == "read" and taken == [True]
    pd.testing.assert_frame_equal(got[0], example.data)


HEADER = f"respondentid;s_1;s_16;{STATUS}\n"
DONE = "0;0;0;1;0"


@pytest.mark.parametrize("body, why", [
    (f'1;1;en 5" skærm;{DONE}\n2;2;ok;{DONE}\n', "a quote inside an unquoted text"),
    (f'1;1;"citat" efter;{DONE}\n2;2;ok;{DONE}\n', "text after a closing quote"),
    (f'1;1;ja;{DONE}\n2;2;nej;0;0;1\n', "a row cut short"),
    (f'1;1;ja;{DONE}\n2;2;nej;{DONE};x\n', "a row with a field too many"),
    (f'1;1;"ja;{DONE}\n2;2;nej;{DONE}\n', "a quote that never closes"),
])
def test_where_the_parsers_could_differ_the_arrow_road_is_declined(body: str, why: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, taken = _same(_trio(tmp_path / "e", HEADER + body), monkeypatch)
    assert taken == [False], why


def test_a_blank_first_line_takes_the_pandas_road(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kind, _, taken = _same(_trio(tmp_path / "e", "\n" + HEADER + f"1;1;ja;{DONE}\n"), monkeypatch)
    assert kind == "read" and taken == [False]


@pytest.mark.parametrize("cell, shown", [("x", "'x'"), ("1.5", "'1.5'"), ("inf", "'inf'"), ("3", "code 3")])
def test_a_bad_code_is_named_at_its_line(cell: str, shown: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """After a quoted answer spanning two lines, the third data row is on physical line 5: the arrow road finds
    that line only when the message needs it, and says the same as the pandas road."""
    body = f'1;1;"to\nlinjer";{DONE}\n2;2;ok;{DONE}\n3;{cell};ok;{DONE}\n4;1;;{DONE}\n'
    kind, message, taken = _same(_trio(tmp_path / "e", HEADER + body), monkeypatch)
    assert kind == "error" and taken == [True]
    assert "dataset.csv, line 5: s_1" in message and shown in message and "respondentid 3" in message


@pytest.mark.parametrize("cell", ["1.50", "True", "1e20"])
def test_a_code_is_quoted_as_written_on_both_roads(cell: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both roads read codes as text: a cell is quoted as the file has it ('1.50', not pandas' float '1.5'), and
    'True' is no code (pandas' float parser took it for 1)."""
    kind, message, taken = _same(_trio(tmp_path / "e", HEADER + f"1;{cell};ok;{DONE}\n"), monkeypatch)
    assert kind == "error" and taken == [True]
    assert f"line 2: s_1 holds {cell!r} for respondentid 1" in message


def test_duplicate_ids_are_named_at_their_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = f'7;1;"a\r\nb";{DONE}\n8;1;;{DONE}\n7;2;;{DONE}\n'
    kind, message, taken = _same(_trio(tmp_path / "e", HEADER + body), monkeypatch)
    assert kind == "error" and taken == [True]
    assert "respondentid 7 appears more than once (line 2 and line 5)" in message


def test_cp1252_letters_in_ids_answers_and_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids with Danish letters take the per-value decoding of a column pyarrow reads as bytes; answers with
    them, empty and blank cells, and doubled quotes come through the dictionary."""
    body = (f'ø1;1;"Løn ""og"" tid";{DONE}\nå2;;  ;{DONE}\nÆ3;2;æble;0;1;0;0;0\n'
            f'4;1;"Løn ""og"" tid";{DONE}\n5;;;0;0;0;0;1\n')
    kind, got, taken = _same(_trio(tmp_path / "e", HEADER + body, encoding="cp1252"), monkeypatch)
    assert kind == "read" and taken == [True]
    data = got[0]
    assert data.index.tolist() == ["ø1", "å2", "Æ3", "4", "5"]
    texts = data["s_16"]
    assert texts.iloc[0] == texts.iloc[3] == 'Løn "og" tid' and texts.iloc[2] == "æble"
    assert texts.iloc[[1, 4]].isna().all()
    assert data["s_1"].tolist() == [1, pd.NA, 2, 1, pd.NA]
    assert data["answered"].tolist() == [True, True, False, True, False]


def test_a_bad_status_is_named_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = f"1;1;;{DONE}\n2;1;;0;0;ja;0;0\n"
    kind, message, taken = _same(_trio(tmp_path / "e", HEADER + body), monkeypatch)
    assert kind == "error" and taken == [True]
    assert "line 3: statoverall_3 is 'ja' for respondentid 2" in message


def test_the_command_line_keeps_its_string_setting_to_itself(tmp_path: Path) -> None:
    """The commands run with pandas' text in Python strings (faster and smaller than pyarrow's at 10^6 rows);
    a program that calls the command line keeps its own setting afterwards."""
    from click.testing import CliRunner

    from fuldtid.cli import cli

    before = pd.get_option("mode.string_storage")
    result = CliRunner().invoke(cli, ["validate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert pd.get_option("mode.string_storage") == before


@pytest.mark.parametrize("times", [
    ("28-07-2022 10:05:00", "", "01-08-2022 23:59:59"),      # SurveyXact's layout: parsed from the bytes
    ("28-07-2022 10:05:00", "31-02-2022 10:00:00", ""),      # no such day: the text road, and its warning
    ("2022-07-28 10:05:00", "28.07.2022 10:05:00", ""),      # other layouts: the text road
    ("28-07-2022 10:05:00", " 28-07-2022 10:05", "x"),
])
def test_times_read_the_same_on_both_roads(times: tuple[str, ...], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    header = f"respondentid;s_1;closetime;{STATUS}\n"
    body = "".join(f"{i};1;{t};{DONE}\n" for i, t in enumerate(times, start=1))
    kind, got, taken = _same(_trio(tmp_path / "e", header + body), monkeypatch)
    assert kind == "read" and taken == [True]
    assert got[0]["closetime"].dtype == "datetime64[ns]"
