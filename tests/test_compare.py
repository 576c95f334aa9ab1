"""Comparing two waves (fuldtid.stats.compare): counts, Fisher's exact test and weighted differences as R gives
them, aligned answer categories, anonymity carried over from each wave, the CLI and the memo section."""

from __future__ import annotations

import importlib.util
import json
import shlex
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from fuldtid.cli import cli
from fuldtid.stats.compare import (COMPARED, HIDDEN, NO_ANSWERS, ONLY_A, ONLY_B, compare_exports, compare_waves,
                             fisher_2x2, share_interval)
from fuldtid.report import analyse

ROOT = Path(__file__).resolve().parent.parent
EX22 = ROOT / "surveys" / "examples" / "vjh_2022"
EX24 = ROOT / "surveys" / "examples" / "vjh_2024"
TOL = 5e-4  # the bar; the values below agree to about 1e-12


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def waves(tmp_path_factory):
    """Two waves the shipped example does not contain (tests/r_reference/make_waves.py): A 2023, B 2026 as
    an .xlsx with every s_N from s_2 on shifted, a new answer "Delvist" and a renamed agreement."""
    mod = _load("fuldtid_test_make_waves", ROOT / "tests" / "r_reference" / "make_waves.py")
    return mod.build(tmp_path_factory.mktemp("waves"))


# R: Rscript tests/r_reference/compare_waves.R WAVE_A POPULATION_A WAVE_B_CSV POPULATION_B
# (survey 4.1.1, R 4.2.2; output also in tests/r_reference/compare_waves_output.txt). Per answer:
# item label x_A n_A x_B n_B fisher_p share_A se_A share_B se_B diff se ci_low ci_high p, where
#   fisher_p = fisher.test(matrix(c(x_A, n_A - x_A, x_B, n_B - x_B), 2, byrow = TRUE))$p.value
#   share, se = coef, SE of svymean(~y, subset(rake(svydesign(ids = ~1, fpc = ~N, data = d), ...), domain))
#   diff = share_B - share_A, se = sqrt(se_A^2 + se_B^2), ci = diff -/+ qnorm(0.975) * se,
#   p = 2 * pnorm(-abs(diff / se))
R_WAVES = """
table1 'Ja' 43 158 101 212 6.66457685165e-05 \
    0.261433987809 0.0321787832525 0.475692795624 0.0291409701504 \
    0.214258807815 0.0434127888175 0.129171305264 0.299346310366 7.99929827071e-07
table1 'Nej' 115 158 111 212 6.66457685165e-05 \
    0.738566012191 0.0321787832525 0.524307204376 0.0291409701504 \
    -0.214258807815 0.0434127888175 -0.299346310366 -0.129171305264 7.99929827071e-07
table5 'Ja' 31 97 19 86 0.183379508743 \
    0.315690940903 0.0401692061653 0.216305480164 0.0372306467867 \
    -0.0993854607392 0.0547693909415 -0.20673149444 0.00796057296138 0.0695828082019
table5 'Nej' 66 97 67 86 0.183379508743 \
    0.684309059097 0.0401692061653 0.783694519836 0.0372306467867 \
    0.0993854607392 0.0547693909415 -0.00796057296138 0.20673149444 0.0695828082019
mulighed 'Ja' 148 252 139 283 0.0299090512886 \
    0.600709140016 0.0298239909358 0.487761497673 0.0247208598138 \
    -0.112947642343 0.0387374669444 -0.188871682406 -0.0370236022797 0.00354867784001
mulighed 'Nej' 66 252 95 283 0.072781919716 \
    0.272602080536 0.0275191937555 0.341808824326 0.0237045390335 \
    0.0692067437897 0.0363209470656 -0.00198100434325 0.140394491923 0.0567251941113
mulighed 'Ved ikke' 38 252 23 283 0.0138878402403 \
    0.126688779447 0.018536384372 0.0760142962475 0.0132134278825 \
    -0.0506744831999 0.0227638358365 -0.0952907815894 -0.00605818481035 0.0260077538805
table10 'Socialpædagoger og pæd.pers.døgninst.mv.' 100 260 126 300 0.437127530471 \
    0.357249190256 0.0276589895915 0.417515674934 0.0237646393907 \
    0.0602664846779 0.0364661183922 -0.0112057940268 0.131738763383 0.0983979047069
table10 'Oms.- og pæd.medhj. samt pæd. ass., KL' 27 260 49 300 0.0475383288822 \
    0.133928992535 0.0219389931705 0.172324478081 0.0177373559302 \
    0.0383954855462 0.0282122883994 -0.0168995836381 0.0936905547305 0.173529808554
table10 '<NA>' 22 260 17 300 0.243898210672 \
    0.0873242022093 0.0168068906232 0.0561212688124 0.0111260012132 \
    -0.0312029333969 0.0201558794255 -0.0707077311477 0.00830186435393 0.121602802881
"""

