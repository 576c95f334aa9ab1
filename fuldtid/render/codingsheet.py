"""The coding sheet: an XLSX workbook in which the analyst codes the open answers of a new wave.

The sheet is itself a coding file: :func:`fuldtid.model.coding.read_coding` reads it back (every sheet with
the columns respondentid, variabel and kategori), so the analyst's work goes straight to
``fuldtid report EXPORT --coding sheet.xlsx`` without copying anything.

It holds raw answers, i.e. personal data; a banner on every sheet says so. Nothing of it reaches the
memo except the quotes the analyst marks, and those are masked by :mod:`fuldtid.stats.quotes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from fuldtid.model.definition import ALL, survey_option_text
from fuldtid.stats.suggest import coded_answers, suggester
from fuldtid.render.xlsx import new_workbook, safe_sheet_title, set_cell, workbook_bytes

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from fuldtid.model.coding import Coding
    from fuldtid.model.definition import Definition, Field
    from fuldtid.model.survey import Survey

CATEGORY_SHEET = "Kategorier"
GUIDE_SHEET = "Vejledning"
EXCEL_CELL_LIMIT = 32_767
BANNER = (
    "FORTROLIGT – indeholder rå, åbne svar (personoplysninger). Del ikke arket, og slet det, "
    "når kodningen er brugt."
)


@dataclass(frozen=True)
class _Row:
    respondentid: str
    context: tuple[str, ...]
    answer: str
    suggestion: str
    kategori: str
    citat: str


def context_fields(definition: "Definition", group: str) -> list[str]:
    """The single-choice fields that route respondents into ``group``, outermost first
    (for s_9: timetal, then op_i_tid): what the analyst needs to read an answer in context."""
    chain: list[str] = []
    seen: set[str] = set()
    g: str | None = group
    while g is not None and g not in seen:
        seen.add(g)
        spec = definition.groups[g]
        if spec.field is not None and spec.field not in chain:
            chain.append(spec.field)
        g = spec.within
    return list(reversed(chain))


def _excel_text(value: object) -> str:
    """A cell's text as Excel can store it: without control characters and within its length limit."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            return ""
        value = str(value)
    text = ILLEGAL_CHARACTERS_RE.sub(" ", value)
    if len(text) > EXCEL_CELL_LIMIT:
        marker = " […forkortet]"
        text = text[: EXCEL_CELL_LIMIT - len(marker)] + marker
    return text


def _existing_codes(existing: "Coding | None", field: "Field") -> dict[str, list[tuple[str, bool]]]:
    """respondentid -> [(category, quote mark)] in the definition's category order, for one field."""
    if existing is None:
        return {}
    codes = existing.for_field(field.name)
    order = {c: i for i, c in enumerate(field.categories)}
    out: dict[str, dict[str, bool]] = {}
    for rid, cat, citat in zip(codes["respondentid"], codes["kategori"], codes["citat"]):
        cats = out.setdefault(str(rid), {})
        cats[str(cat)] = cats.get(str(cat), False) or bool(citat)
    return {
        rid: sorted(cats.items(), key=lambda kv: order.get(kv[0], len(order))) for rid, cats in out.items()
    }


def _code_cells(codes: list[tuple[str, bool]]) -> list[tuple[str, str]]:
    """(kategori, citat) cells for one answer: one row "A; B" normally, but one row per category when
    only some of them carry the quote mark, so that reading the sheet back gives exactly these codes."""
    if not codes:
        return [("", "")]
    marks = {quoted for _, quoted in codes}
    if len(marks) == 1:
        return [("; ".join(c for c, _ in codes), "1" if marks.pop() else "")]
    return [(c, "1" if quoted else "") for c, quoted in codes]


