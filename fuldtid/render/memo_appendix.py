"""The memo's appendices (the respondents: age, sex, job title, agreement, hours; follow-up tables by group),
the definition's own extra sections, and the tables and figures no section has placed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fuldtid import fmt
from fuldtid.danish import count_noun, join_da, quoted
from fuldtid.stats.tables import CrossRow
from fuldtid.render.blocks import (BulletList, Heading, item, markdown_blocks, para)
from fuldtid.render.memo_context import (_Ctx, n_pct, paren, ranked, shown_rows)
from fuldtid.render.memo_sentences import (_compare_groups_sentence, _distribution_sentence, _figure_intro,
                                           _margin_sentence, _number_range, _table_sentence, coded_summary)

if TYPE_CHECKING:
    from fuldtid.stats.release import MarginFact


def _appendix(c: _Ctx) -> None:
    start = len(c.blocks)
    _respondents(c)
    if len(c.blocks) > start:  # an appendix only when the definition has something to put in it
        heading = (c.definition.memo.get("appendix", {}) if c.definition.memo else {}).get("heading")
        c.blocks.insert(start, Heading(1, f"Bilag {c.appendix()}: {heading or 'Respondenterne'}"))


def _respondents(c: _Ctx) -> None:
    w = c.ts.weighting
    margins: dict[str, list[MarginFact]] = {}
    for m in getattr(w, "margins", ()) if w is not None else ():
        margins.setdefault(m.variable, []).append(m)
    # Which field is age, sex, ... comes from the definition (memo: appendix:); fuldtid names none itself.
    age_field, sex_field, hours_field = c.role("age"), c.role("sex"), c.role("hours")
    age = next((f for f in c.figures.values() if f.field == age_field and f.kind == "distribution"), None)
    sex = next((f for f in c.figures.values() if f.field == sex_field and f.kind == "distribution"), None)
    if age is not None or sex is not None:
        c.add(Heading(3, join_da([w for w, f in (("Alder", age), ("køn" if age else "Køn", sex)) if f is not None])))
    if age is not None:
        c.add(para(f"{_figure_intro(c, age)} " + _distribution_sentence(c, age, c.w.group_noun(age.field))))
        c.add_figure(age.number)
    if sex is not None:
        text = f"{_figure_intro(c, sex)} "
        parts = [f"{fmt.pct(sex.pct(g))} {c.w.plural(sex.field, g)}"
                 for g in sex.groups() if g != sex.merged_label and sex.pct(g) is not None]
        text += (f"Af de {fmt.number(sex.n)}, der har svaret, er {join_da(parts)}." if parts and sex.n else
                 "Ingen har oplyst deres køn." if not sex.n else "")
        if sex_field in margins:
            text += " " + _margin_sentence(c, sex_field, margins[sex_field])
        c.add(para(text.strip()))
        c.add_figure(sex.number)
    _job_titles(c)
    t10 = c.table_for(c.role("agreement"), "oneway") if c.role("agreement") else None
    if t10 is not None:
        spec = c.specs.get(t10.number)
        missing = spec.missing_row if spec is not None else None
        c.add(Heading(3, "Overenskomst"))
        rows = [r for r in shown_rows(t10, exclude=[missing] if missing else []) if (r.count or 0) > 0]
        tiers = ranked(rows, key=lambda r: r.count)
        text = f"Tabel {t10.number} viser, hvilken overenskomst de svarende er ansat efter."
        if tiers:
            top = tiers[0]
            text += (f" Flest er ansat efter {join_da([quoted(r.label) for r in top])} "
                     f"{paren(top[0].count or 0, top[0].pct, len(top) > 1)}")
            if len(tiers) > 1:
                nxt = tiers[1]
                text += (f", dernæst {join_da([quoted(r.label) for r in nxt])} "
                         f"{paren(nxt[0].count or 0, nxt[0].pct, len(nxt) > 1)}")
            text += "."
        miss = next((r for r in shown_rows(t10) if missing and r.label == missing), None)
        if miss is not None and (miss.count or 0) > 0:
            text += f" {n_pct(miss.count or 0, miss.pct)} har ikke svaret på spørgsmålet."
        c.add(para(text))
        c.add_table(t10.number)
    hours = next((f for f in c.figures.values() if f.field == hours_field and f.kind == "distribution"), None)
    if hours is not None:
        c.add(Heading(3, "Timetal"))
        text = f"{_figure_intro(c, hours)} "
        full = c.definition.groups.get(c.role("full_time") or "")
        part = c.definition.groups.get(c.role("part_time") or "")
        if hours.n and full is not None and part is not None and c.has_field(hours_field):
            n_full, n_part = c.ts.group_size(full.name), c.ts.group_size(part.name)
            if n_full is not None and n_part is not None and c.citeable(n_full) and c.citeable(n_part):
                text += (f"{fmt.pct(100.0 * n_full / hours.n)} er ansat på fuld tid og "
                         f"{fmt.pct(100.0 * n_part / hours.n)} på deltid. ")
        text += _distribution_sentence(c, hours, c.w.group_noun(hours.field))
        if hours_field in margins:
            text += " " + _margin_sentence(c, hours_field, margins[hours_field])
        c.add(para(text.strip()))
        c.add_figure(hours.number)


def _job_titles(c: _Ctx) -> None:
    """Job titles and workplaces: how many of the form's options have answers, the biggest job titles, and the
    options nobody gave. Counts are the protected distribution of the field (:meth:`Release.categories`): a
    hidden job title is counted as having answers but never named with a number."""
    job, workplace = c.role("job"), c.role("workplace")
    if not job or not c.has_field(job):
        return
    cats = c.ts.categories(job)
    options = list(c.facts.options.get(job, ()))
    shown = {o: n for o, n in cats.counts.items() if n is not None}
    used = [o for o in options if cats.counts.get(o) is None or (cats.counts.get(o) or 0) > 0]
    c.add(Heading(3, "Stilling og arbejdssted"))
    if not used:
        c.add(para("Ingen har oplyst deres stillingsbetegnelse."))
        return
    text = (f"De svarende fordeler sig på {fmt.number(len(used))} af de {fmt.number(len(options))} "
            "stillingsbetegnelser i skemaet.")
    big = sorted([o for o in options if shown.get(o, 0) >= c.min_group and shown.get(o, 0) > 0],
                 key=lambda o: (-shown[o], options.index(o)))
    if big:
        cut = shown[big[min(3, len(big) - 1)]]
        top = [o for o in big if shown[o] >= cut]
        text += (" Flest svar kommer fra " + ("stillingsbetegnelserne " if len(top) > 1 else "stillingsbetegnelsen ")
                 + join_da([f"{o} ({fmt.number(shown[o])})" for o in top]) + ".")
    c.add(para(text))
    none = [o for o in options if cats.counts.get(o) == 0]
    if none:
        c.add(para(f"Der er ingen svar fra {count_noun(len(none), 'stillingsbetegnelse', 'stillingsbetegnelser')}:"),
              BulletList(tuple(item(o) for o in none)))
    if workplace and c.has_field(workplace):
        places = c.ts.categories(workplace)
        opts = list(c.facts.options.get(workplace, ()))
        n_used = sum(1 for o in opts if places.counts.get(o) is None or (places.counts.get(o) or 0) > 0)
        missing = places.not_given
        if opts:
            c.add(para(f"Der er svar fra medarbejdere i {fmt.number(n_used)} af de {fmt.number(len(opts))} tilbud"
                       + (f"; {fmt.number(missing)} af de svarende har ikke oplyst deres tilbud." if missing else
                          "; nogle få af de svarende har ikke oplyst deres tilbud." if missing is None else ".")))


def _follow_up(c: _Ctx) -> None:
    cross = [t for t in c.ts.tables if t.kind == "cross" and t.number not in c.used_tables]
    if not cross:
        return
    c.add(Heading(1, f"Bilag {c.appendix()}: Opfølgende analyse"))
    nums = [t.number for t in cross]
    wished = {w.field for w in c.wishes}
    what = "svarene"
    if all(t.field in wished for t in cross):
        what = c.w.text("follow_up_subject", "svarene") or what
    if len(nums) > 1:
        c.add(para(f"Tabellerne {_number_range(nums)} viser {what} fordelt på "
                   f"{join_da(list(dict.fromkeys(c.w.noun(t.by or '') for t in cross)))}. "
                   "Andelene er af hver gruppe (rækkeprocenter)."))
    for t in cross:
        spec = c.specs.get(t.number)
        missing = spec.missing_row if spec is not None else None
        value = t.columns[0] if t.columns else None
        if value is None:
            continue
        rows = []
        hidden = False
        for r in t.rows:
            if isinstance(r, CrossRow) and (r.suppressed or r.members):
                hidden = True
            if not isinstance(r, CrossRow) or r.suppressed or r.members or r.label == missing or r.counts is None:
                continue
            rows.append((r.label, int(r.counts.get(value, 0)), int(r.total or 0),
                         (r.pcts or {}).get(value) if r.total else None))
        s = _compare_groups_sentence(c, rows, c.w.answer(t.field, value, True), None, hidden, t.test)
        c.add(para(f"Tabel {t.number} viser {t.title[:1].lower()}{t.title[1:]}. {s}".strip()))
        c.add_table(t.number)


def _leftovers(c: _Ctx) -> None:
    """Tables and figures of a definition that the memo's layout has no place for still appear."""
    tables = [t for t in c.ts.tables if t.number not in c.used_tables]
    pend = [s for s in c.ts.pending if s.number not in c.used_tables]
    figs = [f for f in c.figures.values() if f.number not in c.used_figures]
    if not (tables or pend or figs):
        return
    c.add(Heading(1, "Øvrige tabeller og figurer"))
    for n in sorted([t.number for t in tables] + [s.number for s in pend]):
        c.add_table(n)
        t = c.tables.get(n)
        if t is not None and t.kind == "coded":
            c.add(para(coded_summary(t)))
        elif t is not None and (s := _table_sentence(t)):
            c.add(para(s))
    for f in figs:
        c.add_figure(f.number)


