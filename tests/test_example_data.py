"""The shipped synthetic example export (surveys/examples/vjh_2022) and its generator.

These tests read the files with plain pandas/csv, not with fuldtid, so that they check the example
itself rather than the reader. The published numbers are written out here on purpose instead of
being imported from the generator: a test that shares its expectations with the code under test
would not notice them drifting.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "surveys" / "examples" / "make_vjh_2022.py"
SHIPPED = ROOT / "surveys" / "examples" / "vjh_2022"
GENERATED_FILES = ["export/dataset.csv", "export/structure.csv", "export/labels.csv",
                   "coding.csv", "population.csv"]
READ = dict(sep=";", dtype=str, keep_default_na=False)
PART = ["1-9 timer", "10-19 timer", "20-29 timer", "30-36 timer"]


def load_generator():
    spec = importlib.util.spec_from_file_location("make_vjh_2022", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A fresh run of the generator (including its own self-check) into a temporary folder."""
    out = tmp_path_factory.mktemp("vjh_2022")
    load_generator().generate(out)
    return out


@pytest.fixture(scope="module")
def answered() -> pd.DataFrame:
    """The 333 answering rows of the shipped export, single-choice codes turned into labels."""
    ds = pd.read_csv(SHIPPED / "export" / "dataset.csv", encoding="cp1252", **READ)
    labels = pd.read_csv(SHIPPED / "export" / "labels.csv", encoding="cp1252", header=None,
                         names=["var", "value", "label"], **READ)
    lookup = {(v, c): lab for v, c, lab in labels.itertuples(index=False)}
    a = ds[(ds["statoverall_3"] == "1") | (ds["statoverall_4"] == "1")].copy()
    for var in labels["var"].unique():
        a[var] = [lookup[(var, c)] if c else "" for c in a[var]]
    return a.set_index("respondentid")


@pytest.fixture(scope="module")
def coding() -> pd.DataFrame:
    return pd.read_csv(SHIPPED / "coding.csv", encoding="utf-8", **READ)


def counts(series: pd.Series) -> dict[str, int]:
    return {k: int(v) for k, v in series.value_counts().items()}


def test_shipped_files_equal_a_fresh_run(fresh):
    for name in GENERATED_FILES:
        assert (SHIPPED / name).read_bytes() == (fresh / name).read_bytes(), name


def test_export_trio_is_cp1252_semicolon_crlf():
    for name in ["dataset", "structure", "labels"]:
        raw = (SHIPPED / "export" / f"{name}.csv").read_bytes()
        text = raw.decode("cp1252")
        assert "ø" in text or "æ" in text or "å" in text
        with pytest.raises(UnicodeDecodeError):  # Danish letters as single cp1252 bytes, not UTF-8
            raw.decode("utf-8")
        assert raw.endswith(b"\r\n")
    dataset = (SHIPPED / "export" / "dataset.csv").read_bytes().decode("cp1252")
    assert dataset.startswith("respondentid;statinternal_1;statinternal_2;")
    structure = (SHIPPED / "export" / "structure.csv").read_bytes().decode("cp1252").split("\r\n")
    assert structure[0] == ("questionName;variableName;questionType;subType;questionText;"
                            "choiceValue;choiceText;")
    assert all(line.endswith(";") for line in structure if line)
    assert "s_1;s_1;Closed;Single;Hvad er dit køn?;1;Kvinde;" in structure
    assert "s_16;s_16;Open;String;Uddyb gerne dit svar;;;" in structure
    labels = (SHIPPED / "export" / "labels.csv").read_bytes().decode("cp1252").split("\r\n")
    assert labels[:2] == ["s_1;1;Kvinde", "s_1;2;Mand"]