# R: Rscript tests/r_reference/compare_waves.R surveys/examples/vjh_2022/export surveys/examples/vjh_2022/population.csv
#      surveys/examples/vjh_2024/export surveys/examples/vjh_2024/population.csv   (compare_example_output.txt)
R_EXAMPLE = """
table1 'Ja' 65 214 109 241 0.00140070465717 \
    0.295950718804 0.0308229026172 0.439875230046 0.0310285695709 \
    0.143924511243 0.0437358371974 0.0582038455019 0.229645176983 0.000999141339625
table1 'Nej' 149 214 132 241 0.00140070465717 \
    0.704049281196 0.0308229026172 0.560124769954 0.0310285695709 \
    -0.143924511243 0.0437358371974 -0.229645176983 -0.0582038455019 0.000999141339625
table5 'Ja' 30 117 29 109 0.880729245169 \
    0.256454553499 0.034334168229 0.272604564011 0.0362612145335 \
    0.0161500105116 0.0499370682702 -0.0817248447916 0.114024865815 0.746386830676
mulighed 'Ja' 191 318 178 341 0.049561182602 \
    0.58732622632 0.0274715860155 0.533871751028 0.0255014067927 \
    -0.0534544752919 0.0374834601739 -0.126920707249 0.020011756665 0.153844770589
mulighed 'Nej' 105 318 150 341 0.00401390561145 \
    0.345517086348 0.0266368109161 0.432219671686 0.0253028275226 \
    0.0867025853387 0.0367389817009 0.0146955043763 0.158709666301 0.018276827765
mulighed 'Ved ikke' 22 318 13 341 0.0836931020213 \
    0.0671566873327 0.0139010207634 0.033908577286 0.00843885647563 \
    -0.0332481100468 0.016262001011 -0.0651210463448 -0.00137517374872 0.0409014527634
table10 'Socialpædagoger og pæd.pers.døgninst.mv.' 135 333 157 352 0.315021132141 \
    0.375220131168 0.0255058519675 0.418927194976 0.0244170177871 \
    0.043707063808 0.0353091948676 -0.0254976864557 0.112911814072 0.215776128353
table10 '<NA>' 25 333 29 352 0.77751005782 \
    0.0869649751791 0.0162406039233 0.0876387382256 0.0147511768189 \
    0.000673763046499 0.021939791096 -0.04232743733 0.043674963423 0.975501104626
"""

ITEMS = {"table1": ("op_i_tid", "deltid"), "table5": ("ned_i_tid", "fuldtid"), "mulighed": ("mulighed", "alle"),
         "table10": ("overenskomst", "alle")}


def _r_rows(text: str):
    for line in text.strip().splitlines():
        item, label, *numbers = shlex.split(line)
        yield item, "Har ikke svaret" if label == "<NA>" else label, [float(x) for x in numbers]


def _check_against_r(comp, text: str) -> int:
    checked = 0
    for item, label, (xa, na, xb, nb, fisher, sa, sea, sb, seb, diff, se, lo, hi, p) in _r_rows(text):
        q = comp.question(*ITEMS[item])
        a = q.answer(label)
        assert a.status == COMPARED, (item, label)
        assert (a.a.count, a.a.base, a.b.count, a.b.base) == (xa, na, xb, nb), (item, label)
        assert a.fisher_p == pytest.approx(fisher, abs=TOL)
        assert a.difference == pytest.approx(100 * (xb / nb - xa / na), abs=1e-9)
        assert a.a.weighted.share == pytest.approx(100 * sa, abs=100 * TOL)
        assert a.a.weighted.se == pytest.approx(100 * sea, abs=100 * TOL)
        assert a.b.weighted.share == pytest.approx(100 * sb, abs=100 * TOL)
        assert a.b.weighted.se == pytest.approx(100 * seb, abs=100 * TOL)
        w = a.weighted
        assert (w.difference, w.se, w.ci_low, w.ci_high) == pytest.approx(
            (100 * diff, 100 * se, 100 * lo, 100 * hi), abs=100 * TOL)
        assert w.p_value == pytest.approx(p, abs=TOL)
        # much closer than the bar: the same estimator, not an approximation of it
        assert w.difference == pytest.approx(100 * diff, abs=1e-6) and a.fisher_p == pytest.approx(fisher, rel=1e-8)
        checked += 1
    return checked