def _rows(survey: "Survey", field: "Field", context: list[str], existing: "Coding | None") -> list[_Row]:
    responses = survey.responses
    answers = coded_answers(survey, field.name)
    known = _existing_codes(existing, field)
    # Codes of respondents outside today's rows (an empty answer, another routing) are kept as rows
    # too, so that reading the sheet back never silently drops the analyst's earlier work.
    ids = list(answers.index.astype(str))
    listed = set(ids)
    ids += [rid for rid in responses.index.astype(str) if rid in known and rid not in listed]
    # Plain lists, not .at[] per cell: a big wave has tens of thousands of rows.
    position = {str(i): n for n, i in enumerate(responses.index)}
    texts = responses[field.name].astype(object).tolist()
    columns = [[_excel_text(v) for v in responses[c].astype(object).tolist()] for c in context]
    guess = suggester(field.codebook)
    rows = []
    for rid in ids:
        n = position[rid]
        text = texts[n] if isinstance(texts[n], str) else ""
        context_cells = tuple(col[n] for col in columns)
        suggestion = "; ".join(guess(text))
        for kategori, citat in _code_cells(known.get(rid, [])):
            rows.append(_Row(rid, context_cells, _excel_text(text), suggestion, kategori, citat))
    return rows


def _guide(ws: Worksheet, survey: "Survey", sheets: list[tuple[str, "Field", str, int]], command_export: str) -> None:
    definition = survey.definition
    lines: list[tuple[str, bool]] = [
        ("FORTROLIGT: Dette regneark indeholder medarbejdernes rå, åbne svar.", True),
        ("Svarene kan indeholde personoplysninger (navne, telefonnumre, helbred). Behandl arket som "
         "fortroligt: gem det kun internt, del det ikke, og slet det, når kodningen er brugt.", True),
        ("", False),
        (f"Kodeark til: {definition.title}", True),
        ("", False),
        ("Sådan udfylder du arket", True),
        ("Der er ét faneblad pr. åbent spørgsmål og én række pr. svar. Læs svaret (kolonnen 'svar') og "
         "skriv kategorien i kolonnen 'kategori'; vælg den i rullelisten.", False),
        ("Passer et svar i flere kategorier, skriv dem adskilt af semikolon, fx 'Arbejdspres; Overskud og "
         "sundhed'. Lad 'kategori' stå tom, hvis svaret ikke kan kodes (fx 'ved ikke').", False),
        ("Kolonnen 'forslag' er et automatisk forslag ud fra nøgleord. Det er kun et forslag: kontrollér "
         "det, og kopiér det til 'kategori', hvis du er enig. Tomt forslag betyder, at intet nøgleord passede "
         "sikkert.", False),
        ("Skriv 1 i kolonnen 'citat' ud for svar, der er gode eksempler til notatets tabeller. Citater i "
         "notatet får e-mailadresser, telefon- og CPR-numre skjult; intet andet fra arket kommer med i "
         "notatet.", False),
        ("Ret ikke i kolonnerne respondentid og variabel, og slet ikke overskriftsrækken.", False),
        ("", False),
        ("Sådan bruger du det udfyldte ark", True),
        (f"fuldtid report {command_export}{survey_option_text(survey.definition)} --coding <dette ark>.xlsx", False),
        ("Arket læses direkte som kodefil; svar med tom 'kategori' tæller som ikke kodet.", False),
        ("", False),
        ("Spørgsmålene", True),
    ]
    for title, f, group_label, n in sheets:
        lines.append((f"{title}: {f.text} – {n} svar fra {group_label}. Kategorier: {'; '.join(f.categories)}.",
                      False))
        if f.coded_among is not None and f.coded_among != f.among:
            asked = "alle" if f.among == ALL else definition.groups[f.among].label
            lines.append((
                f"   Spørgsmålet stilles til {asked}, men kun svarene fra "
                f"{group_label} kodes (de indgår i notatets tabel); de øvrige svar er udeladt af arket.",
                False,
            ))
    for r, (text, bold) in enumerate(lines, start=1):
        if text:
            set_cell(ws, r, 1, text, bold=bold, wrap=True)
    ws.column_dimensions["A"].width = 120