def test_dataset_columns_and_status():
    ds = pd.read_csv(SHIPPED / "export" / "dataset.csv", encoding="cp1252", **READ)
    cols = list(ds.columns)
    assert cols[:22] == ["respondentid"] + [f"statinternal_{i}" for i in range(1, 21)] + ["created"]
    assert cols[cols.index("digitaldistributionerrormessage") + 1:][:16] == \
        [f"s_{i}" for i in range(1, 17)]
    assert cols[-5:] == [f"statoverall_{i}" for i in range(1, 6)]
    assert len(ds) == 1172 and ds["respondentid"].is_unique
    assert ds["respondentid"].astype(int).is_monotonic_increasing
    overall = {i: int((ds[f"statoverall_{i}"] == "1").sum()) for i in range(1, 6)}
    assert overall[3] + overall[4] == 333
    assert 10 <= overall[3] <= 20 and 1 <= overall[5] <= 12
    assert sum(overall.values()) == 1172
    not_answered = ds[(ds["statoverall_3"] != "1") & (ds["statoverall_4"] != "1")]
    assert (not_answered[[f"s_{i}" for i in range(1, 17)]] == "").all().all()
    assert ds["email"].str.fullmatch(r"medarbejder\d{4}@mail\.example").all()


def test_collection_period(answered):
    close = pd.to_datetime(answered["closetime"][answered["closetime"] != ""],
                           format="%d-%m-%Y %H:%M:%S")
    assert close.min() >= pd.Timestamp("2022-07-27")
    assert close.max() < pd.Timestamp("2022-09-01")


def test_hours_and_routing(answered):
    a = answered
    part, full = a["s_6"].isin(PART), a["s_6"] == "37 timer"
    assert (int(full.sum()), int(part.sum()), int((a["s_6"] == "").sum())) == (117, 214, 2)
    assert int(a["s_6"].isin(PART[:3]).sum()) == 60  # 18% of 333
    assert ((a["s_7"] != "") == part).all() and ((a["s_11"] != "") == full).all()
    assert ((a["s_8"] != "") == (a["s_7"] == "Ja")).all()
    assert ((a["s_12"] != "") == (a["s_11"] == "Ja")).all()
    assert not ((a["s_9"] != "") & (a["s_7"] != "Ja")).any()
    assert not ((a["s_10"] != "") & (a["s_7"] != "Nej")).any()
    assert not ((a["s_13"] != "") & (a["s_11"] != "Ja")).any()
    assert not ((a["s_14"] != "") & (a["s_11"] != "Nej")).any()
    partial = a["statoverall_3"] == "1"
    assert (a.loc[partial, ["s_9", "s_10", "s_13", "s_14", "s_15", "s_16"]] == "").all().all()


def test_tables_1_2_5_6(answered):
    a = answered
    assert counts(a.loc[a["s_6"].isin(PART), "s_7"]) == {"Ja": 65, "Nej": 149}
    assert counts(a.loc[a["s_7"] == "Ja", "s_8"]) == {
        "1-9 timer": 12, "10-19 timer": 2, "20-29 timer": 5, "30-36 timer": 7, "37 timer": 39}
    assert counts(a.loc[a["s_6"] == "37 timer", "s_11"]) == {"Ja": 30, "Nej": 87}
    assert counts(a.loc[a["s_11"] == "Ja", "s_12"]) == {
        "1-9 timer": 13, "20-29 timer": 3, "30-36 timer": 14}


def test_table_10(answered):
    assert counts(answered["s_4"].replace("", "Har ikke svaret")) == {
        "Administration og IT mv., KL": 17, "Akademikere, KL": 7,
        "Ergo- Fysio- og Jordemødre, basis KL": 23, "Hjemmevejledere og pæd.pers., døgninst.": 10,
        "Husassistenter, KL": 2, "Led. værkst.pers. mv., klientv., KL": 1,
        "Oms.- og pæd.medhj. samt pæd. ass., KL": 46, "Pædagogisk uddannede ledere": 2,
        "Social- og sundhedspersonale, KL": 34, "Socialpædagoger og pæd.pers.døgninst.mv.": 135,
        "Socialrådgiver/socialformidlere, KL": 28, "Syge- og sundhedspersonale - basis, KL": 3,
        "Har ikke svaret": 25}
    assert sorted(answered.loc[answered["s_6"] == "", "s_4"]) == [
        "Social- og sundhedspersonale, KL", "Socialpædagoger og pæd.pers.døgninst.mv."]


def crosstab(a: pd.DataFrame, rows: pd.Series, wish: str) -> dict[str, tuple[int, int]]:
    mask = a[wish] != ""
    tab = pd.crosstab(rows[mask], a.loc[mask, wish])
    return {k: (int(tab.loc[k].get("Ja", 0)), int(tab.loc[k].get("Nej", 0))) for k in tab.index}


