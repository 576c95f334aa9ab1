"""The memo's content: structure as the 2022 memo's, and prose whose every number comes from the data.

The prose is checked on the shipped example and on altered copies of it (another category largest, ties,
nobody in a group, one respondent, no coding file, small groups hidden, weights), so a sentence that only
happens to be true for 2022 fails here.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from fuldtid import fmt
from fuldtid.render.blocks import (BulletList, FigureBlock, Heading, Paragraph, PendingTable, TableBlock, inline_runs,
                                   markdown_blocks)
from fuldtid.render.memo import build_memo
from fuldtid.danish import count_noun, da_period, join_da
from fuldtid.stats.tables import Weighted, build_tables

from memo_helpers import example_tableset, key_points, paragraphs, rebuild, swap, with_definition


# --- structure -----------------------------------------------------------------------------------


def test_structure_follows_the_memo(memo):
    headings = [b.display for b in memo.blocks if isinstance(b, Heading) and b.level < 3]
    assert headings == [
        "1. Indledning",
        "2. Datagrundlag",
        "3. Medarbejdernes ønsker til arbejdstid",
        "3.1 Deltidsansattes ønske om arbejdstid",
        "3.2 Fuldtidsansattes ønske om arbejdstid",
        "3.3 Oplevet mulighed for at gå op eller ned i tid",
        "4. Konklusion",
        "Bilag 1: Respondenterne",
        "Bilag 2: Opfølgende analyse",
    ]
    assert "Hovedpointer" in paragraphs(memo)


def test_every_table_and_figure_once_in_order(ts, memo):
    assert [b.number for b in memo.tables()] == list(range(1, 15))
    assert [b.caption for b in memo.tables()] == [t.caption for t in ts.tables]
    assert [b.number for b in memo.figures()] == [1, 2, 3, 4, 5, 6]
    # Placed as in the memo: figure 1 in 3.1, figures 2-3 with table 9 in 3.3, figures 4-6 in the appendix.
    order = [(b.kind, b.number) for b in memo.blocks if isinstance(b, (TableBlock, FigureBlock))]
    assert order.index(("figure", 1)) < order.index(("table", 3))
    assert order.index(("figure", 3)) < order.index(("table", 9)) < order.index(("table", 10))
    assert order.index(("figure", 5)) < order.index(("table", 10)) < order.index(("figure", 6))


def test_table_blocks_carry_the_shared_grid(ts, memo):
    from fuldtid.render.grid import table_grid

    for b in memo.tables():
        g = table_grid(ts.table(b.number))
        assert b.grid == g  # no weights: exactly the grid every renderer shares
        assert len(b.widths) == len(g.header)


def test_title_block(memo):
    assert memo.title == "Analyse af data fra spørgeskema vedrørende arbejdstid i Voksne, Job og Handicap"
    assert memo.organisation == "Voksne, Job og Handicap, Aarhus Kommune"
    assert memo.meta[-1] == "Data indsamlet fra den 27. juli til den 29. august 2022"


# --- prose follows the tables -----------------------------------------------------------------------


def test_key_points_equal_the_tables(ts, memo):
    t1, t2, t3, t5, t6, t7, t9 = (ts.table(n) for n in (1, 2, 3, 5, 6, 7, 9))
    kp = key_points(memo)
    assert kp[0] == f"{fmt.pct(t1.row('Ja').pct)} af de deltidsansatte, der har svaret, ønsker at gå op i tid."
    assert kp[0].startswith("30% ")
    assert kp[1] == f"Størstedelen ({fmt.pct(t2.row('37 timer').pct)}) ønsker at gå op til 37 timer."
    assert kp[2] == (f"Den hyppigste begrundelse er »Økonomi« ({fmt.pct(t3.row('Økonomi').pct)}), "
                     f"dernæst »Overskud og ansvar« ({fmt.pct(t3.row('Overskud og ansvar').pct)}).")
    # Table 5: 30 of 117 is 26% (the printed memo said 27%).
    assert kp[3] == "26% af de fuldtidsansatte, der har svaret, ønsker at gå ned i tid."
    assert kp[4] == f"Flest ({fmt.pct(t6.row('30-36 timer').pct)}) ønsker at gå ned til 30-36 timer."
    # A tie for second place is said as such.
    assert t7.row("Arbejdspres").count == t7.row("Overskud og sundhed").count
    assert kp[5].endswith("dernæst »Arbejdspres« og »Overskud og sundhed« (27% hver).")
    assert kp[6].startswith("33% af alle, der har svaret, oplever ikke")
    # Hours groups x (Nej, other) as figure 3 shows them: 6/18, 9/18, 7/22, 48/148, 35/110 say "Nej".
    # R: chisq.test(matrix(c(6, 9, 7, 48, 35, 12, 9, 15, 100, 75), 5), correct = FALSE)
    #    X-squared = 2.4427126948454, p = 0.654922500106412: no "largest" group is claimed.
    assert kp[7] == "Andelen adskiller sig ikke statistisk sikkert mellem timetalsgrupper (p = 0,65)."
    assert kp[8] == f"Den hyppigste forklaring er »Manglende ressourcer« ({fmt.pct(t9.row('Manglende ressourcer').pct)})."


def test_data_basis_from_the_export(ts, memo):
    s = ts.survey
    text = memo.text()
    assert (f"Spørgeskemaet blev sendt til de {fmt.number(s.distributed)} fastansatte, månedslønnede "
            f"medarbejdere i Voksne, Job og Handicap, Aarhus Kommune.") in text
    assert f"{s.answered} har besvaret skemaet, hvilket giver en svarprocent på 28%." in text
    assert "Besvarelserne er indsamlet fra den 27. juli til den 29. august 2022." in text
    assert ("2 respondenter svarede ikke på »Hvor mange timer om ugen er du ansat til?« og indgår ikke i "
            "tabeller over deltidsansatte eller fuldtidsansatte.") in text
    # No threshold note with --min-group 1, and no weighting text without a population file.
    assert "anonymiteten" not in text and "Vægtet" not in text


def test_sentences_around_the_tables(memo):
    text = memo.text()
    assert ("65 (30%) af de 214 deltidsansatte, der har svaret på spørgsmålet, ønsker at gå op i tid, "
            "mens 149 (70%) ikke ønsker at gå op i tid.") in text
    assert ("Af de 65 deltidsansatte, der ønsker at gå op i tid, ønsker størstedelen, 39 (60%), at gå op til "
            "37 timer. Det svarer til 18% af alle 214 deltidsansatte, der har svaret.") in text
    # Figure 1: 7/19, 3/18, 7/23, 48/154 want more hours. R: chisq.test(matrix(c(7, 3, 7, 48, 12, 15, 16, 106),
    # 4), correct = FALSE): X-squared = 2.02112599362918, p = 0.568033524437353, so no largest/smallest.
    assert ("Andelen ligger mellem 17% og 37% i grupperne med mindst 5 svar, men forskellen mellem grupperne er "
            "ikke statistisk sikker (p = 0,57), så tallene viser ikke, at nogen gruppe skiller sig ud.") in text
    assert "Andelen er størst blandt dem på 1-9 timer" not in text
    # Table 12 (p = 0.0146, fisher.test): the difference is claimed, with its test.
    assert ("Andelen, der ønsker at gå ned i tid, er størst i gruppen »Rådgivning og Visitation« (46%, 6 af 13) og "
            "mindst i gruppen »Resterende tilbud« (14%, 10 af 71); forskellen er 32 procentpoint. Forskellen mellem "
            "grupperne er statistisk sikker (p = 0,015).") in text
    assert ("Flest svar hører til kategorien »Økonomi« (29 af 55, 53%), dernæst »Overskud og ansvar« (17, 31%). "
            "Færrest hører til »Opgavebyrde« (4, 7%).") in text
    assert "117 af de 331, der har oplyst deres timetal, er fuldtidsansatte (35%)." in text
    assert "Svarene fordeler sig med 60% »Ja«, 33% »Nej« og 7% »Ved ikke«." in text
    assert ("De svarende fordeler sig på 27 af de 33 stillingsbetegnelser i skemaet. Flest svar kommer fra "
            "stillingsbetegnelserne Pædagog (69), Socialpædagog (66), Omsorgsmedhjælper (44) og "
            "Socialrådgiver (27).") in text
    assert "Der er svar fra medarbejdere i 63 af de 77 tilbud" in text
    assert "Af de 333, der har svaret, er 71% kvinder og 29% mænd." in text
    assert ("Flest er ansat efter »Socialpædagoger og pæd.pers.døgninst.mv.« (135, 41%), dernæst "
            "»Oms.- og pæd.medhj. samt pæd. ass., KL« (46, 14%). 25 (8%) har ikke svaret på spørgsmålet.") in text
    assert "35% er ansat på fuld tid og 65% på deltid." in text


def test_groups_too_small_to_compare_are_not_singled_out(memo):
    text = memo.text()
    # Table 11: Rådgivning og Visitation has 2 part-timers; "Tilbud ikke angivet" is not a group.
    assert ("I gruppen »Resterende tilbud« er andelen, der ønsker at gå op i tid, 31% (52 af 168). Der er ingen "
            "anden gruppe med mindst 5 svar at sammenligne med. Grupper med færre end 5 svar sammenlignes ikke") in text
    assert "»Rådgivning og Visitation« (0%" not in text
    assert ("Andelen, der ønsker at gå ned i tid, er størst i gruppen »Rådgivning og Visitation« (46%, 6 af 13) "
            "og mindst i gruppen »Resterende tilbud« (14%, 10 af 71)") in text


def test_another_category_largest_changes_the_sentences(ts):
    r = ts.survey.responses.copy()
    r["op_timer"] = swap(r["op_timer"], "37 timer", "30-36 timer")
    r["mulighed"] = swap(r["mulighed"], "Ja", "Nej")
    altered = rebuild(ts, responses=r)
    t2 = altered.table(2)
    assert t2.row("30-36 timer").count == 39
    kp = key_points(build_memo(altered))
    assert kp[1] == "Størstedelen (60%) ønsker at gå op til 30-36 timer."
    assert kp[6].startswith("60% af alle, der har svaret, oplever ikke")
    text = build_memo(altered).text()
    assert "ønsker størstedelen, 39 (60%), at gå op til 30-36 timer" in text
    assert "Svarene fordeler sig med 33% »Ja«, 60% »Nej« og 7% »Ved ikke«." in text


def test_a_tie_is_said_as_a_tie(ts):
    r = ts.survey.responses.copy()
    wants = r.index[(r["op_timer"] == "37 timer").to_numpy()]
    # 39 want 37 hours and 7 want 30-36: move 16 so both have 23.
    r.loc[wants[:16], "op_timer"] = "30-36 timer"
    altered = rebuild(ts, responses=r)
    t2 = altered.table(2)
    assert t2.row("37 timer").count == t2.row("30-36 timer").count == 23
    kp = key_points(build_memo(altered))
    assert kp[1] == f"Lige mange ({fmt.pct(t2.row('37 timer').pct)} hver) ønsker at gå op til 30-36 timer og 37 timer."
    assert "Lige mange (35% hver)" in kp[1]
    text = build_memo(altered).text()
    assert "er der lige mange (35% hver), der ønsker at gå op til 30-36 timer eller 37 timer." in text


def test_singular_and_plural(ts):
    r = ts.survey.responses.copy()
    missing = r.index[r["timetal"].isna().to_numpy()]
    assert len(missing) == 2
    r.loc[missing[:1], "timetal"] = "37 timer"
    text = build_memo(rebuild(ts, responses=r)).text()
    assert "1 respondent svarede ikke på »Hvor mange timer om ugen er du ansat til?«" in text
    assert count_noun(1, "medarbejder", "medarbejdere") == "1 medarbejder"
    assert count_noun(1172, "medarbejder", "medarbejdere") == "1.172 medarbejdere"


def test_nobody_wants_more_hours(ts):
    r = ts.survey.responses.copy()
    part = ts.survey.group_mask("deltid").to_numpy() & r["op_i_tid"].notna().to_numpy()
    r.loc[part, "op_i_tid"] = "Nej"
    r.loc[:, "op_timer"] = pd.NA
    altered = rebuild(ts, responses=r)
    assert altered.table(2).base == 0
    memo = build_memo(altered)
    kp = key_points(memo)
    assert kp[0] == "0% af de deltidsansatte, der har svaret, ønsker at gå op i tid."
    assert not any("Størstedelen" in k for k in kp[:2])
    assert "Ingen deltidsansatte, der ønsker at gå op i tid, har angivet et ønsket timetal." in memo.text()
    assert "Ingen svar er kodet i kategorierne." in memo.text()  # table 3 has nobody left


def test_no_answers_at_all(ts):
    empty = rebuild(ts, responses=ts.survey.responses.iloc[:0])
    memo = build_memo(empty)
    text = memo.text()
    assert "Ingen har besvaret det." in text
    assert "Ingen deltidsansatte har svaret på spørgsmålet »Ønsker du at gå op i tid?«." in text
    assert "Ingen har svaret på, om det er muligt at gå op eller ned i tid på deres arbejdsplads." in text
    assert [b.number for b in memo.tables()] == list(range(1, 15))
    assert key_points(memo) == ["Ingen deltidsansatte har svaret på, om de ønsker at gå op i tid.",
                                "Ingen fuldtidsansatte har svaret på, om de ønsker at gå ned i tid."]


def test_pending_tables_say_how_to_code(ts):
    pending = rebuild(ts, coding=None)
    assert [s.number for s in pending.pending] == [3, 4, 7, 8, 9]
    memo = build_memo(pending)
    blocks = [b for b in memo.blocks if isinstance(b, PendingTable)]
    assert [b.number for b in blocks] == [3, 4, 7, 8, 9]
    assert [b.number for b in memo.tables()] == [1, 2, 5, 6, 10, 11, 12, 13, 14]
    cmd = f"fuldtid coding-sheet {ts.survey.export.path} --out kodning.xlsx"
    for b in blocks:
        assert b.caption.startswith(f"Tabel {b.number}: ")
        assert any(r.code and r.text == cmd for r in b.runs)
    kp = key_points(memo)
    assert kp.count("Begrundelserne afventer kodning af de åbne svar.") == 2
    assert "Flest svar hører til" not in memo.text()


def test_hidden_groups_are_never_named_in_the_prose():
    ts5 = example_tableset(min_group=5)
    memo = build_memo(ts5)
    prose = "\n".join(paragraphs(memo) + key_points(memo))
    hidden = {t.number: {r.label for r in t.rows if r.suppressed} for t in ts5.tables}
    # Answers are not groups of people: the coded tables show every category (issue 11's rule).
    assert all(not hidden[n] for n in range(1, 10))
    assert {"Rådgivning og Visitation"} <= hidden[11] and {"Akademikere, KL"} <= hidden[13]
    # The sentence that describes a table (after a coded table, before the others) names none of its
    # hidden groups, and the key points name no hidden category of the coded tables.
    blocks = list(memo.blocks)
    for i, b in enumerate(blocks):
        if not isinstance(b, TableBlock) or not hidden[b.number]:
            continue
        near = blocks[i + 1] if b.table_kind == "coded" else blocks[i - 1]
        assert isinstance(near, Paragraph)
        for label in hidden[b.number]:
            assert f"»{label}«" not in near.text, (b.number, label)
    for n in (3, 4, 7, 8, 9):
        for label in hidden[n]:
            assert f"»{label}«" not in "\n".join(key_points(memo)), label
    assert "Af hensyn til anonymiteten vises antal og andele ikke for grupper med færre end 5 besvarelser" in prose
    # The smallest age group is hidden (with its neighbour band), so "the smallest" is only said of the groups
    # shown.
    assert "den mindste af dem, der vises for sig, »60 år eller derover« (15%)" in prose
    assert "Under 19 år" not in prose


def test_hidden_counts_are_not_quoted():
    ts5 = example_tableset(min_group=5)
    ts1 = example_tableset(min_group=1)
    prose = "\n".join(paragraphs(build_memo(ts5)) + key_points(build_memo(ts5)))
    # An answer category is a finding, shown at both thresholds: 8 of 22 point to how the workplace is run.
    assert ts5.table(9).row("Tilbuddets organisering").count == 8
    assert "(8, 36%)" in "\n".join(paragraphs(build_memo(ts1))) and "(8, 36%)" in prose
    # Hidden groups of people are never quoted: none of the hidden agreements' counts or names.
    for number in (10, 13, 14):
        for row in ts5.table(number).rows:
            if row.suppressed:
                assert f"»{row.label}«" not in prose and row.label not in prose


def test_intro_and_conclusion_from_markdown(ts):
    memo = build_memo(ts, intro="# Baggrund\n\nAnalysen er **bestilt** af *MED-udvalget*.\n\n- et\n- to\n  - tre",
                      conclusion="Vi anbefaler `lokale dialoger`.")
    text = memo.text()
    assert "Notatet viser resultaterne" not in text
    assert "Undersøgelsen viser, at" not in text
    i = next(i for i, b in enumerate(memo.blocks) if isinstance(b, Heading) and b.text == "Indledning")
    h, p, lst = memo.blocks[i + 1: i + 4]
    assert isinstance(h, Heading) and h.text == "Baggrund"
    assert [(r.text, r.bold, r.italic) for r in p.runs] == [
        ("Analysen er ", False, False), ("bestilt", True, False), (" af ", False, False),
        ("MED-udvalget", False, True), (".", False, False)]
    assert isinstance(lst, BulletList) and [it.text for it in lst.items] == ["et", "to"]
    assert lst.items[1].children[0].text == "tre"
    j = next(i for i, b in enumerate(memo.blocks) if isinstance(b, Heading) and b.text == "Konklusion")
    assert [(r.text, r.code) for r in memo.blocks[j + 1].runs] == [
        ("Vi anbefaler ", False), ("lokale dialoger", True), (".", False)]


def test_default_conclusion_follows_the_data(ts, memo):
    text = memo.text()
    assert ("Undersøgelsen viser, at 30% af de deltidsansatte, der har svaret, ønsker at gå op i tid, og at 26% "
            "af de fuldtidsansatte, der har svaret, ønsker at gå ned i tid.") in text
    assert "Resultaterne bygger på 333 besvarelser (svarprocent 28%), så de skal læses med forbehold" in text


def test_markdown_keeps_html_as_text():
    blocks = markdown_blocks("<script>alert(1)</script> og [link](https://x.dk)")
    assert blocks[0].text == "<script>alert(1)</script> og [link](https://x.dk)"
    assert inline_runs("a **b** c")[1].bold


def test_quotes_are_masked_in_the_memo(ts):
    t3 = ts.table(3)
    quote = t3.row("Økonomi").examples[0]
    r = ts.survey.responses.copy()
    rid = r.index[(r["op_hvorfor"] == quote).to_numpy()][0]
    r.loc[rid, "op_hvorfor"] = "For at tjene mere, skriv til kim@firma.dk eller 12 34 56 78"
    block = next(b for b in build_memo(rebuild(ts, responses=r)).tables() if b.number == 3)
    cell = block.grid.rows[0][3]
    assert "[e-mail]" in cell and "[telefonnr.]" in cell
    assert "kim@firma.dk" not in cell and "12 34 56 78" not in cell


# --- weights ------------------------------------------------------------------------------------------


def test_weighted_tables_and_section():
    tsw = example_tableset(min_group=1, population=True)
    memo = build_memo(tsw)
    text = memo.text()
    for b in memo.tables():
        if b.number in (1, 2, 5, 6):
            assert b.grid.header == ("Svar", "Antal", "Procent", "Vægtet (95%-KI)")
            t = tsw.table(b.number)
            for row, cells in zip(t.rows, b.grid.rows):
                w = row.weighted
                assert cells[3] == f"{fmt.pct(w.pct)} ({fmt.number(w.ci_low)}–{fmt.pct(w.ci_high)})"
        else:
            assert "Vægtet (95%-KI)" not in b.grid.header
    yes = tsw.table(1).row("Ja")
    w = yes.weighted
    sentence = (f"Vægtet til hele medarbejdergruppen er andelen af de deltidsansatte, der ønsker at gå op i tid, "
                f"ca. {fmt.pct(w.pct)} (95%-konfidensinterval {fmt.number(w.ci_low)}–{fmt.pct(w.ci_high)}), "
                f"svarende til omkring ")
    assert sentence in text
    assert "3.4 Vægtede resultater" in text
    # The data basis says who is over- and under-represented, per margin.
    assert "Fordelingen på køn svarer nogenlunde til medarbejdergruppens" in text
    assert ("»37 timer« (35% mod 26%) er overrepræsenteret; »Under 30 timer« (18% mod 41%) er "
            "underrepræsenteret") in text
    assert "2 besvarelser mangler timetal og kan derfor ikke vægtes" in text


def test_weighting_text_with_a_hand_built_weighting(ts):
    """Only what the release publishes of the weighting: the memo depends on WeightingFacts, not on the
    weighting module's raked design."""
    from fuldtid.stats.release import MarginFact, Release, WeightingFacts

    margins = (
        MarginFact(variable="koen", category="Kvinde", sample_count=236, sample_share=0.5,
                   population_share=0.7, weighted_share=0.7),
        MarginFact(variable="koen", category="Mand", sample_count=97, sample_share=0.5,
                   population_share=0.3, weighted_share=0.3),
    )
    fake = WeightingFacts(population_path="population.csv", size=1000, method="post-stratification",
                          variables=("koen",), n_weighted=333, n_left_out=0, left_out_reasons={},
                          effective_n=250.4, design_effect=1.33, min_weight=0.5, max_weight=2.0, weight_ratio=4.0,
                          iterations=1, trimmed=None, margins=margins)
    t1 = ts.table(1)
    rows = tuple(replace(r, weighted=Weighted(41.0, 33.5, 48.9, 301.0)) if r.label == "Ja" else r for r in t1.rows)
    tables = tuple(replace(t1, rows=rows) if t.number == 1 else t for t in ts.tables)
    release = Release(replace(ts, tables=tables))
    release.weighting = fake
    memo = build_memo(release)
    text = memo.text()
    assert ("»Mand« (50% af besvarelserne mod 30% af medarbejderne) er overrepræsenteret; »Kvinde« (50% mod 70%) "
            "er underrepræsenteret") in text
    assert ("ca. 41% (95%-konfidensinterval 34–49%), svarende til omkring 300 medarbejdere. Uvægtet er andelen "
            "30% (tabel 1).") in text
    assert "giver samme præcision som ca. 250 uvægtede (designeffekt 1,33)" in text
    assert "Den største forskel mellem vægtet og uvægtet andel er 11 procentpoint (tabel 1, »Ja«)." in text
    block = memo.tables()[0]
    assert block.grid.rows[0][3] == "41% (34–49%)" and block.grid.rows[1][3] == ""


