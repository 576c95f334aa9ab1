"""A table as a grid of display strings, shared by the terminal, XLSX, DOCX and HTML renderers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

from fuldtid import fmt
from fuldtid.stats.tables import CrossRow, Row, Table

if TYPE_CHECKING:
    from fuldtid.model.definition import Definition
    from fuldtid.stats.breakdown import BreakdownRow

HIDDEN = "*"
TOTAL = "I alt"  # the total row and column, in every table and every format


@dataclass(frozen=True)
class Grid:
    caption: str
    question: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...]
    notes: tuple[str, ...]
    numeric_from: int = 1  # columns from this index on are numbers (right-aligned)


def anonymity_notes(rows: Sequence[Row | CrossRow | BreakdownRow], min_group: int, count: Callable[[Any], int | None],
                    noun: tuple[str, str] = ("gruppe", "grupper")) -> list[str]:
    """The notes under a table with hidden or merged groups, read from its rows: what ``*`` means and, for
    a merged "Øvrige grupper" row, how many groups it holds and how many answers (``count(row)``).
    ``noun`` names a group (singular, plural): ``("kategori", "kategorier")`` for coded tables."""
    one, many = noun
    hidden = [r for r in rows if getattr(r, "suppressed", False)]
    merged = [r for r in rows if len(getattr(r, "members", ())) > 1 and not r.suppressed]
    in_merged = {m for r in merged for m in r.members}
    notes = []
    if hidden:
        if in_merged and all(r.label in in_merged for r in hidden):
            notes.append(f"{HIDDEN} Vises ikke for sig af hensyn til anonymiteten; tælles med i »{merged[0].label}«.")
        else:
            notes.append(f"{HIDDEN} Skjult af hensyn til anonymiteten: {many} med færre end {min_group} besvarelser "
                         f"vises ikke, og om nødvendigt skjules flere, så de små {many}s tal ikke kan regnes ud.")
    for r in merged:
        k, n = len(r.members), count(r) or 0
        names = f" ({_join([f'»{m}«' for m in r.members])})" if k <= 6 else ""
        notes.append(
            f"»{r.label}« samler {k} {many}{names} med i alt {fmt.number(n)} {'besvarelse' if n == 1 else 'besvarelser'}, "
            f"som af hensyn til anonymiteten ikke vises hver for sig: {many} med færre end {min_group} besvarelser "
            f"og de {many}, der må lægges sammen med dem, for at de små {many}s tal ikke kan regnes ud."
        )
    return notes


def exclusion_note(pairs: Sequence[tuple[int, str]]) -> str:
    """One line for everyone left out of a table: ``Ikke med i tabellen: 10 besvarelser (3: svaret er ikke
    kodet i en kategori; 7: svarede ikke på »…«).``; empty when nobody is."""
    pairs = [(n, reason) for n, reason in pairs if n]
    if not pairs:
        return ""
    n = sum(k for k, _ in pairs)
    noun = "besvarelse" if n == 1 else "besvarelser"
    if len(pairs) == 1:
        return f"Ikke med i tabellen: {fmt.number(n)} {noun} ({pairs[0][1]})."
    why = "; ".join(f"{fmt.number(k)}: {reason}" for k, reason in pairs)
    return f"Ikke med i tabellen: {fmt.number(n)} {noun} ({why})."


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]


def unique_quotes(examples: Sequence[str]) -> list[str]:
    """The quotes of one cell, each once (the same answer given by two people is quoted once)."""
    seen: set[str] = set()
    out = []
    for q in examples:
        key = " ".join(q.split()).casefold()
        if key and key not in seen:
            seen.add(key)
            out.append(q)
    return out


def table_grid(t: Table) -> Grid:
    notes = anonymity_notes(t.rows, t.min_group, lambda r: r.total if t.kind in ("cross", "grid") else r.count,
                            ("kategori", "kategorier") if t.kind == "coded" else ("gruppe", "grupper"))
    if _rounding_off(t):
        notes.append(ROUNDING_NOTE)
    if t.kind == "cross" and t.test is not None:
        from fuldtid.stats.tabletests import test_note

        notes.append(test_note(t.test) or "")
    if t.kind == "cross":
        return _cross_grid(t, notes)
    if t.kind == "grid":
        return _items_grid(t, notes)
    label_head = "Kategori" if t.kind == "coded" else "Svar"
    header = [label_head, "Antal", "Procent"]
    has_examples = t.kind == "coded" and any(r.examples for r in t.rows)  # type: ignore[union-attr]
    if has_examples:
        header.append("Eksempler")
    rows = []
    for r in t.rows:
        assert isinstance(r, Row)
        if r.suppressed:
            cells = [r.label, HIDDEN, HIDDEN]
        else:
            cells = [r.label, fmt.number(r.count or 0), fmt.pct(r.pct)]
        if has_examples:
            cells.append("\n".join(f"”{q}”" for q in unique_quotes(r.examples)))
        rows.append(tuple(cells))
    base = HIDDEN if t.hidden_whole else fmt.number(t.base)  # a hidden group's size is not shown either
    total = [TOTAL, base, "100%" if t.base and not t.hidden_whole else ""]
    if t.kind == "multiple":
        total = ["Svarende i alt", base, ""]
        notes.append("Flere svar mulige: procenterne er af dem, der har svaret på spørgsmålet, og summerer "
                     "derfor til mere end 100.")
    if has_examples:
        total.append("")
    if t.kind == "coded" and t.n_codes is not None and t.n_codes > t.base:
        notes.append(
            f"Et svar kan høre til flere kategorier: {t.n_codes} koder fordelt på {t.base} besvarelser, "
            "så procenterne summerer til mere end 100."
        )
    return Grid(t.caption, t.question, tuple(header), tuple(rows), tuple(total), tuple(notes))


def _count_rows(t: Table) -> list[tuple[str, ...]]:
    """A cross or grid table's rows as "count (pct)" cells with the row total; hidden rows as HIDDEN."""
    rows = []
    for r in t.rows:
        assert isinstance(r, CrossRow)
        if r.suppressed:
            rows.append((r.label, *([HIDDEN] * len(t.columns)), HIDDEN))
            continue
        total = r.total or 0
        cells = [fmt.count_pct(r.counts[c], r.pcts[c]) for c in t.columns]  # type: ignore[index]
        rows.append((r.label, *cells, fmt.number(total) + (" (100%)" if total else "")))
    return rows