@pytest.fixture(scope="module")
def comp_waves(waves):
    return compare_exports(waves["a"], waves["b"], population=(waves["pop_a"], waves["pop_b"]), min_group=1)


def test_unseen_waves_match_r(comp_waves):
    assert comp_waves.labels == ("2023", "2026")
    assert _check_against_r(comp_waves, R_WAVES) == 10


# R (same script and waves): each wave's own interval, as the figure draws it,
#   attr(svyciprop(~y, subset(rk, domain), method = "logit"), "ci")  ->  ci item label lo_A hi_A lo_B hi_B
R_WAVES_CI = """
ci table1 'Ja' 0.20299109402 0.329741688613 0.418817680566 0.533205496524
ci table1 'Nej' 0.670258311387 0.79700890598 0.466794503476 0.581182319434
ci table5 'Ja' 0.241817823557 0.400218959293 0.151355952867 0.299296565969
ci table5 'Nej' 0.599781040707 0.758182176443 0.700703434031 0.848644047133
ci mulighed 'Ja' 0.540787466011 0.657760085917 0.439367403639 0.536386121551
ci mulighed 'Nej' 0.221867940058 0.330017230232 0.296785594118 0.389875441171
ci mulighed 'Ved ikke' 0.0944429944685 0.167902926071 0.053753146899 0.106457403453
ci table10 'Socialpædagoger og pæd.pers.døgninst.mv.' 0.304800794815 0.413356446866 0.371616687407 0.464889646404
ci table10 'Oms.- og pæd.medhj. samt pæd. ass., KL' 0.0962900057038 0.18329661745 0.140157669271 0.210070094917
ci table10 '<NA>' 0.0594097158393 0.126589480246 0.0378393516908 0.0824788419233
"""


def test_each_waves_interval_matches_r(comp_waves):
    for line in R_WAVES_CI.strip().splitlines():
        _, item, label, *numbers = shlex.split(line)
        lo_a, hi_a, lo_b, hi_b = (100 * float(x) for x in numbers)
        a = comp_waves.question(*ITEMS[item]).answer("Har ikke svaret" if label == "<NA>" else label)
        assert (a.a.weighted.ci_low, a.a.weighted.ci_high, a.b.weighted.ci_low, a.b.weighted.ci_high) == \
            pytest.approx((lo_a, hi_a, lo_b, hi_b), abs=100 * TOL)


def test_shipped_example_waves_match_r():
    pops = (EX22 / "population.csv", EX24 / "population.csv")
    # The estimates themselves, unrounded (--min-group 1), against R:
    assert _check_against_r(compare_exports(EX22 / "export", EX24 / "export", population=pops, min_group=1),
                            R_EXAMPLE) == 8
    comp = compare_exports(EX22 / "export", EX24 / "export", population=pops)
    assert comp.labels == ("2022", "2024") and comp.min_group == 5
    # At the default threshold each wave's weighted share is published as the report does: whole percent
    # (R: 29.595...% for part-timers wanting more hours in 2022).
    ja = comp.question("op_i_tid", "deltid").answer("Ja")
    assert ja.a.weighted.share == 30.0 and float(ja.b.weighted.share).is_integer()
    # R has this agreement too (46 and 47). The first round's per-table linking hid it in the 2024 report;
    # the release-wide protection (fuldtid.stats.linked) needs only the small agreements hidden, so it is compared.
    oms = comp.table(10).answer("Oms.- og pæd.medhj. samt pæd. ass., KL")
    assert oms.status != HIDDEN and (oms.a.count, oms.b.count) == (46, 47)


@pytest.mark.parametrize(("table", "p"), [
    # R: fisher.test(matrix(c(...), 2, byrow = TRUE))$p.value
    ((3, 1, 1, 3), 0.485714285714286), ((0, 5, 5, 0), 0.00793650793650794), ((1, 9, 11, 3), 0.00275945618522008),
    ((12, 200, 0, 150), 0.00180358646275708), ((7, 13, 7, 13), 1.0), ((50, 50, 40, 60), 0.200707600135981),
    ((2, 0, 0, 2), 0.333333333333333),
])
def test_fisher_matches_r(table, p):
    assert fisher_2x2(*table) == pytest.approx(p, rel=1e-9)