# --- Danish helpers --------------------------------------------------------------------------------------


def test_danish_helpers():
    assert join_da(["a"]) == "a" and join_da(["a", "b"]) == "a og b" and join_da(["a", "b", "c"], "eller") == "a, b eller c"
    assert da_period(pd.Timestamp("2022-07-27 09:00"), pd.Timestamp("2022-08-29")) == "fra den 27. juli til den 29. august 2022"
    assert da_period(pd.Timestamp("2021-12-30"), pd.Timestamp("2022-01-02")) == "fra den 30. december 2021 til den 2. januar 2022"
    assert da_period(pd.Timestamp("2022-08-01 08:00"), pd.Timestamp("2022-08-01 17:00")) == "den 1. august 2022"
    assert da_period(None, None) is None


def test_every_number_in_the_key_points_is_in_a_table_or_figure(ts, memo):
    """Each percentage of the key points is printed in a table or drawn in a figure."""
    from fuldtid.stats.figuredata import all_figures
    from fuldtid.render.grid import table_grid

    shown = set()
    for t in ts.tables:
        g = table_grid(t)
        for row in g.rows:
            shown.update(re.findall(r"\d+%", " ".join(row)))
    for f in all_figures(ts):
        shown.update(fmt.pct(p) for p in f.data["pct"] if p is not None)
    for k in key_points(memo):
        for p in re.findall(r"\d+%", k):
            assert p in shown, (p, k)


