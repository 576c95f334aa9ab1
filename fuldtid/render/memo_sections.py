"""The memo's main sections: introduction with key points, the data basis and representation, a section per
question that routes on or opinion with coded explanations, the weighted results and the conclusion."""

from __future__ import annotations

import pandas as pd

from fuldtid import fmt
from fuldtid.danish import about, count_noun, da_period, join_da, quoted
from fuldtid.model.definition import ALL
from fuldtid.stats.release import MarginFact, WeightingFacts
from fuldtid.stats.significance import format_p
from fuldtid.stats.tables import Row, Table, Weighted
from fuldtid.render.blocks import (BulletList, Heading, ListItem, Run,
                                   item, markdown_blocks, para)
from fuldtid.render.memo_context import (_Ctx, _Opinion, _Wish,
                                         pct_interval, ranked, shown_rows)
from fuldtid.render.memo_sentences import (_compare_groups_sentence, _headline, _largest_share_group,
                                           _margin_sentence, _nouns_in_reason, _target_notes, _target_sentence,
                                           _top_phrase, category_list, coded_summary, exclusion_sentence,
                                           yes_no_sentence)


def _title_meta(c: _Ctx) -> tuple[str, ...]:
    first, last = c.facts.period
    period = da_period(first, last)
    meta = [f"Spørgeskemaundersøgelse blandt {c.definition.population_description}"]
    if period:
        meta.append(f"Data indsamlet {period}")
    return tuple(meta)


def _key_points(c: _Ctx) -> list[ListItem]:
    points: list[ListItem] = []
    w = c.w
    for wish in c.wishes:
        t, yes_label = wish.table, _headline(c, wish)
        noun = c.group_label(t.among)
        yes = next((r for r in t.rows if isinstance(r, Row) and r.label == yes_label), None)
        if t.base == 0:
            points.append(item(f"Ingen {noun} har svaret på, om de {w.answer(t.field, yes_label, True)}."))
            continue
        if yes is None or yes.suppressed or yes.members:
            points.append(item(f"Andelen af de {noun}, der {w.answer(t.field, yes_label, True)}, vises ikke "
                               "af hensyn til anonymiteten."))
            continue
        subs: list[ListItem] = []
        tt = wish.target
        if yes_label != wish.yes:
            pass  # the follow-ups belong to another answer than the one the point is about
        elif tt is not None and tt.base > 0:
            tiers = ranked([r for r in shown_rows(tt) if (r.count or 0) > 0], key=lambda r: r.count)
            if tiers:
                subs.append(item(_top_phrase(w, tiers[0], tt.field) + "."))
        ct = c.table_for(wish.yes_reason, "coded") if wish.yes_reason and yes_label == wish.yes else None
        if ct is not None and ct.base > 0:
            named = [r for r in shown_rows(ct) if (r.count or 0) > 0]
            tiers = ranked(named, key=lambda r: r.count)
            if tiers:
                top = tiers[0]
                subs.append(item(
                    f"Den hyppigste begrundelse er {join_da([quoted(r.label) for r in top])} ({fmt.pct(top[0].pct)}"
                    + (" hver)" if len(top) > 1 else ")")
                    + (f", dernæst {join_da([quoted(r.label) for r in tiers[1]])} ({fmt.pct(tiers[1][0].pct)}"
                       + (" hver)" if len(tiers[1]) > 1 else ")") if len(tiers) > 1 else "") + "."))
        elif yes_label == wish.yes and wish.yes_reason and any(s.field == wish.yes_reason for s in c.ts.pending):
            subs.append(item("Begrundelserne afventer kodning af de åbne svar."))
        who = "alle" if t.among == ALL else f"de {noun}"
        points.append(item(f"{fmt.pct(yes.pct)} af {who}, der har svaret, {w.answer(t.field, yes_label)}.",
                           children=subs))
    for op in c.opinions:
        if not c.has_field(op.field) or op.value not in c.facts.options.get(op.field, ()):
            continue
        among = op.distribution.among if op.distribution is not None else ALL
        f = c.ts.distribution(op.field, among)
        if f.n == 0 or op.value not in f.groups():
            continue
        subs = []
        by = _largest_share_group(c, op.field, op.value, op.cross.by, among) if op.cross and op.cross.by else None
        if by is not None and by[3].significant:
            assert op.cross is not None and op.cross.by is not None
            subs.append(item(f"Andelen er størst {w.among(op.cross.by, by[0])} ({fmt.pct(by[1])})"
                             + (f" af de {w.group_noun(op.cross.by, plural=True)}, der kan sammenlignes"
                                if by[2] else "") + f"; {by[3].sentence[:1].lower()}{by[3].sentence[1:]}"))
        elif by is not None:
            assert op.cross is not None and op.cross.by is not None
            subs.append(item(f"Andelen adskiller sig ikke statistisk sikkert mellem "
                             f"{w.group_noun(op.cross.by, plural=True)}"
                             + (f" ({format_p(by[3].p_value)})." if by[3].method != "ingen test" else ".")))
        tc = c.table_for(op.coded, "coded")
        if tc is not None and tc.base > 0:
            tiers = ranked([r for r in shown_rows(tc) if (r.count or 0) > 0], key=lambda r: r.count)
            if tiers:
                subs.append(item(f"Den hyppigste forklaring er {join_da([quoted(r.label) for r in tiers[0]])} "
                                 f"({fmt.pct(tiers[0][0].pct)})."))
        who = "alle" if among == ALL else f"de {c.group_label(among)}"
        points.append(item(f"{fmt.pct(f.pct(op.value))} af {who}, der har svaret, "
                           f"{w.answer(op.field, op.value)}.", children=subs))
    return points