def test_share_interval_matches_r():
    # R: binom.test(65, 214)$conf.int -> 0.24289910716 0.370109515093
    assert share_interval(65, 214) == pytest.approx((24.289910716, 37.0109515093), abs=1e-8)
    # R: binom.test(0, 30)$conf.int -> 0 0.115703308222; binom.test(30, 30)$conf.int -> 0.884296691778 1
    assert share_interval(0, 30) == pytest.approx((0.0, 11.5703308222), abs=1e-8)
    assert share_interval(30, 30) == pytest.approx((88.4296691778, 100.0), abs=1e-8)
    # R: binom.test(1, 1)$conf.int -> 0.025 1
    assert share_interval(1, 1) == pytest.approx((2.5, 100.0), abs=1e-8)


def test_categories_aligned_and_flagged(comp_waves):
    m = comp_waves.question("mulighed")
    assert m.options_differ and [a.label for a in m.answers] == ["Ja", "Nej", "Ved ikke", "Delvist"]
    delvist = m.answer("Delvist")
    assert delvist.status == ONLY_B and delvist.a is None and delvist.b.count == 26 and delvist.difference is None
    assert any("Delvist" in n for n in m.notes)
    t10 = comp_waves.table(10)
    assert t10.answer("Akademikere, KL").status == ONLY_A
    assert t10.answer("Akademikere (AC), KL").status == ONLY_B
    assert t10.answer("Akademikere, KL").a.count == 5 and t10.answer("Akademikere (AC), KL").b.count == 4
    # shares of every answer of a wave add up to its base: nothing dropped
    for q in comp_waves.questions:
        for side in ("a", "b"):
            shown = [getattr(a, side) for a in q.answers if getattr(a, side) is not None]
            assert sum(w.count for w in shown) == (q.base_a if side == "a" else q.base_b)


def test_the_shifted_wave_is_matched_by_text(comp_waves):
    matches = {m.field: m.variable for m in comp_waves.b.survey.matches}
    assert matches["koen"] == "s_1" and matches["alder"] == "s_3" and matches["mulighed"] == "s_16"
    assert comp_waves.b.survey.export.form == "xlsx"


def test_nothing_hidden_in_either_wave_is_shown(waves):
    """At a high threshold: every count the comparison shows is one its wave's own protected report shows,
    and an answer hidden in either wave has no change."""
    ta = analyse(waves["a"], population=waves["pop_a"], min_group=12)
    tb = analyse(waves["b"], population=waves["pop_b"], min_group=12)
    comp = compare_waves(ta, tb)
    hidden_seen = 0
    for q in comp.questions:
        if q.source != "table":
            continue
        for ts, side in ((ta, "a"), (tb, "b")):
            rows = {r.label: r for r in ts.table(q.number).rows}
            for a in q.answers:
                w = getattr(a, side)
                if w is None or a.members:
                    continue
                r = rows[a.label]
                if r.suppressed or r.members:
                    assert w.hidden and w.count is None and w.weighted is None
                    assert a.status != COMPARED and a.difference is None and a.fisher_p is None and a.weighted is None
                    hidden_seen += 1
                else:
                    assert w.count == r.count
    assert hidden_seen >= 3
    for q in comp.questions:
        for a in q.compared:
            assert not a.a.hidden and not a.b.hidden


def test_a_group_below_the_threshold_in_one_wave_is_not_compared(tmp_path, example_export):
    mw = _load("fuldtid_test_make_vjh_2024", ROOT / "surveys" / "examples" / "make_vjh_2024.py")
    # Hardly any full-timers in the new wave: table 5 (among full-timers) has fewer than 5 answers there.
    wave = mw.make_wave(example_export, seed=3, distributed=400, answered=120, tilt={"s_6": {5: 0.01}})
    from exportwriter import write_export

    path = write_export(wave.variables, wave.data, tmp_path / "small")
    ta = analyse(EX22 / "export")
    tb = analyse(path)
    base = tb.table(5).base
    assert 0 <= base < 5
    q = compare_waves(ta, tb).table(5)
    assert q.compared == ()
    for a in q.answers:
        assert a.b.count is None or base == 0
        assert a.difference is None and a.fisher_p is None
        assert a.status in (HIDDEN, NO_ANSWERS)
    assert q.notes