def test_another_questionnaire_gets_a_memo_too(ts, tmp_path):
    """A definition without the working-time questions: generic sentences, every table and figure placed."""
    from fuldtid.model.definition import load_definition
    from fuldtid.model.survey import Survey

    (tmp_path / "lille.yaml").write_text(
        "name: lille\ntitle: En lille undersøgelse\norganisation: Et center\n"
        "fields:\n"
        "  koen: {text: 'Hvad er dit køn?', options: [Kvinde, Mand]}\n"
        "  alder: {text: 'Hvor gammel er du?', options: [Under 19 år, 19-29 år, 30-39 år, 40-49 år, 50-59 år,"
        " 60 år eller derover]}\n"
        "  timetal: {text: 'Hvor mange timer om ugen er du ansat til?',"
        " options: [1-9 timer, 10-19 timer, 20-29 timer, 30-36 timer, 37 timer]}\n"
        "tables:\n"
        "  - {number: 1, kind: oneway, field: koen, title: Køn}\n"
        "  - {number: 2, kind: cross, field: koen, by: timetal, title: Køn fordelt på timetal}\n"
        "figures:\n"
        "  - {number: 1, kind: distribution, field: alder, title: Alder}\n"
        # The appendix on the respondents knows age by the role the definition gives it, not by name.
        "memo:\n  appendix: {age: alder}\n",
        encoding="utf-8",
    )
    d = load_definition(tmp_path / "lille.yaml")
    s = Survey(d, ts.survey.export, ts.survey.responses[["koen", "alder", "timetal"]], ())
    memo = build_memo(build_tables(s, None, min_group=5))
    text = memo.text()
    assert "Notatet viser resultaterne af spørgeskemaundersøgelsen »En lille undersøgelse«" in text
    assert "Hovedpointer" not in text and "3. Medarbejdernes" not in text
    # Without sections of its own the memo opens with the results (table 1); the cross table is a breakdown.
    assert [b.number for b in memo.tables()] == [1, 2]
    assert text.index("3. Resultater") < text.index("Tabel 1: Køn") < text.index("Bilag 1")
    assert [b.number for b in memo.figures()] == [1]
    # No wording in the definition: the neutral noun; the wording makes it an "aldersgruppe".
    assert "Den største gruppe er »30-39 år« (26%)" in text
    assert "Øvrige tabeller og figurer" not in text  # every table and figure has its place
    (tmp_path / "lille.yaml").write_text(
        (tmp_path / "lille.yaml").read_text(encoding="utf-8")
        + "wording:\n  fields:\n    alder: {group_noun: [aldersgruppe, aldersgrupper]}\n", encoding="utf-8")
    d = load_definition(tmp_path / "lille.yaml")
    s = Survey(d, ts.survey.export, ts.survey.responses[["koen", "alder", "timetal"]], ())
    assert "Den største aldersgruppe er »30-39 år« (26%)" in build_memo(build_tables(s, None, min_group=5)).text()


