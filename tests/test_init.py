"""`fuldtid init` drafts a definition from an export alone, and the draft reports end to end unedited.

Two differently shaped questionnaires (tests/questionnaires.py): a well-being survey with a grid and a
Multiple question, and an anonymous pulse survey without respondent ids. The counts in tables.json are
compared with a direct count of the export's files (the csv module), and every form of the same export
gives the same tables.
"""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from fuldtid.cli import cli
from fuldtid.read.export import read_export
from exportwriter import write_export
from questionnaires import anonymous_pulse, answered_rows, count_codes, read_dataset_rows, wellbeing

SHAPES = {
    # name: (questionnaire, writer options, separator used)
    "wellbeing": (wellbeing, {"encoding": "utf-8-sig", "separator": ","}),
    "pulse": (anonymous_pulse, {"encoding": "utf-16", "separator": "\t", "respondent_ids": False,
                                "status_prefix": "stato", "structure_choices": False, "admin_columns": False}),
}


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module", params=list(SHAPES))
def drafted(request, tmp_path_factory):
    make, options = SHAPES[request.param]
    variables, data = make()
    tmp = tmp_path_factory.mktemp(request.param)
    export = write_export(variables, data, tmp / "eksport", **options)
    out = run("init", export, "--out", tmp / "survey.yaml")
    assert "Wrote" in out and "--survey" in out
    return request.param, variables, data, export, tmp / "survey.yaml", options


def test_draft_has_a_table_for_every_closed_question(drafted) -> None:
    name, variables, _, export, survey, _ = drafted
    d = yaml.safe_load(survey.read_text(encoding="utf-8"))
    texts = {f["text"]: (k, f) for k, f in d["fields"].items()}
    tabled = {t.get("field") for t in d["tables"]} | {x for t in d["tables"] for x in t.get("fields", ())}
    for var in variables.values():
        if var.kind == "multiple":
            key, f = texts[var.question_text]
            assert f["type"] == "multiple"
        else:
            key, f = texts[var.text]
            assert f.get("type", "single") == ("open" if var.kind == "open" else "single")
        assert key in tabled, var.name
    kinds = [t["kind"] for t in d["tables"]]
    assert kinds.count("multiple") == 1 and "coded" in kinds
    if name == "wellbeing":
        grid = next(t for t in d["tables"] if t["kind"] == "grid")
        assert [d["fields"][f]["text"].rpartition(" - ")[2] for f in grid["fields"]] == [
            "Jeg har gode kolleger", "Min leder lytter til mig", "Jeg kan nå mine opgaver"]
        assert d["background"] == ["afdeling", "alder"]
        assert any(t["kind"] == "cross" and t["by"] == "afdeling" for t in d["tables"])
    else:
        assert d["background"] == ["faggruppe"]


def test_draft_reports_end_to_end_with_counts_of_the_files(drafted, tmp_path) -> None:
    name, variables, data, export, survey, options = drafted
    out = run("report", export, "--survey", survey, "--min-group", "1", "--out", tmp_path / "r")
    for f in ("tables.json", "tabeller.xlsx", "notat.docx", "notat.html"):
        assert (tmp_path / "r" / f).stat().st_size > 0
    assert f"--survey {survey}" in out  # the printed follow-up command keeps the definition
    tables = json.loads((tmp_path / "r" / "tables.json").read_text(encoding="utf-8"))
    rows = answered_rows(read_dataset_rows(export, options["separator"]))
    assert tables["answered"] == len(rows) == int(data["answered"].sum())
    for t in tables["tables"]:
        assert t["question"] and t["variables"], t["number"]
        for r in t["rows"]:
            assert "label" in r and "count" in r
        if t["kind"] == "oneway":
            (var,) = t["variables"]
            counted = count_codes(rows, var)
            shown = {r["label"]: r["count"] for r in t["rows"]}
            # A background field's table has a row for those who did not give it (a group like the others).
            not_given = shown.pop("Ikke angivet", 0)
            assert shown == {label: counted.get(code, 0) for code, label in variables[var].labels.items()}
            assert t["base"] == sum(counted.values()) + not_given
            assert not_given == len(rows) - sum(counted.values()) or not_given == 0
        elif t["kind"] == "multiple":
            assert t["base"] == len(rows)  # everyone answered was shown it (no routing in a draft)
            want = {variables[v].option: count_codes(rows, v).get(1, 0) for v in t["variables"]}
            assert {r["label"]: r["count"] for r in t["rows"]} == want
        elif t["kind"] == "grid":
            for r, var in zip(t["rows"], t["variables"]):
                counted = count_codes(rows, var)
                assert r["counts"] == {label: counted.get(code, 0) for code, label in variables[var].labels.items()}
                assert r["count"] == sum(counted.values())
        elif t["kind"] == "cross":
            field_var, by_var = t["variables"]
            for r in t["rows"]:
                if r.get("suppressed") or r.get("members"):
                    continue
                if r["label"] == "Ikke angivet":  # those who did not give the row field: a row of their own
                    sub = [x for x in rows if not x[by_var].strip()]
                else:
                    code = next(c for c, lab in variables[by_var].labels.items() if lab == r["label"])
                    sub = [x for x in rows if x[by_var].strip() and int(float(x[by_var])) == code]
                counted = count_codes(sub, field_var)
                assert r["counts"] == {lab: counted.get(c, 0) for c, lab in variables[field_var].labels.items()}
    pending = [p["number"] for p in tables["pending"]]
    assert pending, "the open question awaits coding"