def coding_sheet(survey: "Survey", existing: "Coding | None" = None, *, export_name: str | None = None) -> bytes:
    """The coding sheet of a survey's open answers as XLSX bytes (the same bytes on every run).

    One sheet per open question with categories: respondentid, variabel, the routing context, the
    answer, a suggested category and the columns kategori and citat (pre-filled from ``existing``).
    ``export_name`` is how the guide names the export in the command to run (default: its path).
    """
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    definition = survey.definition
    variables = {m.field: m.variable for m in survey.matches}
    fields = [f for f in definition.open_fields() if f.categories and variables.get(f.name) is not None]

    wb = new_workbook()
    guide = wb.create_sheet(GUIDE_SHEET)
    taken = {GUIDE_SHEET, CATEGORY_SHEET}
    made: list[tuple[str, "Field", str, int]] = []
    question_sheets = []
    for f in fields:
        variable = str(variables[f.name])
        title = safe_sheet_title(f"{variable} {f.name}", taken)
        ws = wb.create_sheet(title)
        question_sheets.append((ws, f, variable))

    lists = wb.create_sheet(CATEGORY_SHEET)
    lists.sheet_state = "hidden"
    for col, (_ws, f, _variable) in enumerate(question_sheets, start=1):
        set_cell(lists, 1, col, f.name)
        for r, cat in enumerate(f.categories, start=2):
            set_cell(lists, r, col, cat)

    for col, (ws, f, variable) in enumerate(question_sheets, start=1):
        group = definition.coding_group(f.name)
        group_label = definition.groups[group].label
        context = context_fields(definition, group)
        rows = _rows(survey, f, context, existing)
        made.append((ws.title, f, group_label, len({r.respondentid for r in rows})))

        set_cell(ws, 1, 1, f"{BANNER} {variable}: {f.text} ({group_label})", bold=True)
        header = ["respondentid", "variabel", *context, "svar", "forslag", "kategori", "citat"]
        for c, h in enumerate(header, start=1):
            set_cell(ws, 2, c, h, bold=True)
        answer_col = header.index("svar") + 1
        kategori_col = header.index("kategori") + 1
        wrap = Alignment(wrap_text=True, vertical="top")
        for r, row in enumerate(rows, start=3):
            values = [row.respondentid, variable, *row.context, row.answer, row.suggestion, row.kategori, row.citat]
            for c, v in enumerate(values, start=1):
                set_cell(ws, r, c, v)
            # Styling every cell costs openpyxl dearly on big waves; only the long answers need wrapping.
            ws.cell(row=r, column=answer_col).alignment = wrap
        ws.freeze_panes = "A3"
        widths = [14, 10, *[max(10, min(22, len(c) + 4)) for c in context], 70, 24, 30, 8]
        for c, w in enumerate(widths, start=1):
            ws.column_dimensions[_letter(c)].width = w
        ws.cell(row=1, column=1).font = Font(bold=True, color="9C0006")
        if rows:
            # Categories contain commas, so the list must be a range, not an inline "A,B" list; free text
            # stays allowed (no error box) so that "A; B" can be typed for an answer with two categories.
            letter = _letter(col)
            dv = DataValidation(
                type="list",
                formula1=f"'{CATEGORY_SHEET}'!${letter}$2:${letter}${len(f.categories) + 1}",
                allow_blank=True,
                showErrorMessage=False,
                showInputMessage=True,
                promptTitle="kategori",
                prompt="Vælg en kategori, eller skriv flere adskilt af ;",
            )
            k = _letter(kategori_col)
            dv.add(f"{k}3:{k}{len(rows) + 2}")
            ws.add_data_validation(dv)
    _guide(guide, survey, made, export_name if export_name is not None else str(survey.export.path))
    return workbook_bytes(wb)


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)