# --- wording from the survey definition ----------------------------------------------------------------


def _all_text(memo) -> str:
    def items(xs):
        for it in xs:
            yield it.text
            yield from items(it.children)
    return memo.text() + "\n" + "\n".join(t for b in memo.blocks if isinstance(b, BulletList) for t in items(b.items))


def test_wording_comes_from_the_definition(ts, memo):
    """The VJH phrasing is the YAML's: it is in the definition, and taking it away changes words, not content."""
    w = ts.survey.definition.wording
    assert w["fields"]["op_i_tid"]["answers"]["Ja"] == ("ønsker at gå op i tid", "ønsker at gå op i tid")
    assert w["fields"]["koen"]["plurals"] == {"Kvinde": "kvinder", "Mand": "mænd"}
    assert set(w["fields"]["op_hvorfor"]["categories"]) == set(ts.survey.definition.fields["op_hvorfor"].categories)
    bare = build_memo(with_definition(ts, wording={}))
    # The same tables and figures in the same places.
    assert [(b.kind, getattr(b, "number", None)) for b in bare.blocks if b.kind not in ("list", "paragraph")] == \
        [(b.kind, getattr(b, "number", None)) for b in memo.blocks if b.kind not in ("list", "paragraph")]
    assert [b.grid for b in bare.tables()] == [b.grid for b in memo.tables()]
    worded, neutral = _all_text(memo), _all_text(bare)
    for phrase in ("ønsker at gå op i tid, mens", "oplever ikke, at det er muligt", "Den største aldersgruppe",
                   "71% kvinder og 29% mænd", "3. Medarbejdernes ønsker til arbejdstid", "Økonomi: dem, der",
                   "mellem timetalsgrupper"):
        assert phrase in worded and phrase not in neutral, phrase