def test_draft_breakdown_and_coding_sheet_run(drafted, tmp_path) -> None:
    name, variables, _, export, survey, _ = drafted
    d = yaml.safe_load(survey.read_text(encoding="utf-8"))
    by = d["background"][0]
    question = next(t["field"] for t in d["tables"] if t["kind"] == "oneway" and t["field"] not in d["background"])
    out = run("breakdown", export, "--survey", survey, "--question", question, "--by", by)
    assert "Total" in out or "I alt" in out
    sheet = tmp_path / "kodning.xlsx"
    out = run("coding-sheet", export, "--survey", survey, "--out", sheet)
    assert sheet.stat().st_size > 0 and f"--survey {survey}" in out
    out = run("report", export, "--survey", survey, "--coding", sheet, "--format", "json", "--out", tmp_path / "r")
    assert "await coding" in out
    out = run("validate", export, "--survey", survey)
    assert f"Background for breakdowns: {', '.join(d['background'])}" in out
    if name == "pulse":
        assert "numbered" in out


@pytest.mark.parametrize("form", ["csv-zip", "xlsx", "sav"])
def test_every_form_gives_the_same_tables(drafted, tmp_path, form) -> None:
    name, variables, data, export, survey, options = drafted
    other = write_export(variables, data, tmp_path / f"e.{form.replace('csv-', '')}", form=form,
                         **{k: v for k, v in options.items() if k not in ("encoding", "separator")})
    run("report", export, "--survey", survey, "--format", "json", "--out", tmp_path / "a")
    run("report", other, "--survey", survey, "--format", "json", "--out", tmp_path / "b")
    a = json.loads((tmp_path / "a" / "tables.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b" / "tables.json").read_text(encoding="utf-8"))
    assert a["tables"] == b["tables"] and a["answered"] == b["answered"]


def test_init_refuses_to_overwrite(tmp_path) -> None:
    variables, data = anonymous_pulse(20)
    export = write_export(variables, data, tmp_path / "e")
    (tmp_path / "s.yaml").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(export), "--out", str(tmp_path / "s.yaml")])
    assert result.exit_code != 0 and "exists" in result.output and "Traceback" not in result.output
    assert read_export(export).distributed == 20
    # Never onto the export, not even with --force.
    result = CliRunner().invoke(cli, ["init", str(export), "--out", str(export / "dataset.csv"), "--force"])
    assert result.exit_code != 0 and "export itself" in result.output
    assert read_export(export).distributed == 20


