"""Reading and validating population files (fuldtid.model.population)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuldtid.errors import PopulationError, SurveyError
from fuldtid.model.population import Population, PopulationCategory, read_population

HOURS = ["1-9 timer", "10-19 timer", "20-29 timer", "30-36 timer", "37 timer"]
LABELS = {
    "koen": ["Kvinde", "Mand"],
    "alder": ["Under 19 år", "19-29 år", "30-39 år", "40-49 år", "50-59 år", "60 år eller derover"],
    "timetal": HOURS,
}
EXAMPLE = (
    "variabel;kategori;antal;omfatter\n"
    "koen;Kvinde;832;\n"
    "koen;Mand;340;\n"
    "timetal;Under 30 timer;481;1-9 timer|10-19 timer|20-29 timer\n"
    "timetal;30-36 timer;386;30-36 timer\n"
    "timetal;37 timer;305;37 timer\n"
)


def write(tmp_path: Path, text: str, name: str = "population.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def check_example(pop: Population, path: Path) -> None:
    assert pop.path == path
    assert pop.size == 1172
    assert pop.variables == ("koen", "timetal")
    koen, timetal = pop.margins
    assert koen.categories == (PopulationCategory("Kvinde", 832, ("Kvinde",)),
                               PopulationCategory("Mand", 340, ("Mand",)))
    assert timetal.categories[0] == PopulationCategory("Under 30 timer", 481, tuple(HOURS[:3]))
    assert timetal.categories[1:] == (PopulationCategory("30-36 timer", 386, ("30-36 timer",)),
                                      PopulationCategory("37 timer", 305, ("37 timer",)))
    assert timetal.total == 1172
    assert pop.margin("timetal") is timetal


def test_reads_the_documented_example(tmp_path):
    path = write(tmp_path, EXAMPLE)
    check_example(read_population(path, LABELS), path)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_encodings_and_comma_separator(tmp_path, encoding):
    text = EXAMPLE.replace(";", ",").replace("\n", "\r\n") + "alder,Under 30 år,300,Under 19 år|19-29 år\n" \
        "alder,30 år eller derover,872,30-39 år|40-49 år|50-59 år|60 år eller derover\n"
    path = write(tmp_path, text, encoding=encoding)
    pop = read_population(path, LABELS)
    assert pop.margin("alder").categories[0] == PopulationCategory("Under 30 år", 300,
                                                                   ("Under 19 år", "19-29 år"))
    assert pop.size == 1172


def test_xlsx(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for line in EXAMPLE.splitlines():
        cells = line.split(";")
        ws.append([float(c) if c.isdigit() and len(cells) > 2 and c == cells[2] else (c or None)
                   for c in cells])
    path = tmp_path / "population.xlsx"
    wb.save(path)
    check_example(read_population(path, LABELS), path)


def test_lenient_spelling_keeps_the_surveys_labels(tmp_path):
    # Case, padding and Danish thousands separators as typed by hand.
    text = ("Variabel ; Kategori ; Antal ; Omfatter\n"
            "KOEN;kvinde; 1.000 ;\nkoen;Mand;172;\n"
            "timetal;Deltid;867;1-9 TIMER | 10-19 timer|20-29  timer|30-36 timer\n"
            "timetal;37 timer;305;\n")
    pop = read_population(write(tmp_path, text), LABELS)
    assert pop.size == 1172
    assert pop.margins[0].variable == "koen"
    assert pop.margins[0].categories[0] == PopulationCategory("kvinde", 1000, ("Kvinde",))
    assert pop.margins[1].categories[0].covers == tuple(HOURS[:4])


def test_blank_lines_and_missing_omfatter_column(tmp_path):
    text = "variabel;kategori;antal\n\nkoen;Kvinde;832\n;;;\nkoen;Mand;340\n"
    pop = read_population(write(tmp_path, text), LABELS)
    assert [c.count for c in pop.margins[0].categories] == [832, 340]


BAD = [
    ("variabel;kategori;omfatter\nkoen;Kvinde;\n", r"missing column\(s\) antal"),
    ("foo,bar\n1,2\n", r"line 1: header 'foo,bar' is not variabel;kategori;antal;omfatter"),
    ("variabel;kategori;antal;omfatter\n", "has a header but no categories"),
    ("variabel;kategori;antal;omfatter\nkoen;Kvinde;832;;x\nkoen;Mand;340;\n", "line 2: 5 fields"),
    ("variabel;kategori;antal;omfatter\nkoen;Kvinde\n", "line 2: only 2 field"),
    ("variabel;kategori;antal;omfatter\nkoen;Kvinde;83,5;\nkoen;Mand;340;\n",
     "line 2: antal '83,5' for 'Kvinde' is not a whole number"),
    ("variabel;kategori;antal;omfatter\nkoen;Kvinde;832.5;\nkoen;Mand;340;\n", "not a whole number"),
    ("variabel;kategori;antal;omfatter\nkoen;Kvinde;-832;\nkoen;Mand;340;\n",
     "line 2: antal -832 for 'Kvinde' is negative"),
    ("variabel;kategori;antal;omfatter\nkoen;Kvinde;;\nkoen;Mand;340;\n", "line 2: antal is empty"),
    ("variabel;kategori;antal;omfatter\nkøen;Kvinde;832;\n",
     r"line 2: variable 'køen' is not a field of the survey \(did you mean 'koen'\?\)"),
    ("variabel;kategori;antal;omfatter\n;Kvinde;832;\n", "line 2: variabel is empty"),
    ("variabel;kategori;antal;omfatter\nkoen;;832;\n", "line 2: kategori is empty"),
    ("variabel;kategori;antal;omfatter\ntimetal;Deltid;867;1-9 timer|10-19|20-29 timer|30-36 timer\n"
     "timetal;37 timer;305;\n",
     r"line 2: omfatter names '10-19', which is not an answer label of timetal \(did you mean '10-19 timer'"),
    ("variabel;kategori;antal;omfatter\nkoen;Kvinder;832;\nkoen;Mand;340;\n",
     r"line 2: kategori 'Kvinder' is not an answer label of koen \(did you mean 'Kvinde'\?\)"),
    ("variabel;kategori;antal;omfatter\ntimetal;Deltid;867;1-9 timer|10-19 timer|20-29 timer|30-36 timer\n"
     "timetal;Fuldtid;305;30-36 timer|37 timer\n",
     r"line 3: answer '30-36 timer' of timetal is covered by both 'Deltid' \(line 2\) and 'Fuldtid'"),
    ("variabel;kategori;antal;omfatter\nkoen;Kvinde;832;\nkoen;kvinde;340;\n",
     r"line 3: category 'kvinde' of koen appears twice \(also line 2\)"),
    ("variabel;kategori;antal;omfatter\ntimetal;Under 30 timer;481;1-9 timer|20-29 timer\n"
     "timetal;37 timer;691;\n",
     "variable timetal leaves answer\\(s\\) '10-19 timer', '30-36 timer' uncovered"),
    ("variabel;kategori;antal;omfatter\nkoen;Kvinde;832;\nkoen;Mand;340;\n"
     "timetal;Deltid;860;1-9 timer|10-19 timer|20-29 timer|30-36 timer\ntimetal;37 timer;305;\n",
     r"different totals \(koen 1172, timetal 1165\)"),
    ("variabel;kategori;antal;omfatter\nkoen;Kvinde;0;\nkoen;Mand;0;\n", "add up to 0"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_bad_files_are_refused_with_the_place_named(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(PopulationError, match=message) as info:
        read_population(path, LABELS)
    assert str(path) in str(info.value)
    assert len(str(info.value).splitlines()) <= 2


def test_unreadable_files(tmp_path):
    with pytest.raises(PopulationError, match="not found"):
        read_population(tmp_path / "missing.csv", LABELS)
    with pytest.raises(PopulationError, match="is empty"):
        read_population(write(tmp_path, "  \n"), LABELS)
    with pytest.raises(PopulationError, match="not an Excel workbook although named .xlsx"):
        read_population(write(tmp_path, EXAMPLE, name="population.xlsx"), LABELS)
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(PopulationError, match="cannot open the workbook"):
        read_population(damaged, LABELS)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(PopulationError, match=r"old Excel format \(.xls\)"):
        read_population(old, LABELS)
    undecodable = tmp_path / "undecodable.csv"
    undecodable.write_bytes(b"variabel;kategori;antal\nkoen;\x81\x8d;1\n")  # neither UTF-8 nor cp1252
    with pytest.raises(PopulationError, match="cannot decode"):
        read_population(undecodable, LABELS)


@st.composite
def partitions(draw):
    """A random grouping of each variable's labels into categories with random counts."""
    total = draw(st.integers(1, 10_000))
    lines = ["variabel;kategori;antal;omfatter"]
    expected = {}
    for var in draw(st.permutations(list(LABELS)))[: draw(st.integers(1, 3))]:
        labels = LABELS[var]
        cuts = sorted(draw(st.sets(st.integers(1, len(labels) - 1), max_size=len(labels) - 1)))
        groups = [labels[a:b] for a, b in zip([0, *cuts], [*cuts, len(labels)])]
        shares = draw(st.lists(st.integers(0, total), min_size=len(groups) - 1, max_size=len(groups) - 1))
        bounds = sorted(shares)
        counts = [b - a for a, b in zip([0, *bounds], [*bounds, total])]
        cats = []
        for i, (group, count) in enumerate(zip(groups, counts)):
            if len(group) == 1 and draw(st.booleans()):
                lines.append(f"{var};{group[0]};{count};")
                cats.append(PopulationCategory(group[0], count, (group[0],)))
            else:
                lines.append(f"{var};Gruppe {i};{count};{'|'.join(group)}")
                cats.append(PopulationCategory(f"Gruppe {i}", count, tuple(group)))
        expected[var] = tuple(cats)
    return "\n".join(lines) + "\n", expected, total


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(partitions(), st.sampled_from([";", ","]))
def test_any_valid_partition_reads_back(tmp_path, case, sep):
    text, expected, total = case
    pop = read_population(write(tmp_path, text.replace(";", sep)), LABELS)
    assert pop.size == total
    assert {m.variable: m.categories for m in pop.margins} == expected


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8")))
def test_garbage_is_either_read_or_refused_cleanly(tmp_path, data):
    path = tmp_path / "garbage.csv"
    path.write_bytes(b"variabel;kategori;antal;omfatter\n" + data)
    try:
        pop = read_population(path, LABELS)
    except SurveyError as exc:
        assert isinstance(exc, PopulationError)
        assert str(path) in str(exc)
    else:
        assert pop.size > 0


def test_danish_spelling_of_a_field_name_is_accepted(tmp_path):
    # A register export writes "køn"; the survey's field is "koen".
    p = tmp_path / "pop.csv"
    p.write_text("variabel;kategori;antal;omfatter\nkøn;Kvinde;832;\nkøn;Mand;340;\n", encoding="utf-8")
    pop = read_population(p, LABELS)
    assert pop.variables == ("koen",)