def test_a_definition_without_wording_still_tells_the_truth(ts):
    t1, t2 = ts.table(1), ts.table(2)
    memo = build_memo(with_definition(ts, wording={}))
    text = memo.text()
    kp = key_points(memo)
    # The same facts, in neutral words.
    assert kp[0] == f"{fmt.pct(t1.row('Ja').pct)} af de deltidsansatte, der har svaret, svarer »Ja«."
    assert kp[1] == f"Størstedelen ({fmt.pct(t2.row('37 timer').pct)}) svarer »37 timer«."
    assert kp[6] == "33% af alle, der har svaret, svarer »Nej«."
    assert kp[7] == "Andelen adskiller sig ikke statistisk sikkert mellem grupper (p = 0,65)."
    assert "3. Resultater" in text and "3.1 Deltidsansattes ønske om at gå op i tid" in text
    assert ("65 (30%) af de 214 deltidsansatte, der har svaret på spørgsmålet, svarer »Ja«, mens 149 (70%) svarer "
            "»Nej«.") in text
    assert ("Deltidsansatte, der ønsker at gå op i tid, har kunnet svare på spørgsmålet »Hvorfor ønsker du at gå op "
            "i tid?«. Svarene er læst og inddelt i 4 kategorier: »Økonomi«, »Overskud og ansvar«, »Opgavebyrde« og "
            "»Ansættelsesvilkår«.") in text
    assert ("Kun svarene fra dem, der har svaret »Nej«, er kodet; de 60% og 7%, der har svaret »Ja« eller »Ved "
            "ikke«, indgår ikke i tabellen.") in text
    assert "Figur 5 viser de svarendes køn. Af de 333, der har svaret, er 71% »Kvinde« og 29% »Mand«." in text
    # The notes about misread hours are the wording's: without it, nothing is claimed about them.
    assert "formentlig" not in text
    assert [b.number for b in memo.tables()] == list(range(1, 15))
    assert [b.number for b in memo.figures()] == [1, 2, 3, 4, 5, 6]