def _intro(c: _Ctx) -> None:
    c.add(Heading(1, "Indledning", c.section()))
    if c.intro and c.intro.strip():
        c.add(*markdown_blocks(c.intro))
    else:
        d = c.definition
        where = f" i {d.organisation}" if d.organisation else ""
        c.add(para(c.w.text("intro", f"Notatet viser resultaterne af spørgeskemaundersøgelsen »{d.title}« blandt "
                                     f"{d.population_description}{where}.",
                            population=d.population_description, organisation=d.organisation, title=d.title)))
    points = _key_points(c)
    if points:
        c.add(para(Run("Hovedpointer", bold=True), style="lead"), BulletList(tuple(points)))


def _data_basis(c: _Ctx) -> None:
    s = c.facts
    d = c.definition
    c.add(Heading(1, "Datagrundlag", c.section()))
    where = f" i {d.organisation}" if d.organisation else ""
    sent = (f"Spørgeskemaet blev sendt til {count_noun(s.distributed, 'person', 'personer')}"
            if d.population_description == "medarbejdere" else
            f"Spørgeskemaet blev sendt til de {fmt.number(s.distributed)} {d.population_description}{where}")
    if d.population_description == "medarbejdere":
        sent += where
    if s.answered == 0:
        answered = "Ingen har besvaret det."
    else:
        rate = fmt.pct(100.0 * s.response_rate)
        answered = (f"{fmt.number(s.answered)} har besvaret skemaet, hvilket giver en svarprocent på {rate}."
                    if s.answered != 1 else f"Én har besvaret skemaet (svarprocent {rate}).")
    first, last = s.period
    period = da_period(first, last)
    text = f"{sent}. {answered}"
    if period:
        text += f" Besvarelserne er indsamlet {period}."
    c.add(para(text))
    if s.answered and 100.0 * s.response_rate < 50:
        c.add(para("Da under halvdelen har svaret, kan de, der har svaret, adskille sig fra dem, der ikke har; "
                   "resultaterne skal læses med det forbehold."))
    exclusions = list(c.ts.excluded)
    if exclusions:
        c.add(para("Nogle besvarelser mangler oplysninger og indgår derfor ikke i alle tabeller:"),
              BulletList(tuple(item(exclusion_sentence(e.count, e.reason)) for e in exclusions)))
    if c.min_group > 1:
        c.add(para(f"Af hensyn til anonymiteten vises antal og andele ikke for grupper med færre end "
                   f"{c.min_group} besvarelser; de er markeret med * i tabellerne, og om nødvendigt er flere "
                   "grupper skjult, så de små gruppers tal ikke kan regnes ud."))
    if any(t.kind == "cross" for t in c.ts.tables) or any(f.kind != "distribution" for f in c.figures.values()):
        c.add(para("Når notatet sammenligner grupper, er forskellen testet på grupperne, som tabellen eller figuren "
                   "viser dem; en forskel kaldes statistisk sikker, når testen giver p < 0,05. Tabeller fordelt på grupper "
                   "oplyser deres test i en note."))
    w = c.ts.weighting
    if w is not None:
        _representation(c, w)


