"""The same tables from every export form, and from a later wave whose s_N names shifted."""

from __future__ import annotations

import pandas as pd
import pytest

from fuldtid.model.coding import read_coding
from fuldtid.errors import DefinitionError
from fuldtid.read.export import Variable, read_export
from exportwriter import write_export
from fuldtid.model.survey import load_survey
from fuldtid.stats.tables import build_tables


def _counts(tableset):
    out = {}
    for t in tableset.tables:
        if t.kind == "cross":
            out[t.number] = [(r.label, dict(r.counts)) for r in t.rows]
        else:
            out[t.number] = [(r.label, r.count) for r in t.rows]
    return out


@pytest.fixture(scope="module")
def reference(example_export, example_dir):
    s = load_survey(example_export)
    return _counts(build_tables(s, read_coding(example_dir / "coding.csv", s), min_group=1))


FORMS = [
    ("csv-zip", dict(encoding="utf-8-sig", separator=",")),
    ("csv-folder", dict(encoding="utf-16", separator="\t")),
    ("csv-folder", dict(encoding="utf-8", separator=";", newline="\n")),
    ("xlsx", dict()),
    ("xlsx", dict(split_dataset=2)),
    ("sav", dict()),
]


@pytest.mark.parametrize(("form", "options"), FORMS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(FORMS)])
def test_every_form_gives_the_same_tables(tmp_path, example_export, example_dir, reference, form, options):
    suffix = {"csv-zip": ".zip", "xlsx": ".xlsx", "sav": ".sav"}.get(form, "")
    path = write_export(example_export.variables, example_export.data, tmp_path / f"export{suffix}", form=form, **options)
    export = read_export(path)
    assert (export.distributed, export.answered) == (1172, 333)
    assert "email" not in export.data.columns
    s = load_survey(export)
    got = _counts(build_tables(s, read_coding(example_dir / "coding.csv", s), min_group=1))
    assert got == reference


def _shift(export, insert_at: int, new_text: str):
    """A later wave: a new question inserted before s_{insert_at}, so every later s_N is renumbered."""
    renamed = {}
    variables = {}
    for name, var in export.variables.items():
        n = int(name.split("_")[1])
        new = f"s_{n + 1}" if n >= insert_at else name
        renamed[name] = new
        if n == insert_at:
            variables[f"s_{insert_at}"] = Variable(f"s_{insert_at}", new_text, "single", {1: "Ja", 2: "Nej"})
        variables[new] = Variable(new, var.text, var.kind, var.labels)
    data = export.data.rename(columns=renamed)
    data.insert(0, f"s_{insert_at}", pd.array([1 if i % 3 else 2 for i in range(len(data))], dtype="Int64"))
    data.loc[~data["answered"], f"s_{insert_at}"] = pd.NA
    order = [v for v in variables] + [c for c in data.columns if c not in variables]
    return variables, data[order]


def test_a_later_wave_with_an_inserted_question_still_loads(tmp_path, example_export, example_dir, reference):
    variables, data = _shift(example_export, 6, "Er du tillidsrepræsentant?")
    path = write_export(variables, data, tmp_path / "wave2023.zip", form="csv-zip")
    s = load_survey(path)
    matches = {m.field: m.variable for m in s.matches}
    assert matches["timetal"] == "s_7" and matches["op_i_tid"] == "s_8" and matches["mulighed_uddyb"] == "s_17"
    # The coding file names the 2022 variables; a new wave's coding names its own: use question texts.
    coding = pd.read_csv(example_dir / "coding.csv", sep=";", dtype=str, keep_default_na=False)
    texts = {name: var.text for name, var in example_export.variables.items()}
    coding["variabel"] = coding["variabel"].map(texts)
    coding_path = tmp_path / "coding.csv"
    coding.to_csv(coding_path, sep=";", index=False)
    got = _counts(build_tables(s, read_coding(coding_path, s), min_group=1))
    assert got == reference


def test_a_missing_question_names_the_closest_text(tmp_path, example_export):
    variables = dict(example_export.variables)
    v = variables["s_7"]
    variables["s_7"] = Variable("s_7", "Ønsker du at gå op i arbejdstid?", v.kind, v.labels)
    path = write_export(variables, example_export.data, tmp_path / "e.zip", form="csv-zip")
    with pytest.raises(DefinitionError) as info:
        load_survey(path)
    msg = str(info.value)
    assert "Ønsker du at gå op i tid?" in msg and "Ønsker du at gå op i arbejdstid?" in msg and "e.zip" in msg


def test_a_new_answer_option_is_counted_and_reported(tmp_path, example_export):
    from fuldtid.read.export import Variable

    variables = dict(example_export.variables)
    v = variables["s_6"]
    variables["s_6"] = Variable("s_6", v.text, v.kind, {**v.labels, 6: "Over 37 timer"})
    data = example_export.data.copy()
    first_fulltimers = data.index[(data["s_6"] == 5).fillna(False).to_numpy()][:3]
    data.loc[first_fulltimers, "s_6"] = 6
    path = write_export(variables, data, tmp_path / "e.zip", form="csv-zip")
    s = load_survey(path)
    assert any("'Over 37 timer'" in w for w in s.warnings)
    assert s.options("timetal")[-1] == "Over 37 timer"
    ts = build_tables(s, min_group=1)
    assert ts.table(5).base == 117 - 3
    reasons = [e for e in ts.excluded if "Over 37 timer" in e.reason]
    assert len(reasons) == 1 and reasons[0].count == 3


def test_question_texts_with_a_number_in_front_still_match(tmp_path, example_export, reference, example_dir):
    # Some exports label variables "s_7: Ønsker du ..." or "7. Ønsker du ..." (e.g. SPSS variable labels).
    variables = {
        name: Variable(name, (f"{name}: " if i % 2 else f"{i + 1}. ") + var.text, var.kind, var.labels)
        for i, (name, var) in enumerate(example_export.variables.items())
    }
    path = write_export(variables, example_export.data, tmp_path / "e.sav", form="sav")
    s = load_survey(path)
    assert {m.field: m.variable for m in s.matches}["op_i_tid"] == "s_7"
    got = _counts(build_tables(s, read_coding(example_dir / "coding.csv", s), min_group=1))
    assert got == reference