def test_changing_the_yaml_changes_the_words(ts):
    d = ts.survey.definition
    fields = dict(d.wording["fields"])
    fields["op_i_tid"] = {**fields["op_i_tid"], "answers": {"Ja": ("vil have flere timer", "vil have flere timer"),
                                                             "Nej": ("vil ikke have flere timer",
                                                                     "ikke vil have flere timer")}}
    figures = {**d.wording["figures"], 2: {"text": "Figur {number}: {n} svar, fordelt med {shares}."}}
    memo = build_memo(with_definition(ts, wording={**d.wording, "fields": fields, "figures": figures,
                                                   "analysis_heading": "Analyse"}))
    text = memo.text()
    assert key_points(memo)[0] == "30% af de deltidsansatte, der har svaret, vil have flere timer."
    assert "mens 149 (70%) ikke vil have flere timer." in text
    assert "Figur 2: 318 svar, fordelt med 60% »Ja«, 33% »Nej« og 7% »Ved ikke«." in text
    assert "3. Analyse" in text


def test_a_placeholder_the_memo_does_not_know_is_a_definition_error(ts):
    from fuldtid.errors import DefinitionError

    d = ts.survey.definition
    figures = {**d.wording["figures"], 1: {"text": "Figur {nummer} viser noget."}}
    with pytest.raises(DefinitionError, match=r"vjh\.yaml: wording figure 1: text: cannot fill in .*\{number\}"):
        build_memo(with_definition(ts, wording={**d.wording, "figures": figures}))