def test_tables_11_12_area(answered):
    a = answered
    area = a["s_5"].map(lambda w: "Tilbud ikke angivet" if not w else "Rådgivning og Visitation"
                        if w.startswith("Rådgivning og Visitation") else "Resterende tilbud")
    assert crosstab(a, area, "s_7") == {"Rådgivning og Visitation": (0, 2),
                                        "Resterende tilbud": (52, 116),
                                        "Tilbud ikke angivet": (13, 31)}
    assert crosstab(a, area, "s_11") == {"Rådgivning og Visitation": (6, 7),
                                         "Resterende tilbud": (10, 61),
                                         "Tilbud ikke angivet": (14, 19)}


def test_tables_13_14_agreement(answered):
    a = answered
    agreement = a["s_4"].replace("", "Overenskomst ikke angivet")
    t13 = crosstab(a, agreement, "s_7")
    assert t13 == {
        "Administration og IT mv., KL": (0, 10), "Akademikere, KL": (1, 2),
        "Ergo- Fysio- og Jordemødre, basis KL": (3, 13),
        "Hjemmevejledere og pæd.pers., døgninst.": (1, 4), "Husassistenter, KL": (0, 2),
        "Led. værkst.pers. mv., klientv., KL": (0, 1),
        "Oms.- og pæd.medhj. samt pæd. ass., KL": (17, 21),
        "Social- og sundhedspersonale, KL": (3, 23),
        "Socialpædagoger og pæd.pers.døgninst.mv.": (32, 55),
        "Socialrådgiver/socialformidlere, KL": (3, 3),
        "Syge- og sundhedspersonale - basis, KL": (0, 2), "Overenskomst ikke angivet": (5, 13)}
    t14 = crosstab(a, agreement, "s_11")
    assert t14 == {
        "Administration og IT mv., KL": (6, 1), "Akademikere, KL": (0, 4),
        "Ergo- Fysio- og Jordemødre, basis KL": (1, 6),
        "Hjemmevejledere og pæd.pers., døgninst.": (2, 3),
        "Oms.- og pæd.medhj. samt pæd. ass., KL": (0, 8), "Pædagogisk uddannede ledere": (1, 1),
        "Social- og sundhedspersonale, KL": (1, 6),
        "Socialpædagoger og pæd.pers.døgninst.mv.": (8, 39),
        "Socialrådgiver/socialformidlere, KL": (7, 15),
        "Syge- og sundhedspersonale - basis, KL": (0, 1), "Overenskomst ikke angivet": (4, 3)}


@pytest.mark.parametrize("var, base, expected", [
    ("s_9", 55, {"Økonomi": 29, "Overskud og ansvar": 17, "Opgavebyrde": 4,
                 "Ansættelsesvilkår": 5}),
    ("s_10", 121, {"Arbejdspres": 22, "Tilfredshed": 40, "Fritid, familietid og uddannelse": 31,
                   "Alder, sygdom og fleksjob": 23, "Vagtplan": 5}),
    ("s_13", 26, {"Arbejdspres": 7, "Overskud og sundhed": 7, "Mere fritid og familietid": 12}),
    ("s_14", 62, {"Tilfredshed": 38, "Økonomi": 17, "Opgavebyrde": 7, "Lederstilling": 2}),
    ("s_16", 22, {"Manglende ressourcer": 12, "Tilbuddets organisering": 8,
                  "Ansættelsesforhold": 2}),
])
def test_coded_tables_3_4_7_8_9(answered, coding, var, base, expected):
    rows = coding[coding["variabel"] == var]
    assert rows["respondentid"].nunique() == base
    assert counts(rows["kategori"]) == expected
    assert (answered.loc[rows["respondentid"], var].str.strip() != "").all()
    for cat in expected:
        assert 1 <= int(((rows["kategori"] == cat) & (rows["citat"] == "1")).sum()) <= 2
    if var == "s_16":
        assert (answered.loc[rows["respondentid"], "s_15"] == "Nej").all()


def test_coding_file_shape(coding):
    assert list(coding.columns) == ["respondentid", "variabel", "kategori", "citat"]
    assert len(coding) == 55 + 121 + 26 + 64 + 22
    assert not coding.duplicated(["respondentid", "variabel", "kategori"]).any()
    assert set(coding["citat"]) == {"", "1"}


