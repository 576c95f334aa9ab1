"""The memo of a questionnaire that is not VJH's: its words and layout come from its own definition.

The issue's case: a small well-being survey whose definition has a group of those answering "Nej" (asked
why). The memo must not lead with "Nej" merely because that group exists, must not say "af de alle
besvarelser", and must not borrow VJH's words (medarbejdergruppen, overenskomst, timetal).
"""

from __future__ import annotations

from pathlib import Path

from fuldtid.model.coding import read_coding
from exportwriter import write_export
from fuldtid.render.memo import build_memo
from fuldtid.model.survey import load_survey
from fuldtid.stats.tables import build_tables
from questionnaires import answered_rows, count_codes, read_dataset_rows, wellbeing

DEFINITION = """\
name: trivsel
title: Trivselsundersøgelse
fields:
  afdeling: {text: 'Hvilken afdeling arbejder du i?'}
  trives: {text: 'Trives du på din arbejdsplads?'}
  kommentar:
    text: Har du andre kommentarer om din trivsel?
    type: open
    among: trives_nej
    categories: [Arbejdspres, Andet]
  bedre: {text: 'Hvad kunne gøre din hverdag bedre? (flere svar mulige)', type: multiple}
groups:
  trives_nej: {label: 'medarbejdere, der ikke trives', field: trives, values: [Nej]}
tables:
  - {number: 1, field: trives, title: Trivsel}
  - {number: 2, kind: coded, field: kommentar, among: trives_nej, title: Hvorfor ikke}
  - {number: 3, kind: multiple, field: bedre, title: Hvad kunne gøre hverdagen bedre}
  - {number: 4, kind: cross, field: trives, by: afdeling, title: Trivsel fordelt på afdeling}
"""


def _memo(tmp_path: Path, extra: str = ""):
    variables, data = wellbeing(150, seed=7)
    export = write_export(variables, data, tmp_path / "e", respondent_ids=False)
    (tmp_path / "trivsel.yaml").write_text(DEFINITION + extra, encoding="utf-8")
    survey = load_survey(export, tmp_path / "trivsel.yaml")
    coding = tmp_path / "kodning.csv"
    nej = survey.responses.index[survey.responses["trives"].eq("Nej").fillna(False).to_numpy()
                                 & survey.responses["kommentar"].notna().to_numpy()]
    coding.write_text("respondentid;variabel;kategori\n" + "".join(
        f"{rid};kommentar;{'Arbejdspres' if i % 3 else 'Andet'}\n" for i, rid in enumerate(nej)), encoding="utf-8")
    ts = build_tables(survey, read_coding(coding, survey), min_group=1)
    return variables, export, ts, build_memo(ts)


def test_the_memo_leads_with_the_most_common_answer(tmp_path) -> None:
    variables, export, ts, memo = _memo(tmp_path)
    text = memo.text()
    rows = answered_rows(read_dataset_rows(export, ";"))
    counted = count_codes(rows, "s_3")
    labels = variables["s_3"].labels
    top = max(counted, key=counted.get)
    pct = round(100 * counted[top] / sum(counted.values()))
    assert f"{pct}% af alle, der har svaret, svarer »{labels[top]}«." in text
    assert "af de alle besvarelser" not in text and "alle besvarelser" not in text
    for vjh in ("medarbejdergruppen", "overenskomst", "timetal", "deltid", "fuldtid"):
        assert vjh not in text.lower()
    assert ts.table(3).kind == "multiple"  # the Multiple question is a table, placed in the memo
    assert 3 in [b.number for b in memo.tables()]


def test_headline_and_sections_come_from_the_definition(tmp_path) -> None:
    extra = ("memo:\n  sections:\n    - {heading: Hverdagen, text: Hvad der kunne gøre hverdagen bedre., tables: [3]}\n"
             "wording:\n  fields:\n    trives: {headline: Nej}\n")
    variables, export, ts, memo = _memo(tmp_path, extra)
    text = memo.text()
    nej = ts.table(1).row("Nej")
    assert "af alle, der har svaret, svarer »Nej«." in text and f"{round(nej.pct)}%" in text
    assert "Hverdagen\nHvad der kunne gøre hverdagen bedre." in text
    assert text.index("Hverdagen") < text.index("Tabel 3: Hvad kunne gøre hverdagen bedre")


def test_weighted_memo_speaks_of_the_population_not_vjhs_staff(tmp_path) -> None:
    from fuldtid.report import analyse

    variables, data = wellbeing(150, seed=7)
    export = write_export(variables, data, tmp_path / "e")
    (tmp_path / "trivsel.yaml").write_text(DEFINITION, encoding="utf-8")
    (tmp_path / "pop.csv").write_text("variabel;kategori;antal\nafdeling;Administration;200\nafdeling;Drift;500\n"
                                      "afdeling;Udvikling;300\n", encoding="utf-8")
    ts = analyse(export, survey=tmp_path / "trivsel.yaml", population=tmp_path / "pop.csv", min_group=1)
    text = build_memo(ts).text()
    assert "populationen" in text or "populationens" in text
    assert "medarbejdergruppen" not in text