def test_the_default_definition_on_another_questionnaire_points_to_init(tmp_path) -> None:
    variables, data = wellbeing(20)
    export = write_export(variables, data, tmp_path / "e")
    result = CliRunner().invoke(cli, ["validate", str(export)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "another questionnaire" in result.output and f"fuldtid init {export}" in result.output


def test_multiple_and_grid_tables_are_weighted_like_a_direct_poststratification(tmp_path) -> None:
    """One margin (afdeling): each respondent weighs N_h / n_h; a share is a weighted mean over its base."""
    import numpy as np

    from fuldtid.report import analyse

    variables, data = wellbeing(150, seed=3)
    export = write_export(variables, data, tmp_path / "e")
    run("init", export, "--out", tmp_path / "s.yaml")
    population = {"Administration": 200, "Drift": 500, "Udvikling": 300}
    (tmp_path / "pop.csv").write_text("variabel;kategori;antal\n" + "".join(
        f"afdeling;{k};{v}\n" for k, v in population.items()), encoding="utf-8")
    ts = analyse(export, survey=tmp_path / "s.yaml", population=tmp_path / "pop.csv", min_group=1)
    r = ts.survey.responses
    known = r["afdeling"].notna()
    n_h = r.loc[known, "afdeling"].astype("object").value_counts()
    w = r["afdeling"].astype("object").map(lambda h: population[h] / n_h[h] if h in n_h else np.nan)
    multi = next(t for t in ts.tables if t.kind == "multiple")
    choices = ts.survey.choices[multi.field]
    for row in multi.rows:
        base = known & choices.notna().any(axis=1)
        want = 100 * float((w[base] * choices.loc[base, row.label].astype(bool)).sum() / w[base].sum())
        assert row.weighted is not None and abs(row.weighted.pct - want) < 1e-9
    grid = next(t for t in ts.tables if t.kind == "grid")
    spec = next(s for s in ts.survey.definition.tables if s.number == grid.number)
    for row, name in zip(grid.rows, spec.fields):
        base = known & r[name].notna()
        for answer in grid.columns:
            want = 100 * float((w[base] * r.loc[base, name].eq(answer)).sum() / w[base].sum())
            assert abs(row.weighted[answer].pct - want) < 1e-9
    from fuldtid.render.grid import render_text

    assert "vægtet" in render_text(grid) and "Vægtet" in render_text(multi)


def test_repeated_question_texts_are_drafted_with_their_variable(tmp_path) -> None:
    """Two questions "Uddyb gerne dit svar" (and two equal single-choice texts): the draft names their variables."""
    from fuldtid.read.export import Variable

    variables, data = anonymous_pulse(60, seed=5)
    variables["q_6"] = Variable("q_6", "Uddyb gerne dit svar", "open")
    variables["q_7"] = Variable("q_7", "Er du tilfreds?", "single", {1: "Ja", 2: "Nej"})
    variables["q_8"] = Variable("q_8", "Uddyb gerne dit svar", "open")
    variables["q_9"] = Variable("q_9", "Er du tilfreds?", "single", {1: "Ja", 2: "Nej"})
    data["q_6"] = data["q_5"]
    data["q_8"] = data["q_5"].where(data.index.astype(int) % 2 == 0, None)
    data["q_7"] = data["q_3"]
    data["q_9"] = data["q_3"].map({1: 2, 2: 1}).astype("Int64")
    export = write_export(variables, data, tmp_path / "e", separator=";")
    run("init", export, "--out", tmp_path / "s.yaml")
    d = yaml.safe_load((tmp_path / "s.yaml").read_text(encoding="utf-8"))
    named = sorted(f["variable"] for f in d["fields"].values() if "variable" in f)
    assert named == ["q_6", "q_7", "q_8", "q_9"]
    run("report", export, "--survey", tmp_path / "s.yaml", "--min-group", "1", "--format", "json",
        "--out", tmp_path / "r")
    tables = json.loads((tmp_path / "r" / "tables.json").read_text(encoding="utf-8"))
    rows = answered_rows(read_dataset_rows(export, ";"))
    for var in ("q_7", "q_9"):
        t = next(t for t in tables["tables"] if t["kind"] == "oneway" and t["variables"] == [var])
        counted = count_codes(rows, var)
        assert {r["label"]: r["count"] for r in t["rows"]} == {"Ja": counted.get(1, 0), "Nej": counted.get(2, 0)}


def _random_questionnaire(draw_seed: int, singles: int, grid: int, options: int, opened: bool, n: int):
    """A questionnaire of a drawn shape: singles, a grid of ``grid`` items, a Multiple with ``options``."""
    import numpy as np
    import pandas as pd

    from fuldtid.read.export import Variable

    rng = np.random.default_rng(draw_seed)
    variables: dict[str, Variable] = {}
    for i in range(singles):
        k = int(rng.integers(2, 6))
        variables[f"s_{i + 1}"] = Variable(f"s_{i + 1}", f"Spørgsmål nummer {i + 1} om æøå?", "single",
                                           {c: f"Svar {c}" for c in range(1, k + 1)})
    for j in range(grid):
        variables[f"g_{j + 1}"] = Variable(f"g_{j + 1}", f"Hvor enig er du? - Udsagn {j + 1}", "single",
                                           {1: "Uenig", 2: "Enig"})
    for j in range(options):
        variables[f"m_{j + 1}"] = Variable(f"m_{j + 1}", f"Hvad bruger du? - Mulighed {j + 1}", "multiple",
                                           {0: "Ikke valgt", 1: "Valgt"}, question="m", option=f"Mulighed {j + 1}")
    if opened:
        variables["o_1"] = Variable("o_1", "Kommentarer", "open")
    answered = rng.random(n) < 0.7
    answered[0] = True
    data = {}
    for name, var in variables.items():
        if var.kind == "open":
            data[name] = pd.Series(np.where(answered & (rng.random(n) < 0.5), "tekst", None), dtype="object")
            continue
        codes = np.array(list(var.labels))
        vals = codes[rng.integers(0, len(codes), n)].astype(float)
        vals[~answered | ((rng.random(n) < 0.2) & (var.kind == "single"))] = np.nan
        data[name] = pd.array(pd.Series(vals), dtype="Int64")
    df = pd.DataFrame(data)
    df["answered"] = answered
    df.index = pd.Index([str(1000 + i) for i in range(n)], name="respondentid")
    return variables, df


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), singles=st.integers(1, 3), grid=st.sampled_from([0, 2, 3]),
       options=st.sampled_from([0, 2, 4]), opened=st.booleans(), n=st.integers(8, 40), ids=st.booleans(),
       form=st.sampled_from(["csv-folder", "csv-zip", "xlsx", "sav"]))