def test_figures_1_2_3(answered):
    a = answered

    def pct(n: int, d: int) -> int:
        return (200 * n + d) // (2 * d)  # whole percent, half up

    fig1 = {h: pct(int(((a["s_6"] == h) & (a["s_7"] == "Ja")).sum()), int((a["s_6"] == h).sum()))
            for h in PART}
    assert fig1["1-9 timer"] == 37 and fig1["10-19 timer"] == 17
    assert max(fig1, key=fig1.get) == "1-9 timer" and min(fig1, key=fig1.get) == "10-19 timer"
    s15 = a.loc[a["s_15"] != "", "s_15"]
    assert {k: pct(v, len(s15)) for k, v in counts(s15).items()} == {
        "Ja": 60, "Nej": 33, "Ved ikke": 7}
    nej = {h: ((a["s_6"] == h) & (a["s_15"] == "Nej")).sum()
           / ((a["s_6"] == h) & (a["s_15"] != "")).sum() for h in PART + ["37 timer"]}
    assert max(nej, key=nej.get) == "10-19 timer"


def test_respondents_gender_age_titles_workplaces(answered):
    a = answered
    assert round(100 * (a["s_1"] == "Kvinde").sum() / (a["s_1"] != "").sum()) == 71
    ages = counts(a["s_2"])
    assert 1 <= ages["Under 19 år"] <= 5
    assert min(n for g, n in ages.items() if g != "Under 19 år") >= 30
    titles = a["s_3"].value_counts()
    assert titles.head(4).to_dict() == {"Pædagog": 69, "Socialpædagog": 66,
                                        "Omsorgsmedhjælper": 44, "Socialrådgiver": 27}
    structure = pd.read_csv(SHIPPED / "export" / "structure.csv", encoding="cp1252", **READ)
    listed = structure.loc[structure["variableName"] == "s_3", "choiceText"]
    assert len(listed) == 33
    assert sorted(set(listed) - set(titles.index)) == [
        "Plejer (bofællesskaber)", "Pædagogstuderende 1. praktikperiode", "Rengøringsassistent",
        "Serviceassistent (døgnområdet)", "Sygeplejerske", "Teknisk servicemedarbejder"]
    assert (structure["variableName"] == "s_5").sum() == 77
    assert a.loc[a["s_5"] != "", "s_5"].nunique() == 63
    social_workers = a[(a["s_3"] == "Socialrådgiver") & (a["s_5"] != "")]
    assert social_workers["s_5"].str.startswith("Rådgivning og Visitation").mean() > 0.5


def test_open_answers_quotes_and_hazards(answered):
    text = pd.concat([answered[v] for v in ["s_9", "s_10", "s_13", "s_14", "s_16"]])
    text = text[text != ""]
    assert text.nunique() > 250  # varied, not a handful of templates
    for quote in ["For at tjene lidt ekstra.", "Er kun ansat som vikar.", "Det passer mig fint",
                  "Jeg er studerende", "Er leder.", "Jeg er timelønnet",
                  "Pga familietid.", "Åbningstidspunktet er fra 9-15"]:
        assert (text == quote).sum() == 1, quote
    for pattern in [r"[\w.]+@[\w-]+\.\w+", r"\b\d\d \d\d \d\d \d\d\b", r"\b\d{6}-\d{4}\b",
                    r"^[=+-]", r"<b>", "\n", ";", '"']:
        assert text.str.contains(pattern, regex=True).any(), pattern
    assert (answered["s_16"] != "").sum() >= 80


def test_population_file():
    assert (SHIPPED / "population.csv").read_text(encoding="utf-8") == (
        "variabel;kategori;antal;omfatter\n"
        "koen;Kvinde;832;\n"
        "koen;Mand;340;\n"
        "timetal;Under 30 timer;481;1-9 timer|10-19 timer|20-29 timer\n"
        "timetal;30-36 timer;386;30-36 timer\n"
        "timetal;37 timer;305;37 timer\n")


def test_self_check_catches_a_broken_count(fresh, tmp_path):
    """The generator's own self-check must fail loudly when a published count is off."""
    gen = load_generator()
    for name in GENERATED_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((fresh / name).read_bytes())
    lines = (tmp_path / "coding.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "coding.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    with pytest.raises(AssertionError, match="self-check failed"):
        gen.self_check(tmp_path)
