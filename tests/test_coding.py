"""Coding files: read against the survey, with clear errors naming the file and line."""

from __future__ import annotations

import pytest

from fuldtid.model.coding import read_coding
from fuldtid.errors import CodingError
from fuldtid.stats.tables import build_tables


def _write(tmp_path, text, name="coding.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _some_ids(survey, field, n=2):
    return list(survey.responses.index[survey.responses[field].notna()][:n])


def test_example_coding(example_survey, example_dir):
    c = read_coding(example_dir / "coding.csv", example_survey)
    per_field = c.codes.groupby("field")["respondentid"].nunique().to_dict()
    assert per_field == {"op_hvorfor": 55, "op_hvorfor_ikke": 121, "ned_hvorfor": 26, "ned_hvorfor_ikke": 62,
                         "mulighed_uddyb": 22}
    assert c.codes["citat"].sum() >= 10


def test_variabel_may_be_the_question_text_or_field_and_cp1252_comma(example_survey, tmp_path):
    a, b = _some_ids(example_survey, "op_hvorfor")
    text = ("respondentid,variabel,kategori\n"
            f"{a},Hvorfor ønsker du at gå op i tid?,økonomi\n"
            f"{b},op_hvorfor,Overskud og ansvar\n")
    c = read_coding(_write(tmp_path, text, encoding="cp1252"), example_survey)
    assert sorted(c.codes["kategori"]) == ["Overskud og ansvar", "Økonomi"]
    assert set(c.codes["field"]) == {"op_hvorfor"}


def test_several_codes_per_respondent_count_once_per_category(example_survey, tmp_path):
    ids = list(example_survey.responses.index[example_survey.group_mask("ned_nej")][:1])
    rid = ids[0]
    text = ("respondentid;variabel;kategori\n"
            f"{rid};s_14;Tilfredshed\n{rid};s_14;Økonomi\n{rid};s_14;Økonomi\n")
    c = read_coding(_write(tmp_path, text), example_survey)
    assert len(c.codes) == 2 and c.warnings
    t8 = build_tables(example_survey, c, min_group=1).table(8)
    assert t8.base == 1 and t8.n_codes == 2
    assert t8.row("Tilfredshed").pct == 100.0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("999999999;s_9;Økonomi", "respondent 999999999 is not in the export"),
        ("{id};s_9;Løn og pension", "category 'Løn og pension' is not a category of op_hvorfor"),
        ("{id};s_99;Økonomi", "variabel 's_99' is not an open question"),
        ("{id};s_7;Ja", "variabel 's_7' is not an open question"),
        ("{unanswered};s_9;Økonomi", "has not answered the questionnaire"),
    ],
)
def test_bad_rows_name_file_and_line(example_survey, tmp_path, row, message):
    rid = _some_ids(example_survey, "op_hvorfor", 1)[0]
    export = example_survey.export
    unanswered = export.data.index[~export.data["answered"]][0]
    text = "respondentid;variabel;kategori\n" + f"{rid};s_9;Økonomi\n" + row.format(id=rid, unanswered=unanswered) + "\n"
    with pytest.raises(CodingError) as info:
        read_coding(_write(tmp_path, text), example_survey)
    assert message in str(info.value)
    assert "coding.csv, line 3" in str(info.value)


def test_wrong_shape(example_survey, tmp_path):
    with pytest.raises(CodingError, match="needs the columns respondentid, variabel, kategori"):
        read_coding(_write(tmp_path, "id;question;code\n1;s_9;x\n"), example_survey)
    with pytest.raises(CodingError, match="empty"):
        read_coding(_write(tmp_path, ""), example_survey)
    with pytest.raises(CodingError, match="not a readable Excel workbook"):
        read_coding(_write(tmp_path, "respondentid;variabel;kategori\n", name="c.xlsx"), example_survey)
    with pytest.raises(CodingError, match="line 2: 5 fields but the header has 3"):
        read_coding(_write(tmp_path, "respondentid;variabel;kategori\n1;2;3;4;5\n"), example_survey)


def test_coded_outside_the_routing_is_reported_not_counted(example_survey, tmp_path):
    # A full-timer coded on the part-timers' question: kept out of table 3, and said so.
    rid = list(example_survey.responses.index[example_survey.group_mask("fuldtid")])[0]
    text = f"respondentid;variabel;kategori\n{rid};s_9;Økonomi\n"
    ts = build_tables(example_survey, read_coding(_write(tmp_path, text), example_survey), min_group=1)
    t3 = ts.table(3)
    assert t3.base == 0
    assert any(rid in e.respondentids and "hører ikke til gruppen" in e.reason for e in t3.excluded)


def test_a_question_without_codes_awaits_coding(example_survey, tmp_path):
    # Only s_9 coded so far: tables 4, 7, 8, 9 are pending, not empty tables.
    rid = _some_ids(example_survey, "op_hvorfor", 1)[0]
    text = f"respondentid;variabel;kategori\n{rid};s_9;Økonomi\n"
    ts = build_tables(example_survey, read_coding(_write(tmp_path, text), example_survey), min_group=1)
    assert [t.number for t in ts.pending] == [4, 7, 8, 9]
    assert ts.table(3).base == 1