def test_any_drafted_questionnaire_reports_counts_of_its_data(tmp_path_factory, seed, singles, grid, options,
                                                              opened, n, ids, form) -> None:
    variables, data = _random_questionnaire(seed, singles, grid, options, opened, n)
    tmp = tmp_path_factory.mktemp("q")
    suffix = {"csv-folder": "", "csv-zip": ".zip", "xlsx": ".xlsx", "sav": ".sav"}[form]
    export = write_export(variables, data, tmp / f"e{suffix}", form=form, respondent_ids=ids,
                          structure_choices=bool(seed % 2), status_prefix="stato" if seed % 3 else "statoverall")
    run("init", export, "--out", tmp / "s.yaml")
    run("report", export, "--survey", tmp / "s.yaml", "--min-group", "1", "--format", "json", "--out", tmp / "r")
    tables = json.loads((tmp / "r" / "tables.json").read_text(encoding="utf-8"))
    answered = data[data["answered"]]
    assert tables["answered"] == len(answered) and tables["distributed"] == n
    kinds = [t["kind"] for t in tables["tables"]]
    assert kinds.count("grid") == (1 if grid else 0) and kinds.count("multiple") == (1 if options else 0)
    for t in tables["tables"]:
        if t["kind"] == "oneway":
            (var,) = t["variables"]
            counts = answered[var].value_counts()
            assert {r["label"]: r["count"] for r in t["rows"]} == {
                label: int(counts.get(code, 0)) for code, label in variables[var].labels.items()}
        elif t["kind"] == "multiple":
            assert t["base"] == len(answered)
            assert [r["count"] for r in t["rows"]] == [int((answered[v] == 1).sum()) for v in t["variables"]]
        elif t["kind"] == "grid":
            assert [r["count"] for r in t["rows"]] == [int(answered[v].notna().sum()) for v in t["variables"]]


def test_a_routed_multiple_choice_question_counts_those_who_saw_it(tmp_path) -> None:
    """SurveyXact writes 0 on every option for those never shown the question: the routing decides the base."""
    from fuldtid.model.survey import load_survey
    from fuldtid.stats.tables import build_tables

    variables, data = wellbeing(90, seed=11)
    export = write_export(variables, data, tmp_path / "e", separator=";")
    (tmp_path / "s.yaml").write_text(
        "fields:\n"
        "  trives: {text: 'Trives du på din arbejdsplads?'}\n"
        "  bedre: {text: 'Hvad kunne gøre din hverdag bedre? (flere svar mulige)', type: multiple, among: nej}\n"
        "groups:\n  nej: {label: 'dem, der ikke trives', field: trives, values: [Nej]}\n"
        "tables:\n  - {number: 1, kind: multiple, field: bedre, among: nej, title: Bedre}\n", encoding="utf-8")
    ts = build_tables(load_survey(export, tmp_path / "s.yaml"), min_group=1)
    rows = [r for r in answered_rows(read_dataset_rows(export, ";")) if r["s_3"].strip() == "2"]
    t = ts.table(1)
    assert t.base == len(rows) and t.variables == ("s_5_1", "s_5_2", "s_5_3", "s_5_4")
    assert [r.count for r in t.rows] == [sum(x[v].strip() == "1" for x in rows) for v in t.variables]