def _cross_grid(t: Table, notes: list[str]) -> Grid:
    header = ("", *t.columns, TOTAL)
    rows = _count_rows(t)
    overall = t.overall
    total_row = (
        TOTAL,
        # A table whose group is hidden whole has no overall counts: "*", never 0.
        *(fmt.count_pct(overall.get(c, 0), 100.0 * overall.get(c, 0) / t.base if t.base else None)
          if overall is not None else HIDDEN for c in t.columns),
        HIDDEN if t.hidden_whole else fmt.number(t.base) + (" (100%)" if t.base else ""),
    )
    return Grid(t.caption, t.question, header, tuple(rows), total_row, tuple(notes))


def _items_grid(t: Table, notes: list[str]) -> Grid:
    """A grid of statements: one row per item, its answers as counts with row percentages."""
    header = ("", *t.columns, TOTAL)
    rows = _count_rows(t)
    total_row = ("Svarende i alt", *([""] * len(t.columns)), HIDDEN if t.hidden_whole else fmt.number(t.base))
    notes.append("Hver række er ét udsagn; procenterne er af dem, der har svaret på udsagnet.")
    return Grid(t.caption, t.question, header, tuple(rows), total_row, tuple(notes))


def render_text(t: Table, width: int = 100) -> str:
    """A table for the terminal: aligned columns, weighted shares when there are any, examples left out."""
    return grid_text(with_weighted(t), width)


def grid_text(g: Grid, width: int = 100) -> str:
    """A grid as aligned plain text (examples left out)."""
    keep = [i for i, h in enumerate(g.header) if h != "Eksempler"]
    lines_ = [tuple(r[i] for i in keep) for r in (g.header, *g.rows, g.total)]
    widths = [max(len(line[i]) for line in lines_) for i in range(len(keep))]
    widths[0] = min(widths[0], max(20, width - sum(widths[1:]) - 2 * len(widths)))

    def fmt_line(cells: tuple[str, ...]) -> str:
        first = cells[0] if len(cells[0]) <= widths[0] else cells[0][: widths[0] - 1] + "…"
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return "  ".join([first.ljust(widths[0]), *rest]).rstrip()

    rule = "-" * len(fmt_line(lines_[0]))
    out = [g.caption, g.question, fmt_line(lines_[0]), rule]
    out += [fmt_line(line) for line in lines_[1:-1]]
    out += [rule, fmt_line(lines_[-1])]
    out += list(g.notes)
    return "\n".join(out)


WEIGHTED_NOTE = "Vægtet: andelen skønnet for hele populationen ud fra populationsfilen, med 95%-konfidensinterval."