def _sections(c: _Ctx) -> None:
    """The definition's own sections (``memo: sections:``): a heading, a text, its tables and figures.

    A definition without them, and without questions the memo builds sections from (routing, coded
    follow-ups), gets one neutral section with its tables in order (cross tables stay in the follow-up
    appendix), so the memo opens with the results and not with whichever group a definition happens to name.
    """
    sections = c.definition.memo.get("sections") if c.definition.memo else None
    if sections is None:
        if c.wishes or c.opinions:
            return
        numbers = tuple(s.number for s in c.definition.tables if s.kind != "cross")
        if not numbers:
            return
        sections = ({"heading": c.w.text("analysis_heading", "Resultater") or "Resultater", "text": "",
                     "tables": numbers, "figures": ()},)
    for sec in sections:
        c.add(Heading(1, sec["heading"], c.section()))
        if sec["text"]:
            c.add(*markdown_blocks(sec["text"]))
        for n in sec["tables"]:
            if n in c.used_tables:
                continue
            t = c.tables.get(n)
            if t is not None and t.kind == "coded":
                c.add_table(n)
                c.add(para(coded_summary(t)))
                continue
            if t is not None and (s := _table_sentence(t, numbered=True)):
                c.add(para(s))
            c.add_table(n)
        for n in sec["figures"]:
            f = c.figures.get(n)
            if f is None or n in c.used_figures:
                continue
            text = _figure_intro(c, f)
            if f.kind == "distribution":
                text += " " + _distribution_sentence(c, f, c.w.group_noun(f.field))
            c.add(para(text.strip()))
            c.add_figure(n)