def test_json_names_say_what_they_are(comp_waves):
    d = comp_waves.to_dict()
    assert [w["label"] for w in d["waves"]] == ["2023", "2026"]
    q = next(q for q in d["questions"] if q["field"] == "op_i_tid")
    ja = q["answers"][0]
    assert set(ja["waves"]["2023"]) >= {"count", "base", "share", "weighted"}
    assert ja["waves"]["2023"]["count"] == 43 and ja["waves"]["2026"]["base"] == 212
    assert set(ja["weighted"]) >= {"difference", "ci_low", "ci_high", "p_value"}
    assert set(ja["unweighted"]) >= {"difference", "p_value"}
    assert ja["weighted"]["difference"] == pytest.approx(21.4258807815, abs=1e-6)


def test_cli_compare_outputs(tmp_path, waves, comp_waves):
    runner = CliRunner()
    args = ["compare", str(waves["a"]), str(waves["b"]), "--population", str(waves["pop_a"]),
            "--population", str(waves["pop_b"]), "--min-group", "1"]
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "Tabel 1: Deltidsansattes ønske om at gå op i tid" in res.output
    assert "Delvist (kun 2026)" in res.output and "+21,4 (12,9 til 29,9)" in res.output
    out = tmp_path / "cmp.json"
    res = runner.invoke(cli, [*args, "--out", str(out)])
    assert res.exit_code == 0 and res.output.startswith(f"Wrote {out}")
    assert json.loads(out.read_bytes()) == comp_waves.to_dict()
    from fuldtid.render.compare_render import render_comparison

    for ext in (".json", ".xlsx", ".docx", ".html"):
        first = render_comparison(comp_waves, f"x{ext}")
        assert render_comparison(comp_waves, f"x{ext}") == first, ext  # same input, same bytes
        (tmp_path / f"cmp{ext}").write_bytes(first)
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "cmp.xlsx")
    rows = list(wb["Tal"].iter_rows(values_only=True))
    ja = next(r for r in rows if r[2] == "op_i_tid" and r[3] == "Ja")
    assert ja[5:11] == (43, 158, pytest.approx(100 * 43 / 158), 101, 212, pytest.approx(100 * 101 / 212))
    assert "Deltidsansattes ønske" in (tmp_path / "cmp.html").read_text(encoding="utf-8")
    from docx import Document

    doc = Document(str(tmp_path / "cmp.docx"))
    assert any(t.rows[1].cells[0].text == "Ja" for t in doc.tables)


def test_cli_compare_refuses_one_population(waves):
    res = CliRunner().invoke(cli, ["compare", str(waves["a"]), str(waves["b"]), "--population", str(waves["pop_a"])])
    assert res.exit_code == 2 and "--population twice" in res.output


def test_report_previous_adds_the_section(tmp_path, waves):
    out = tmp_path / "rapport"
    res = CliRunner().invoke(cli, ["report", str(waves["b"]), "--population", str(waves["pop_b"]), "--previous",
                                   str(waves["a"]), "--previous-population", str(waves["pop_a"]), "--out", str(out),
                                   "--format", "json,html"])
    assert res.exit_code == 0, res.output
    html = (out / "notat.html").read_text(encoding="utf-8")
    assert "Udvikling siden 2023" in html and "Tabel 15: Udvikling fra 2023 til 2026" in html
    assert 'id="figur-7"' in html
    d = json.loads((out / "udvikling.json").read_text(encoding="utf-8"))
    assert d["weighted"] is True and "Compared with 2023" in res.output


def test_report_previous_needs_previous():
    res = CliRunner().invoke(cli, ["report", str(EX22 / "export"), "--previous-population", str(EX22 / "population.csv")])
    assert res.exit_code == 2 and "--previous" in res.output