@pytest.mark.parametrize(("wording", "message"), [
    ("wording: [a, b]", "wording: must be a mapping"),
    ("wording: {intro: [a]}", "wording: intro must be a text"),
    ("wording: {indledning: Hej}", "wording: unknown key 'indledning'"),
    ("wording: {fields: {koen: {noun: køn}}}", "wording: field 'koen' is not a field of the definition"),
    ("wording: {fields: {alder: {nouns: alder}}}", "wording: field 'alder': unknown key 'nouns'"),
    ("wording: {fields: {alder: {answers: {Ja: [a, b, c]}}}}", "wording: field 'alder': answers: Ja must be a list "
                                                                "of two texts"),
    ("wording: {fields: {alder: {plurals: [a]}}}", "wording: field 'alder': plurals must map"),
    ("wording: {figures: {7: {text: x}}}", "wording: figure 7 is not a figure number of the definition"),
    ("wording: {figures: {1: {tekst: x}}}", "wording: figure 1: unknown key 'tekst'"),
])
def test_wording_shape_errors_name_the_file(tmp_path, wording, message):
    from fuldtid.model.definition import load_definition
    from fuldtid.errors import DefinitionError

    p = tmp_path / "forkert.yaml"
    p.write_text("name: x\nfields:\n  alder: {text: 'Hvor gammel er du?', options: [Ung, Gammel]}\n"
                 "tables:\n  - {number: 1, field: alder, title: Alder}\n"
                 "figures:\n  - {number: 1, field: alder, title: Alder}\n" + wording + "\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        load_definition(p)
    assert str(err.value).startswith(str(p)) and message in str(err.value)
    ok = p.read_text(encoding="utf-8").replace(wording, "wording: {fields: {alder: {group_noun: aldersgruppe}}}")
    p.write_text(ok, encoding="utf-8")
    assert load_definition(p).wording["fields"]["alder"]["group_noun"] == ("aldersgruppe", "aldersgruppe")


def test_sections_are_found_from_the_definition_not_the_field_names(ts, tmp_path):
    """The VJH definition with every routing field renamed gives the same memo: the sections come from the
    groups and tables, the words from the YAML."""
    from fuldtid.model.definition import load_definition
    from fuldtid.model.survey import Survey

    names = {"op_i_tid": "mere", "op_timer": "mere_timer", "op_hvorfor_ikke": "mere_nej_hvorfor",
             "op_hvorfor": "mere_hvorfor", "ned_i_tid": "mindre", "ned_timer": "mindre_timer",
             "ned_hvorfor_ikke": "mindre_nej_hvorfor", "ned_hvorfor": "mindre_hvorfor",
             "mulighed_uddyb": "kan_uddyb", "mulighed_nej": "kan_nej", "mulighed": "kan"}
    src = ts.survey.definition.path
    text = src.read_text(encoding="utf-8")
    for old, new in names.items():  # names only, not words in the texts ("Oplevet mulighed for ...")
        text = re.sub(rf"\b{old}\b(?=[:,}}\]]|[ \t]*$)", new, text, flags=re.MULTILINE)
    (tmp_path / "omdoebt.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "vjh_tilbud.csv").write_bytes((src.parent / "vjh_tilbud.csv").read_bytes())
    d = load_definition(tmp_path / "omdoebt.yaml")
    assert "op_i_tid" not in d.fields and "mere" in d.fields
    responses = ts.survey.responses.rename(columns={k: v for k, v in names.items() if k in ts.survey.responses})
    renamed = build_tables(Survey(d, ts.survey.export, responses, ()), None, min_group=5)
    original = rebuild(ts, coding=None, min_group=5)
    # Only the printed follow-up command differs: it names the definition it was made with.
    renamed_text = build_memo(renamed).text().replace(f" --survey {renamed.survey.definition.path}", "")
    assert renamed_text == build_memo(original).text()