def _representation(c: _Ctx, w: WeightingFacts) -> None:
    by_var: dict[str, list[MarginFact]] = {}
    for m in getattr(w, "margins", ()):
        by_var.setdefault(m.variable, []).append(m)
    sentences = [s for v, ms in by_var.items() if (s := _margin_sentence(c, v, ms))]
    size = w.size
    intro = f"Besvarelserne er sammenlignet med {c.population(True)} sammensætning"
    if size:
        intro += f" ({count_noun(int(size), 'medarbejder', 'medarbejdere')} ifølge populationsfilen)"
    c.add(para(intro + ". " + " ".join(sentences)))
    nouns = join_da([c.w.noun(v) for v in by_var])
    text = (f"For at rette op på skævheder er svarene vægtet, så de svarer til {c.population(True)} fordeling på "
            f"{nouns}. Vægtede andele er et skøn over, hvordan hele {c.population()} ville have svaret, og står "
            "sammen med et 95%-konfidensinterval, der viser usikkerheden (et eksakt interval beregnet ud fra det "
            "effektive antal besvarelser, så det også holder for små grupper og andele nær 0% eller 100%).")
    eff = w.effective_n
    if eff and w.n_weighted is not None:
        text += (f" Vægtningen gør skønnene mindre præcise: de {fmt.number(w.n_weighted)} vægtede besvarelser "
                 f"giver samme præcision som ca. {fmt.number(eff)} uvægtede (designeffekt "
                 f"{fmt.number(w.design_effect, 2)}).")
    c.add(para(text))
    if w.n_left_out is None:
        why = join_da([_nouns_in_reason(c, r) for r in w.left_out_reasons], "eller")
        c.add(para("Nogle besvarelser kan ikke vægtes og indgår ikke i de vægtede tal"
                   + (f", fordi de {why}" if why else "")
                   + "; antallet vises ikke, da det ville afsløre, hvor få der ikke har oplyst det."))
    elif w.n_left_out:
        reasons = {_nouns_in_reason(c, r): n for r, n in w.left_out_reasons.items()}
        if any(n is None for n in reasons.values()):
            c.add(para(f"{count_noun(w.n_left_out, 'besvarelse', 'besvarelser')} kan ikke vægtes og indgår ikke "
                       f"i de vægtede tal, fordi de {join_da(list(reasons), 'eller')}."))
        elif len(reasons) == 1 and next(iter(reasons.values())) == w.n_left_out:
            c.add(para(f"{count_noun(w.n_left_out, 'besvarelse', 'besvarelser')} {next(iter(reasons))} og kan "
                       "derfor ikke vægtes; de indgår ikke i de vægtede tal."))
        else:
            why = join_da([f"{count_noun(n, 'besvarelse', 'besvarelser')} {r}" for r, n in reasons.items()])
            c.add(para(f"{count_noun(w.n_left_out, 'besvarelse', 'besvarelser')} kan ikke vægtes og indgår ikke "
                       "i de vægtede tal" + (f" ({why})." if why else ".")))


def _wish_section(c: _Ctx, wish: _Wish) -> None:
    """A question that routes on (VJH 3.1 and 3.2): its table, the wished values, a figure by another field,
    and the coded reasons for each answer."""
    w = c.w
    t1 = wish.table
    noun = c.group_label(t1.among)
    c.add(Heading(2, w.field_text(t1.field, "heading", t1.title) or t1.title, c.subsection()))
    lead = ""
    group = c.definition.groups.get(t1.among)
    if "group_size" in w.of(t1.field) and group is not None and group.field and c.has_field(group.field):
        stated = c.ts.answered(group.field)
        size = c.ts.group_size(t1.among)
        if stated and size is not None and c.citeable(size):
            lead = (w.field_text(t1.field, "group_size", "", size=fmt.number(size), stated=fmt.number(stated),
                                 group=noun, pct=fmt.pct(100.0 * size / stated)) or "") + " "
    c.add(para(lead + yes_no_sentence(w, t1, noun)))
    c.add_table(t1.number, weighted=True)
    t2 = wish.target
    if t2 is not None:
        c.add(*_target_sentence(c, t2, t1, c.group_label(t2.among)))
        c.add_table(t2.number, weighted=True)
        c.add(*_target_notes(c, t2, group.field if group is not None else None))
    f1 = next((f for f in c.figures.values() if f.field == t1.field and f.kind == "share"), None)
    if f1 is not None:
        c.add(Heading(3, w.figure_text(f1.number, "heading", f1.title) or f1.title))
        rows = [(g, int(n), int(t), None if p is None or pd.isna(p) else float(p))
                for g, n, t, p in f1.data[["group", "count", "total", "pct"]].itertuples(index=False)
                if g != f1.merged_label]
        answer = w.answer(t1.field, str(f1.value), True)
        default = f"Figur {f1.number} viser for hver gruppe af {w.noun(f1.by or '')}, hvor stor en andel der {answer}."
        test = c.ts.share_test(f1, str(f1.value))
        c.add(para(f"{w.figure_text(f1.number, 'text', default, number=f1.number, answer=answer)} "
                   + _compare_groups_sentence(c, rows, None, f1.by, bool(f1.hidden), test)))
        c.add_figure(f1.number)
    for reason in wish.reasons:
        _reasons(c, reason)