def test_memo_calls_a_change_real_only_when_its_test_says_so(waves):
    from fuldtid.render.compare_memo import with_comparison
    from fuldtid.render.memo import build_memo

    for pops in ((None, None), (waves["pop_a"], waves["pop_b"])):
        ta = analyse(waves["a"], population=pops[0])
        tb = analyse(waves["b"], population=pops[1])
        comp = compare_waves(ta, tb)
        memo = build_memo(with_comparison(tb, comp))
        text = memo.text()
        start = text.index("Udvikling siden 2023")
        section = text[start:text.index("Konklusion", start)]
        sentences = [line for line in section.splitlines() if line.startswith(("Andelen", "Den vægtede andel"))]
        # one sentence per compared answer of the main questions (of a yes/no question only the first)
        answers = [a for q in (comp.question("op_i_tid"), comp.question("ned_i_tid"), comp.question("mulighed"))
                   for a in q.compared[: 1 if len(q.answers) == 2 else None]]
        assert len(answers) == len(sentences) >= 3
        for a, s in zip(answers, sentences):
            # "statistisk sikker" exactly when its p-value is below 0.05
            assert ("Ændringen er statistisk sikker" in s) == (a.p_value < 0.05), s
            assert ("vægtede" in s) == (pops[0] is not None)
            assert "i 2023" in s and "i 2026" in s
        assert any("er statistisk sikker" in s for s in sentences)  # op_i_tid: p < 0.001
        assert any("ikke statistisk sikker" in s for s in sentences)  # ned_i_tid


def test_shipped_second_wave_is_reproducible(tmp_path):
    mod = _load("fuldtid_test_make_vjh_2024_main", ROOT / "surveys" / "examples" / "make_vjh_2024.py")
    mod.main(tmp_path)
    for name in ("export/dataset.csv", "export/structure.csv", "export/labels.csv", "coding.csv", "population.csv"):
        assert (tmp_path / name).read_bytes() == (EX24 / name).read_bytes(), name


def test_cli_compare_refuses_an_unknown_output_type_before_reading(tmp_path):
    res = CliRunner().invoke(cli, ["compare", str(tmp_path / "missing_a"), str(tmp_path / "missing_b"),
                                   "--out", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and ".csv" in res.output and not (tmp_path / "x.csv").exists()


def test_change_figure_draws_the_same_bytes_twice(comp_waves):
    from fuldtid.render.compare_render import change_figure
    from fuldtid.render.figures import _draw

    qs = [comp_waves.question("op_i_tid"), comp_waves.question("mulighed")]
    fig = change_figure(comp_waves, qs, 7, "Udvikling")
    assert fig.weighted and len(fig.rows) == 2 * (1 + 3)
    ja = [r for r in fig.rows if r[1] == "Ja" and r[0] == qs[0].title]
    assert [r[2] for r in ja] == ["2023", "2026"]
    assert ja[1][3:] == pytest.approx((qs[0].answer("Ja").b.weighted.share, qs[0].answer("Ja").b.weighted.ci_low,
                                       qs[0].answer("Ja").b.weighted.ci_high))
    png = _draw(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and _draw(fig) == png


def test_one_weighted_wave_is_compared_unweighted_and_said_so(waves):
    ta = analyse(waves["a"])
    tb = analyse(waves["b"], population=waves["pop_b"])
    comp = compare_waves(ta, tb)
    assert not comp.weighted and all(a.weighted is None for q in comp.questions for a in q.answers)
    from fuldtid.render.compare_memo import comparison_summary

    assert "compared unweighted" in comparison_summary(comp)


def test_wave_labels_from_the_dates(waves):
    from fuldtid.stats.compare import wave_labels

    ta = analyse(waves["a"])
    assert wave_labels(ta, ta) == ("Tidligere måling", "Ny måling")  # same month: no name to tell them apart
    assert wave_labels(ta, analyse(waves["b"])) == ("2023", "2026")


@given(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40), st.integers(0, 40))
@settings(max_examples=200, deadline=None)
def test_fisher_2x2_agrees_with_the_exact_rxc_test(a, b, c, d):
    """The 2 x 2 test equals fuldtid's Fisher–Freeman–Halton test (itself checked against R) on any table."""
    from fuldtid.stats.significance import exact_rxc_pvalue

    p = fisher_2x2(a, b, c, d)
    assert 0.0 <= p <= 1.0
    if min(a + b, c + d, a + c, b + d) == 0:
        assert p == 1.0
    else:
        assert p == pytest.approx(exact_rxc_pvalue(np.array([[a, b], [c, d]])), rel=1e-9, abs=1e-12)


def test_compare_never_writes_onto_an_input(tmp_path, waves):
    target = Path(waves["b"])  # the .xlsx export of wave B
    before = target.read_bytes()
    res = CliRunner().invoke(cli, ["compare", str(waves["a"]), str(target), "--out", str(target)])
    assert res.exit_code == 1 and "one of the inputs" in res.output
    assert target.read_bytes() == before