def test_readsx_shaped_export_drafts_and_reports(tmp_path) -> None:
    """The shape of NIFU's public SurveyXact example: no ids, no admin columns, stato_, Multiple options,
    Single questions without choices in Structure, grid items, unlabelled extra columns after the status."""
    import random

    st_text = ("questionName;variableName;questionType;subType;questionText;choiceValue;choiceText\n"
               "v_1;v_1_1;Closed;Multiple;Hvilke fag? (flere kryss er mulig);1;Design \n"
               "v_1;v_1_2;Closed;Multiple;Hvilke fag? (flere kryss er mulig);2;Forskning\n"
               "s_2;s_2;Closed;Single;Hvilket program?;;\n"
               "p_01;p_01;Closed;Single;Kryss av for fagene - Matematikk R1 ;;\n"
               "p_02;p_02;Closed;Single;Kryss av for fagene - Matematikk R2 ;;\n"
               "b_6_1;b_6_1;Closed;Single;  - Hvor ble du født?;;\n"
               "a_p;a_p;Open;String;Andre fag:;;\n")
    lb_text = ("v_1_1;0;Ikke valgt\nv_1_1;1;Valgt\nv_1_2;0;Ikke valgt\nv_1_2;1;Valgt\ns_2;1;Idrettsfag \n"
               "s_2;2;Studiespesialisering \np_01;1;Har faget\np_01;2;Skal velge\np_02;1;Har faget\n"
               "p_02;2;Skal velge\nb_6_1;1;Norge\nb_6_1;2;Annet\n")
    rng = random.Random(4)
    lines = ["v_1_1;v_1_2;s_2;p_01;p_02;b_6_1;a_p;stato_1;stato_2;stato_3;stato_4;stato_5;s_1;s_3"]
    for _ in range(50):
        if rng.random() < 0.7:
            cells = [rng.choice("01"), rng.choice("01"), rng.choice(["1", "2", ""]), rng.choice(["1", "2", ""]),
                     rng.choice("12"), rng.choice("12"), rng.choice(["", "tekst"]), "0", "0",
                     *rng.choice([("1", "0"), ("0", "1")]), "0", "", ""]
        else:
            cells = ["0", "0", "", "", "", "", "", "0", "1", "0", "0", "0", "", ""]
        lines.append(";".join(cells))
    folder = tmp_path / "readsx"
    folder.mkdir()
    for name, text in (("structure.csv", st_text), ("labels.csv", lb_text), ("dataset.csv", "\n".join(lines))):
        (folder / name).write_bytes(text.encode("cp1252"))
    run("init", folder, "--out", tmp_path / "s.yaml")
    run("report", folder, "--survey", tmp_path / "s.yaml", "--min-group", "1", "--out", tmp_path / "r")
    tables = json.loads((tmp_path / "r" / "tables.json").read_text(encoding="utf-8"))
    rows = answered_rows(read_dataset_rows(folder, ";"))
    by_vars = {tuple(t["variables"]): t for t in tables["tables"]}
    multi = by_vars[("v_1_1", "v_1_2")]
    assert multi["kind"] == "multiple" and [r["label"] for r in multi["rows"]] == ["Design", "Forskning"]
    assert [r["count"] for r in multi["rows"]] == [count_codes(rows, v).get(1, 0) for v in ("v_1_1", "v_1_2")]
    grid = by_vars[("p_01", "p_02")]
    assert grid["kind"] == "grid" and grid["question"] == "Kryss av for fagene"
    assert [r["counts"] for r in grid["rows"]] == [
        {"Har faget": count_codes(rows, v).get(1, 0), "Skal velge": count_codes(rows, v).get(2, 0)}
        for v in ("p_01", "p_02")]
    program = by_vars[("s_2",)]
    assert {r["label"]: r["count"] for r in program["rows"]} == {
        "Idrettsfag": count_codes(rows, "s_2").get(1, 0), "Studiespesialisering": count_codes(rows, "s_2").get(2, 0)}
