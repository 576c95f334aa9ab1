"""The protected release: what the memo's prose may say beyond the tables comes from the same protection."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from fuldtid.stats.release import Release, weighting_facts
from fuldtid.stats.tables import build_tables


@pytest.fixture(scope="module")
def protected(example_survey):
    return Release.of(build_tables(example_survey, None, min_group=5))


def test_categories_are_the_background_tables_rows(protected, example_survey):
    """A background field's distribution in the release hides exactly the rows its one-way table hides
    (table 10: overenskomst), and shows the true counts of the others."""
    t10 = protected.table(10)
    cats = protected.categories("overenskomst")
    col = example_survey.responses["overenskomst"].astype("object")
    hidden = {r.label for r in t10.rows if r.suppressed}
    assert hidden and set(cats.hidden) == hidden
    for label, n in cats.counts.items():
        assert (n is None) == (label in hidden)
        if n is not None:
            assert n == int((col == label).sum()) == t10.row(label).count


def test_job_titles_name_no_hidden_count(protected, example_survey):
    """The appendix names job titles with their counts: never one the protection hides, even when it is at or
    above the threshold (hidden to protect another)."""
    from fuldtid.render.memo import build_memo

    text = build_memo(protected).text()
    cats = protected.categories("stilling")
    assert cats.hidden
    for label in cats.hidden:
        assert not re.search(re.escape(label) + r" \(\d", text), label
    col = example_survey.responses["stilling"].astype("object")
    used = sum(1 for o in protected.facts.options["stilling"] if (col == o).any())
    assert f"fordeler sig på {used} af de {len(protected.facts.options['stilling'])} stillingsbetegnelser" in text


def test_group_sizes_follow_the_protection(protected, example_survey):
    sizes = {g: int(example_survey.group_mask(g).sum()) for g in example_survey.definition.groups}
    for g, n in sizes.items():
        got = protected.group_size(g)
        assert got is None or got == n
        if 0 < n < 5:
            assert got is None


def test_weighting_facts_hide_every_count_of_the_left_out_when_one_is_small(example_survey):
    """15 did not give gender, 2 their hours: 2 is a small group, and 15 (its row in the gender table) with the
    total of 17, or the number weighted with the number answered, would give it away."""
    margin = SimpleNamespace(variable="koen", category="Kvinde", sample_count=200, sample_share=200 / 316,
                             population_share=0.7, weighted_share=0.7)
    population = SimpleNamespace(path="population.csv", margins=(), size=1172)
    w = SimpleNamespace(population=population, size=1172, n_weighted=316, n_left_out=17,
                        left_out_reasons={"mangler koen": 15, "mangler timetal": 2}, effective_n=250.0,
                        design_effect=1.26, min_weight=1.0, max_weight=5.0, weight_ratio=5.0, iterations=7,
                        trimmed=None, margins=(margin,))
    f = weighting_facts(w, example_survey, 5)
    assert f.n_left_out is None and f.n_weighted is None
    assert set(f.left_out_reasons.values()) == {None}
    assert f.margins[0].sample_count is None and f.margins[0].sample_share == pytest.approx(0.63)
    d = f.to_dict()
    assert d["left_out"] is None and d["weighted"] is None
    # Every count at or above the threshold: all of them are published.
    w2 = SimpleNamespace(**{**vars(w), "left_out_reasons": {"mangler koen": 15, "mangler timetal": 6},
                            "n_left_out": 21, "n_weighted": 312})
    f2 = weighting_facts(w2, example_survey, 5)
    assert f2.n_left_out == 21 and f2.n_weighted == 312 and f2.left_out_reasons == {"mangler koen": 15,
                                                                                      "mangler timetal": 6}
    # At --min-group 1 everything is shown.
    f3 = weighting_facts(w, example_survey, 1)
    assert f3.n_left_out == 17 and f3.left_out_reasons["mangler timetal"] == 2


def test_ordered_pairs_only_from_published_groups(example_survey):
    """The count of wished hours not above the current ones is a sum over the groups of the current hours:
    given only when every such group is shown in the crossing."""
    from fuldtid.stats.linked import NA, protected_rows, protector_for

    r = Release.of(build_tables(example_survey, None, min_group=5))
    got = r.ordered_pairs("op_timer", "timetal", "op_ja", up=True)
    sub = example_survey.responses.loc[example_survey.group_mask("op_ja").to_numpy(), ["timetal", "op_timer"]].dropna()
    present = [(str(v),) for v in sub["timetal"].astype("object").unique()]
    hidden, whole = protected_rows(protector_for(example_survey, 5), "op_timer", ("timetal",), "op_ja", present)
    assert NA not in {h[0] for h in hidden}
    if hidden or whole:
        assert got is None
    else:
        order = {lbl: i for i, lbl in enumerate(example_survey.options("timetal"))}
        want = sub["op_timer"].astype("object").map(order)
        now = sub["timetal"].astype("object").map(order)
        assert got == int(((want <= now) & want.notna() & now.notna()).sum())


def test_weighted_numbers_are_published_rounded(example_dir):
    """At the default threshold every weighted share, interval bound and staff count is published rounded (whole
    percent; tens, fives below ten): at full precision a row's weighted count splits back into its raking cells
    (tests/attacks/test_weighted_counts.py). At --min-group 1 (nothing protected) they are exact."""
    from fuldtid.report import analyse

    kw = dict(coding=example_dir / "coding.csv", population=example_dir / "population.csv")
    seen = 0
    for t in analyse(example_dir / "export", **kw).tables:
        for r in t.rows:
            ws = r.weighted.values() if isinstance(r.weighted, dict) else [r.weighted]
            for w in ws:
                if w is None:
                    continue
                seen += 1
                assert float(w.pct).is_integer()
                assert w.ci_low is None or (float(w.ci_low).is_integer() and float(w.ci_high).is_integer())
                step = 10 if w.population_count >= 10 else 5
                assert w.population_count % step == 0
    assert seen > 50
    exact = analyse(example_dir / "export", min_group=1, **kw)
    ja = exact.table(1).row("Ja").weighted
    assert not float(ja.pct).is_integer() and not float(ja.population_count).is_integer()


def test_every_format_says_why_a_small_group_has_no_weighted_share(example_dir):
    """Table 13 among part-timers: "Hjemmevejledere" (5) has counts but no weighted share; the workbook's sheet
    and the memo's weighted grid say why, with the size from weighted_min (20 at the default threshold)."""
    import io

    import openpyxl

    from fuldtid.render.grid import with_weighted
    from fuldtid.render.xlsx import tables_workbook
    from fuldtid.report import analyse

    ts = analyse(example_dir / "export", coding=example_dir / "coding.csv", population=example_dir / "population.csv")
    t13 = ts.table(13)
    row = t13.row("Hjemmevejledere og pæd.pers., døgninst.")
    assert row.total == 5 and not row.weighted
    note = "Vægtede andele vises kun for grupper med mindst 20 besvarelser"
    assert any(n.startswith(note) for n in with_weighted(t13).notes)
    ws = openpyxl.load_workbook(io.BytesIO(tables_workbook(ts)))["Tabel 13"]
    assert any(isinstance(c, str) and c.startswith(note) for r in ws.iter_rows(values_only=True) for c in r)