def weighted_note(definition: Definition | None = None) -> str:
    """The note under a weighted table, naming whom the weights stand for in the definition's words
    (``wording: population_group``, VJH: medarbejdergruppen); without a definition the neutral one."""
    group = (getattr(definition, "wording", None) or {}).get("population_group") if definition is not None else None
    return WEIGHTED_NOTE if not group else WEIGHTED_NOTE.replace("hele populationen", f"hele {group}")


NO_INTERVAL = "intet KI"


def weighted_size_notes(rows: Sequence[CrossRow | BreakdownRow], min_group: int) -> tuple[str, ...]:
    """Why a shown group with answers has no weighted share: it is smaller than
    :func:`fuldtid.stats.tablemodel.weighted_min` (rows of a cross table or a breakdown)."""
    if not any(not r.suppressed and r.total and not r.weighted for r in rows):
        return ()
    from fuldtid.stats.tablemodel import weighted_min

    return (f"Vægtede andele vises kun for grupper med mindst {weighted_min(min_group)} besvarelser, så vægtene "
            f"ikke kan afsløre, hvordan en gruppe er sammensat (anonymitetsgrænsen er {min_group}).",)


def weighted_cell(w: object) -> str:
    """``30% (24–37%)``: a weighted share with its 95% interval; empty when there is none, ``100% (intet KI)``
    when the share has no interval (see :func:`interval_notes`)."""
    if w is None:
        return ""
    ci = fmt.interval(w.ci_low, w.ci_high)  # type: ignore[attr-defined]
    return f"{fmt.pct(w.pct)} ({ci or NO_INTERVAL})"  # type: ignore[attr-defined]


def interval_notes(estimates: object) -> tuple[str, ...]:
    """Why some weighted shares have no interval: one note per reason."""
    reasons = dict.fromkeys(w.note for w in estimates if w is not None and w.note)  # type: ignore[attr-defined]
    return tuple(f"{NO_INTERVAL[:1].upper()}{NO_INTERVAL[1:]}: {r}." for r in reasons)


def _weighted_of(t: Table) -> list[object]:
    out: list[object] = []
    for r in t.rows:
        w = getattr(r, "weighted", None)
        if w is None or getattr(r, "suppressed", False):
            continue
        out.extend(w.values() if isinstance(w, dict) or hasattr(w, "values") else [w])
    return out


ROUNDING_NOTE = "Procenterne summerer ikke altid til 100 på grund af afrunding."


def _rounding_off(t: Table) -> bool:
    """Whether a row of printed whole percentages that should add up to 100 does not."""
    if t.kind in ("coded", "multiple"):
        return False  # several codes or ticks per answer: they are not meant to add up
    if t.kind in ("cross", "grid"):
        return any(fmt.rounded_sum_off([p for p in (r.pcts or {}).values() if p is not None])
                   for r in t.rows if isinstance(r, CrossRow) and not r.suppressed and r.total)
    if not t.base or any(isinstance(r, Row) and r.suppressed for r in t.rows):
        return False
    return fmt.rounded_sum_off([r.pct for r in t.rows if isinstance(r, Row) and r.pct is not None])


def with_weighted(t: Table, g: Grid | None = None) -> Grid:
    """The table's grid with weighted shares next to the unweighted ones: one column for a one-way
    table, one per answer for a cross table. Unchanged when the table has no weighted estimates."""
    g = g or table_grid(t)
    if t.kind in ("cross", "grid"):
        if not any(getattr(r, "weighted", None) for r in t.rows):
            return g
        header = (*g.header, *(f"{c} vægtet (95%-KI)" for c in t.columns))
        rows = tuple(
            (*cells, *(weighted_cell((r.weighted or {}).get(c)) if not r.suppressed else "" for c in t.columns))
            for r, cells in zip(t.rows, g.rows)  # type: ignore[union-attr]
        )
        total = (*g.total, *([""] * len(t.columns)))
        notes = (*g.notes, WEIGHTED_NOTE, *interval_notes(_weighted_of(t)), *weighted_size_notes(t.rows, t.min_group))
        return Grid(g.caption, g.question, header, rows, total, notes, g.numeric_from)
    if not any(getattr(r, "weighted", None) for r in t.rows):
        return g
    header_list = list(g.header)
    pos = header_list.index("Procent") + 1
    header_list.insert(pos, "Vægtet (95%-KI)")
    rows = tuple(
        (*cells[:pos], weighted_cell(r.weighted if not r.suppressed else None), *cells[pos:])  # type: ignore[union-attr]
        for r, cells in zip(t.rows, g.rows)
    )
    total = (*g.total[:pos], "", *g.total[pos:])
    notes = (*g.notes, WEIGHTED_NOTE, *interval_notes(_weighted_of(t)))
    return Grid(g.caption, g.question, tuple(header_list), rows, total, notes, g.numeric_from)