def _reasons(c: _Ctx, field_name: str) -> None:
    """An open question's coded table, with its categories described as the wording says."""
    spec = c.spec_for(field_name)
    if spec is None or field_name not in c.definition.fields:
        return
    f = c.definition.fields[field_name]
    c.add(Heading(3, c.w.field_text(field_name, "heading", spec.title) or spec.title))
    cats = f.categories
    t = c.tables.get(spec.number)
    group = c.definition.coding_group(field_name)
    label = c.group_label(group)
    # A label with a relative clause ("deltidsansatte, der ...") closes it with a comma.
    who = "Alle" if group == ALL else f"{label[:1].upper()}{label[1:]}{',' if ',' in label else ''}"
    default = f"{who} har kunnet svare på spørgsmålet »{f.text}«."
    text = (f"{c.w.field_text(field_name, 'lead', default)} Svarene er læst og inddelt i "
            f"{count_noun(len(cats), 'kategori', 'kategorier')}")
    lst = category_list(c.w, field_name, cats)
    c.add(para(text + (":" if lst is not None else f": {join_da([quoted(x) for x in cats])}.")))
    if lst is not None:
        c.add(lst)
    c.add_table(spec.number)
    if t is not None:
        c.add(para(coded_summary(t)))


def _opinion_section(c: _Ctx, op: _Opinion) -> None:
    """A question shown in figures, with the coded explanations of one answer (VJH 3.3)."""
    w = c.w
    f2, f3 = op.distribution, op.cross
    spec = c.spec_for(op.coded)
    title = (f2.title if f2 is not None else spec.title if spec is not None else op.field)
    c.add(Heading(2, w.field_text(op.field, "heading", title) or title, c.subsection()))
    question = c.definition.fields[op.field].text
    if f2 is not None:
        if f2.n == 0:
            c.add(para(w.figure_text(f2.number, "empty", f"Ingen har svaret på spørgsmålet »{question}«.",
                                     number=f2.number) or ""))
        else:
            parts = [f"{fmt.pct(f2.pct(g))} {quoted(g)}" for g in f2.groups() if f2.pct(g) is not None]
            default = (f"Figur {f2.number} viser svarene fra de {fmt.number(f2.n)}, der har svaret på spørgsmålet "
                       f"»{question}«. Svarene fordeler sig med {join_da(parts)}.")
            c.add(para(w.figure_text(f2.number, "text", default, number=f2.number, n=fmt.number(f2.n),
                                     shares=join_da(parts)) or ""))
        c.add_figure(f2.number)
    if f3 is not None:
        cats = list(dict.fromkeys(f3.data["category"]))
        value = op.value if op.value in cats or not cats else str(cats[0])
        rows = [(g, int(n), int(t), None if p is None or pd.isna(p) else float(p))
                for g, cat, n, t, p in f3.data[["group", "category", "count", "total", "pct"]].itertuples(index=False)
                if cat == value and g != f3.merged_label]
        default = f"Figur {f3.number} viser svarene fordelt på {w.noun(f3.by or '')}."
        c.add(para(f"{w.figure_text(f3.number, 'text', default, number=f3.number)} "
                   + _compare_groups_sentence(c, rows, w.answer(op.field, value, True), f3.by, bool(f3.hidden),
                                              c.ts.share_test(f3, value))))
        c.add_figure(f3.number)
    if spec is not None:
        _reasons(c, op.coded)
        group = c.definition.groups.get(c.definition.coding_group(op.coded))
        if group is not None and group.values and f2 is not None:
            uncoded = w.of(op.coded).get("uncoded")
            others = [g for g in f2.groups() if g not in group.values and g != f2.merged_label
                      and (uncoded is None or g in uncoded)]
            if others:
                answers = join_da([quoted(v) for v in group.values], "eller")
                default = ("Kun svarene fra dem, der har svaret {answers}, er kodet; de {shares}, der har svaret "
                           "{others}, indgår ikke i tabellen.")
                template = w.of(op.coded).get("coded_only", default)
                c.add(para(w.fill(template, f"field {op.coded!r}: coded_only", answers=answers,
                                  shares=join_da([fmt.pct(f2.pct(g)) for g in others]),
                                  others=join_da([quoted(g) for g in others], "eller"))))


