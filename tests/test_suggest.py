"""Keyword suggestions for open answers, and their evaluation against a finished coding."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuldtid.model.coding import Coding, read_coding
from fuldtid.model.definition import load_definition
from fuldtid.stats.suggest import (
    Evaluation,
    QuestionEvaluation,
    _compile,
    _parse_keyword,
    evaluate,
    match_spans,
    suggest,
    suggester,
)
from fuldtid.model.survey import FieldMatch, Survey

ROOT = Path(__file__).resolve().parent.parent
VJH = load_definition(ROOT / "surveys" / "vjh.yaml")

CB = {
    "Økonomi": ["løn", "økonomi", "råd til", "*indkomst", "tjene"],
    "Overskud og ansvar": ["overskud", "energi", "ansvar", "mere ansvar"],
    "Tilfredshed": ["tilfreds", "!ikke tilfreds", "passer mig", "ro$"],
    "Fritid": ["fritid", "børn", "*pres"],
}


# --- keyword semantics ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Lønnen er for lav", ("Økonomi",)),
        ("lønninger stiger ikke", ("Økonomi",)),
        ("LØNNEN ER FOR LAV", ("Økonomi",)),
        ("Økonomisk nødvendigt", ("Økonomi",)),  # a stem with æøå, capitalised
        ("jeg har ikke råd til det", ("Økonomi",)),  # a phrase
        ("der er ikke råd, til det", ("Økonomi",)),  # punctuation between phrase words is no word
        ("råd og vejledning til", ()),  # phrase words must be adjacent
        ("min samlede lønindkomst", ("Økonomi",)),  # "løn" stem and "*indkomst" inside a compound
        ("indkomsten", ("Økonomi",)),
        ("Jeg har brug for ro", ("Tilfredshed",)),  # "ro$": exactly the word
        ("Jeg er rolig", ()),  # ... not "rolig"
        ("jeg er tilfreds", ("Tilfredshed",)),
        ("jeg er ikke tilfreds med vagterne", ()),  # a veto keyword
        ("arbejdspresset er stort", ("Fritid",)),  # "*pres" inside a compound
        ("pres på", ("Fritid",)),
        ("Skal tjene penge", ("Økonomi",)),
    ],
)
def test_keyword_forms(text: str, expected: tuple[str, ...]) -> None:
    assert suggest(text, CB) == expected


def test_decomposed_unicode_matches_composed_keyword() -> None:
    # "å" typed as a + combining ring (as some Mac exports write it) is still "råd".
    assert suggest("har ikke ra\u030ad til det", CB) == ("Økonomi",)


@pytest.mark.parametrize("text", [None, "", "   ", "-", "?", "..", "ved ikke", "x"])
def test_no_text_or_no_keyword_gives_no_suggestion(text: str | None) -> None:
    assert suggest(text, CB) == ()


def test_empty_codebook_gives_nothing() -> None:
    assert suggest("lønnen er lav", {}) == ()


def test_ambiguous_answers_get_no_suggestion() -> None:
    # One word for each of two categories: a tie, so the analyst decides.
    assert suggest("løn og energi", CB) == ()
    assert suggest("lønnen er fin, og jeg har overskud", CB) == ()


def test_a_clearly_stronger_category_wins() -> None:
    # Two separate Økonomi matches against one Overskud match.
    assert suggest("lønnen og økonomien, men også energi", CB) == ("Økonomi",)
    # 2 against 2 is no longer clear.
    assert suggest("lønnen og økonomien, energi og overskud", CB) == ()
    # A phrase is one match however long: "passer mig" against "løn" is a tie.
    assert suggest("det passer mig, og lønnen er ok", CB) == ()
    # Overlapping matches of one category count once: "råd til" and "løn..." are 2, "energi" 1.
    assert suggest("ikke råd til det med den løn, trods energi", CB) == ("Økonomi",)
    cb = {"A": ["ikke råd", "råd", "råd til"], "B": ["energi"]}
    assert suggest("ikke råd til det, men energi", cb) == ()


def test_longer_match_swallows_shorter_one_of_another_category() -> None:
    cb = {"Mere fritid": ["mere fritid"], "Fritid": ["fritid"], "Familie": ["familie"]}
    assert suggest("ønsker mere fritid", cb) == ("Mere fritid",)
    assert suggest("fritid", cb) == ("Fritid",)
    # A category's own shorter match inside its longer one is one place, not two: a tie with B.
    cb2 = {"A": ["mere ansvar", "ansvar"], "B": ["energi", "lyst"]}
    assert suggest("mere ansvar og energi", cb2) == ()
    assert suggest("mere ansvar og ansvar igen, energi", cb2) == ("A",)


def test_veto_only_vetoes_its_own_category() -> None:
    assert suggest("ikke tilfreds med lønnen", CB) == ("Økonomi",)


def test_keyword_parsing() -> None:
    kw = _parse_keyword("X", "  *Arbejds-Pres$ ")
    assert kw is not None and not kw.veto
    assert [(t.text, t.inside, t.exact) for t in kw.terms] == [("arbejds", True, False), ("pres", False, True)]
    assert _parse_keyword("X", "!ikke tilfreds").veto
    assert _parse_keyword("X", "  ") is None
    assert _parse_keyword("X", "!") is None


def test_suggester_is_suggest_with_the_codebook_compiled_once() -> None:
    guess = suggester(CB)
    for text in ["lønnen er lav", "jeg har overskud", "løn og energi", None, "", "ro$"]:
        assert guess(text) == suggest(text, CB)


def test_match_spans_shows_why() -> None:
    assert match_spans("jeg har ikke råd til det, lønnen", CB) == {"Økonomi": [(3, 5), (6, 7)]}
    assert match_spans("ikke tilfreds", CB) == {}


def test_suggest_is_deterministic_and_cached() -> None:
    texts = ["lønnen er lav", "jeg har overskud", "løn og energi"] * 50
    first = [suggest(t, CB) for t in texts]
    assert [suggest(t, dict(CB)) for t in texts] == first
    assert _compile.cache_info().hits > 0


# --- properties -----------------------------------------------------------------------------------

DANISH = "abcdefghijklmnopqrstuvwxyzæøå"
word = st.text(alphabet=DANISH, min_size=1, max_size=9)


@settings(max_examples=200, deadline=None)
@given(
    terms=st.lists(st.tuples(word, st.booleans(), st.booleans()), min_size=1, max_size=6),
    token=word,
)
def test_fast_matcher_agrees_with_the_reference_rule(terms, token) -> None:
    raw = {f"C{i}": [("*" if inside else "") + t + ("$" if exact else "")]
           for i, (t, inside, exact) in enumerate(terms)}
    matcher = _compile(tuple((c, tuple(k)) for c, k in raw.items()))
    fast = matcher.term_ids(token)
    kws = matcher.keywords
    for k, kw in enumerate(kws):
        tid = matcher.kw_terms[k][0]
        assert (tid in fast) == kw.terms[0].matches(token)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(word, st.sampled_from(["løn", "ikke", "tilfreds", "råd", "til", "mere", "ansvar", "ro"])),
                max_size=12),
       st.sampled_from([" ", ", ", ". ", "\n"]))
def test_suggest_properties(words, sep) -> None:
    text = sep.join(words)
    got = suggest(text, CB)
    assert len(got) <= 1 and all(c in CB for c in got)
    # Case does not matter.
    assert suggest(text.upper(), CB) == got
    # Words that match no keyword, added at either end, change nothing.
    assert suggest("qqq " + text + " xyx", CB) == got


# --- the shipped VJH codebook -----------------------------------------------------------------------

# The memo's own quoted examples (tables 3, 4, 7, 8, 9) with the memo's category.
MEMO_QUOTES = [
    ("op_hvorfor", "For at tjene lidt ekstra.", "Økonomi"),
    ("op_hvorfor", "Elsker mit job, har meget energy. Vi mangler også personale ligesom alle andre steder.",
     "Overskud og ansvar"),
    ("op_hvorfor", "Fordi jeg ikke kan løse min opgave optimalt med de timer jeg har pt.", "Opgavebyrde"),
    ("op_hvorfor", "Er kun ansat som vikar.", "Ansættelsesvilkår"),
    ("op_hvorfor", "Ved sygdom/ferie udbetales der ingen tillæg og er derfor en nedgang i udbetaling",
     "Ansættelsesvilkår"),
    ("op_hvorfor_ikke", "Arbejdsvilkårene og resurserne er simpelthen for dårlige, så fuldtid er alt for hårdt",
     "Arbejdspres"),
    ("op_hvorfor_ikke", "En 32-timers arbejdsuge er det, jeg ønsker at bidrage med", "Tilfredshed"),
    ("op_hvorfor_ikke", "Det passer mig fint", "Tilfredshed"),
    ("op_hvorfor_ikke", "Jeg er nybagt mor og vil derfor gerne have tiden til mit barn",
     "Fritid, familietid og uddannelse"),
    ("op_hvorfor_ikke", "Jeg er studerende", "Fritid, familietid og uddannelse"),
    ("op_hvorfor_ikke", "Dårlig ryg", "Alder, sygdom og fleksjob"),
    ("op_hvorfor_ikke", "Har arbejdsskader", "Alder, sygdom og fleksjob"),
    ("op_hvorfor_ikke", "Med så mange korte vagter kommer man aldrig til at have fri", "Vagtplan"),
    ("ned_hvorfor", "Da arbejdet kan være både fysisk og psykisk hårdt", "Arbejdspres"),
    ("ned_hvorfor", "Et for stort arbejdspres, som stresser meget.", "Arbejdspres"),
    ("ned_hvorfor", "For at få mere overskud til min familie og mig selv", "Overskud og sundhed"),
    ("ned_hvorfor", "For at blive aflastet", "Overskud og sundhed"),
    ("ned_hvorfor", "Er slidt", "Overskud og sundhed"),
    ("ned_hvorfor", "Det vil medføre, at hverdagen hang bedre sammen.", "Mere fritid og familietid"),
    ("ned_hvorfor", "Prioritere fritid fremfor løn", "Mere fritid og familietid"),
    ("ned_hvorfor", "Pga familietid.", "Mere fritid og familietid"),
    ("ned_hvorfor_ikke", "At jeg trives med at arbejde fuld tid.", "Tilfredshed"),
    ("ned_hvorfor_ikke", "God arbejdsplads og godt helbred.", "Tilfredshed"),
    ("ned_hvorfor_ikke", "Jeg har ikke råd til at gå ned i tid.", "Økonomi"),
    ("ned_hvorfor_ikke", "Vil nødvendigvis ikke få færre arbejdsopgaver, kun mindre tid til at udføre dem i.",
     "Opgavebyrde"),
    ("ned_hvorfor_ikke", "Er leder.", "Lederstilling"),
    ("mulighed_uddyb", "Jeg har forsøgt at komme op på 37 timer, men der er åbenbart ikke penge til det",
     "Manglende ressourcer"),
    ("mulighed_uddyb", "Vi har ikke personale nok", "Manglende ressourcer"),
    ("mulighed_uddyb", "Åbningstidspunktet er fra 9-15", "Tilbuddets organisering"),
    ("mulighed_uddyb", "Jeg er timelønnet", "Ansættelsesforhold"),
]

# Answers written for this test, in the style of a later wave (not taken from the shipped example):
# the category an analyst would give, or None for an answer that cannot be coded.
FRESH_ANSWERS = [
    ("op_hvorfor", "Min løn rækker ikke til ret meget", "Økonomi"),
    ("op_hvorfor", "Har brug for flere penge efter skilsmissen", "Økonomi"),
    ("op_hvorfor", "alt er blevet dyrere, så jeg skal have flere timer", "Økonomi"),
    ("op_hvorfor", "Jeg vil gerne have mere ansvar i min afdeling", "Overskud og ansvar"),
    ("op_hvorfor", "Har masser af energi og vil gerne mere", "Overskud og ansvar"),
    ("op_hvorfor", "Jeg er kun vikar og vil gerne have en fast stilling", "Ansættelsesvilkår"),
    ("op_hvorfor", "kan ikke nå mine opgaver på de timer jeg har", "Opgavebyrde"),
    ("op_hvorfor", "tjaa", None),
    ("op_hvorfor_ikke", "Jeg har små børn derhjemme", "Fritid, familietid og uddannelse"),
    ("op_hvorfor_ikke", "Jeg studerer ved siden af på universitetet", "Fritid, familietid og uddannelse"),
    ("op_hvorfor_ikke", "Er 63 og går snart på efterløn", "Alder, sygdom og fleksjob"),
    ("op_hvorfor_ikke", "Jeg er ansat i fleksjob", "Alder, sygdom og fleksjob"),
    ("op_hvorfor_ikke", "Mit helbred kan ikke holde til mere", "Alder, sygdom og fleksjob"),
    ("op_hvorfor_ikke", "jeg er godt tilfreds med mine 30 timer", "Tilfredshed"),
    ("op_hvorfor_ikke", "Det passer godt ind i min hverdag", "Tilfredshed"),
    ("op_hvorfor_ikke", "Arbejdspresset er alt for stort", "Arbejdspres"),
    ("op_hvorfor_ikke", "Jeg gider ikke flere weekendvagter", "Vagtplan"),
    ("op_hvorfor_ikke", "Så skal jeg have endnu flere aftenvagter og weekender", "Vagtplan"),
    ("op_hvorfor_ikke", "ingen kommentarer", None),
    ("ned_hvorfor", "Vil gerne have mere tid med mine børnebørn", "Mere fritid og familietid"),
    ("ned_hvorfor", "Jeg er ved at gå ned med stress", "Arbejdspres"),
    ("ned_hvorfor", "Er træt og slidt efter mange år i faget", "Overskud og sundhed"),
    ("ned_hvorfor", "Ønsker mere fritid", "Mere fritid og familietid"),
    ("ned_hvorfor", "Arbejdet er blevet for hårdt", "Arbejdspres"),
    ("ned_hvorfor", "-", None),
    ("ned_hvorfor_ikke", "Har simpelthen ikke råd", "Økonomi"),
    ("ned_hvorfor_ikke", "Jeg er afdelingsleder, så det giver ikke mening", "Lederstilling"),
    ("ned_hvorfor_ikke", "Jeg er glad for mit arbejde", "Tilfredshed"),
    ("ned_hvorfor_ikke", "Lønnen er i forvejen lav", "Økonomi"),
    ("ned_hvorfor_ikke", "Opgaverne forsvinder ikke fordi jeg går ned i tid", "Opgavebyrde"),
    ("ned_hvorfor_ikke", "Jeg trives med fuld tid", "Tilfredshed"),
    ("ned_hvorfor_ikke", "Min leder har sagt nej", None),
    ("mulighed_uddyb", "Der er ingen penge i budgettet til flere timer", "Manglende ressourcer"),
    ("mulighed_uddyb", "Vi mangler personale i forvejen", "Manglende ressourcer"),
    ("mulighed_uddyb", "Vagtplanen er lagt for et halvt år ad gangen", "Tilbuddets organisering"),
    ("mulighed_uddyb", "Jeg er vikar og kan ikke få flere timer", "Ansættelsesforhold"),
]


def test_every_category_of_every_open_field_has_keywords() -> None:
    for f in VJH.open_fields():
        assert set(f.codebook) == set(f.categories), f.name
        assert all(len(kws) >= 5 for kws in f.codebook.values()), f.name


@pytest.mark.parametrize("field, text, category", MEMO_QUOTES)
def test_memo_quotes_are_never_suggested_wrongly(field: str, text: str, category: str) -> None:
    assert suggest(text, VJH.fields[field].codebook) in ((), (category,))


def test_memo_quotes_mostly_suggested_right() -> None:
    right = sum(suggest(t, VJH.fields[f].codebook) == (c,) for f, t, c in MEMO_QUOTES)
    assert right >= 0.9 * len(MEMO_QUOTES)


def test_fresh_answers_precision_and_coverage() -> None:
    suggested = correct = codable = covered = 0
    for field, text, category in FRESH_ANSWERS:
        got = suggest(text, VJH.fields[field].codebook)
        expected = (category,) if category else ()
        codable += category is not None
        if got:
            suggested += 1
            correct += got == expected
            covered += category is not None
    assert correct / suggested >= 0.9
    assert covered / codable >= 0.8


# --- evaluation ---------------------------------------------------------------------------------------


def _hand_survey() -> Survey:
    """A survey object with a handful of part-timers, built without an export."""
    timetal = ["20-29 timer", "20-29 timer", "30-36 timer", "10-19 timer", "20-29 timer", "37 timer"]
    op = ["Ja", "Ja", "Ja", "Ja", "Nej", None]
    answers = [
        "Lønnen er for lav",  # suggested Økonomi; coded Økonomi -> correct
        "Har overskud og vil have mere ansvar",  # suggested Overskud; coded Økonomi -> wrong
        "løn og ansvar",  # ambiguous: no suggestion; coded two categories
        "ved ikke",  # no suggestion, not coded
        "Lønnen",  # routed to op_hvorfor_ikke: not an answer to count here
        None,
    ]
    responses = pd.DataFrame(
        {
            "timetal": pd.Categorical(timetal, categories=["1-9 timer", "10-19 timer", "20-29 timer",
                                                           "30-36 timer", "37 timer"]),
            "op_i_tid": pd.Categorical(op, categories=["Ja", "Nej"]),
            "op_hvorfor": answers,
        },
        index=pd.Index(["11", "12", "13", "14", "15", "16"], name="respondentid"),
    )
    matches = tuple(FieldMatch(name, f"s_{i}", VJH.fields[name].text) for i, name in enumerate(VJH.fields, start=1))
    for name in VJH.fields:
        if name not in responses.columns:
            responses[name] = None
    return Survey(VJH, None, responses, matches)  # type: ignore[arg-type]


def test_evaluate_counts_on_hand_made_survey() -> None:
    survey = _hand_survey()
    codes = pd.DataFrame(
        [("11", "op_hvorfor", "Økonomi", False), ("12", "op_hvorfor", "Økonomi", False),
         ("13", "op_hvorfor", "Økonomi", False), ("13", "op_hvorfor", "Overskud og ansvar", True)],
        columns=["respondentid", "field", "kategori", "citat"],
    )
    ev = evaluate(survey, Coding(Path("x.csv"), codes))
    q = next(q for q in ev.questions if q.field == "op_hvorfor")
    assert (q.variable, q.answers, q.coded, q.suggested, q.correct) == ("s_9", 4, 3, 2, 1)
    assert q.precision == pytest.approx(0.5)
    assert q.coverage == pytest.approx(2 / 3)
    # The other open questions have no answers here: nothing suggested, no ratios.
    other = next(q for q in ev.questions if q.field == "ned_hvorfor")
    assert (other.variable, other.answers, other.coded, other.precision, other.coverage) == ("s_13", 0, 0, None, None)


def test_evaluate_skips_an_open_question_missing_from_the_export() -> None:
    survey = _hand_survey()
    matches = tuple(FieldMatch(m.field, None if m.field == "ned_hvorfor" else m.variable, m.text)
                    for m in survey.matches)
    survey = Survey(VJH, None, survey.responses, matches)  # type: ignore[arg-type]
    empty = pd.DataFrame(columns=["respondentid", "field", "kategori", "citat"])
    fields = [q.field for q in evaluate(survey, Coding(Path("x.csv"), empty)).questions]
    assert fields == ["op_hvorfor", "op_hvorfor_ikke", "ned_hvorfor_ikke", "mulighed_uddyb"]


def test_a_suggestion_for_an_uncoded_answer_counts_as_wrong() -> None:
    survey = _hand_survey()
    codes = pd.DataFrame([("12", "op_hvorfor", "Overskud og ansvar", False)],
                         columns=["respondentid", "field", "kategori", "citat"])
    q = next(q for q in evaluate(survey, Coding(Path("x.csv"), codes)).questions if q.field == "op_hvorfor")
    # "Lønnen er for lav" (11) gets Økonomi though the analyst left it uncoded.
    assert (q.coded, q.suggested, q.correct, q.suggested_uncoded) == (1, 2, 1, 1)
    assert q.precision == pytest.approx(0.5)
    assert q.coverage == pytest.approx(1.0)


def test_evaluation_table_text() -> None:
    ev = Evaluation((
        QuestionEvaluation("op_hvorfor", "s_9", 58, 55, 52, 52, 1.0, 52 / 55),
        QuestionEvaluation("ned_hvorfor", "s_13", 0, 0, 0, 0, None, None),
    ))
    text = str(ev)
    lines = text.splitlines()
    assert "precision" in text and "coverage" in text
    row = next(line for line in lines if line.startswith("s_9 op_hvorfor"))
    assert row.split()[2:] == ["58", "55", "52", "52", "100%", "95%"]
    assert next(line for line in lines if line.startswith("s_13")).split()[-2:] == ["-", "-"]
    assert lines[-1].split() == ["total", "58", "55", "52", "52", "100%", "95%"]


# --- the shipped example: floors -------------------------------------------------------------------------

# Measured on the shipped example (surveys/examples/vjh_2022, coding.csv): every question >= 95% precision
# and >= 90% coverage. The floors leave room for a regenerated example, not for a worse codebook.
FLOORS = {"precision": 0.9, "coverage": 0.85}


def test_suggestions_on_the_shipped_example(example_survey, example_dir) -> None:
    coding = read_coding(example_dir / "coding.csv", example_survey)
    ev = evaluate(example_survey, coding)
    by_var = {q.variable: q for q in ev.questions}
    assert set(by_var) == {"s_9", "s_10", "s_13", "s_14", "s_16"}
    # The bases of the memo's tables 3, 4, 7, 8, 9.
    assert [by_var[v].coded for v in ("s_9", "s_10", "s_13", "s_14", "s_16")] == [55, 121, 26, 62, 22]
    for q in ev.questions:
        assert q.precision is not None and q.precision >= FLOORS["precision"], q
        assert q.coverage is not None and q.coverage >= FLOORS["coverage"], q
    total = ev.total()
    assert total.precision >= 0.95 and total.coverage >= 0.9