def _weighted_section(c: _Ctx) -> None:
    if c.ts.weighting is None:
        return
    items_: list[ListItem] = []
    changes: list[tuple[float, Table, Row]] = []
    tables = [(wish, t) for wish in c.wishes for t in (wish.table, wish.target) if t is not None]
    for wish, t in tables:
        field_name = t.field
        for r in shown_rows(t):
            if r.weighted is not None and r.pct is not None:
                changes.append((abs(r.weighted.pct - r.pct), t, r))
        w: Weighted | None  # the weighted share the bullet quotes
        if t is wish.table:
            r = next((r for r in shown_rows(t) if r.label == wish.yes), None)
            if r is None or r.weighted is None:
                continue
            w = r.weighted
            items_.append(item(
                f"Vægtet til hele {c.population()} er andelen af de {c.group_label(t.among)}, der "
                f"{c.w.answer(field_name, wish.yes, True)}, ca. {fmt.pct(w.pct)} (95%-konfidensinterval "
                f"{pct_interval(w)}), svarende til omkring {about(w.population_count)} medarbejdere. "
                f"Uvægtet er andelen {fmt.pct(r.pct)} (tabel {t.number})."))
        else:
            tiers = ranked([r for r in shown_rows(t) if r.weighted is not None and (r.count or 0) > 0],
                           key=lambda r: r.count)
            if tiers and len(tiers[0]) == 1:
                r = tiers[0][0]
                w = r.weighted
                assert w is not None
                items_.append(item(
                    f"Blandt de {c.group_label(t.among)}{',' if ',' in c.group_label(t.among) else ''} "
                    "er den vægtede andel, der "
                    f"{c.w.answer(field_name, r.label, True)}, {fmt.pct(w.pct)} (95%-konfidensinterval "
                    f"{pct_interval(w)}) mod {fmt.pct(r.pct)} uvægtet (tabel {t.number})."))
    if not items_:
        return
    c.add(Heading(2, "Vægtede resultater", c.subsection()))
    c.add(para("Vægtningen retter for, at nogle grupper har svaret oftere end andre. Sådan ændrer den de "
               "vigtigste resultater:"), BulletList(tuple(items_)))
    if changes:
        d, t, r = max(changes, key=lambda x: (x[0], -x[1].number))
        if fmt.round_half_up(d) < 1:
            c.add(para("Vægtningen ændrer ingen af andelene i tabellerne med et helt procentpoint eller mere."))
        else:
            c.add(para(f"Den største forskel mellem vægtet og uvægtet andel er "
                       f"{count_noun(int(fmt.round_half_up(d)), 'procentpoint', 'procentpoint')} "
                       f"(tabel {t.number}, {quoted(r.label)}). Konfidensintervallerne viser, at de vægtede "
                       "andele er skøn med en vis usikkerhed."))


def _conclusion(c: _Ctx) -> None:
    c.add(Heading(1, "Konklusion", c.section()))
    if c.conclusion and c.conclusion.strip():
        c.add(*markdown_blocks(c.conclusion))
        return
    parts = []
    for wish in c.wishes:
        t, label = wish.table, _headline(c, wish)
        r = next((r for r in shown_rows(t) if r.label == label), None)
        if r is not None and t.base:
            who = "alle" if t.among == ALL else f"de {c.group_label(t.among)}"
            parts.append(f"{fmt.pct(r.pct)} af {who}, der har svaret, {c.w.answer(t.field, label, True)}")
    text = "Undersøgelsen viser, at " + ", og at ".join(parts) + "." if parts else ""
    for op in c.opinions:
        if not c.has_field(op.field) or op.value not in c.facts.options.get(op.field, ()):
            continue
        among = op.distribution.among if op.distribution is not None else ALL
        f = c.ts.distribution(op.field, among)
        if f.n and op.value in f.groups():
            text += f" {fmt.pct(f.pct(op.value))} {c.w.answer(op.field, op.value)}."
    s = c.facts
    if s.answered:
        text += (f" Resultaterne bygger på {count_noun(s.answered, 'besvarelse', 'besvarelser')} "
                 f"(svarprocent {fmt.pct(100.0 * s.response_rate)})")
        text += (", så de skal læses med forbehold for, at de, der har svaret, kan adskille sig fra dem, der ikke "
                 "har." if 100.0 * s.response_rate < 50 else ".")
    if text.strip():
        c.add(para(text.strip()))

