"""The memo's sentences: each says what a table or figure shows, chosen by what the data shows (the largest
group, ties, empty groups, singular or plural, a question nobody answered), from published numbers only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import pandas as pd

from fuldtid import fmt
from fuldtid.danish import count_noun, join_da, quoted
from fuldtid.model.definition import ALL
from fuldtid.model.wording import Wording
from fuldtid.stats.figuredata import FigureData
from fuldtid.stats.significance import format_p
from fuldtid.stats.tables import Row, Table
from fuldtid.render.blocks import (BulletList, Paragraph, Run,
                                   item, para)
from fuldtid.render.memo_context import (REPRESENTATION_TOLERANCE, _Ctx, _Wish,
                                         n_pct, paren, ranked, shown_rows)

if TYPE_CHECKING:
    from fuldtid.stats.release import MarginFact
    from fuldtid.stats.significance import DifferenceTest




def exclusion_sentence(count: int, reason: str) -> str:
    """``2 respondenter svarede ikke på »…« og indgår ikke i tabeller over …``"""
    if reason.startswith("svarede ikke"):
        return f"{count_noun(count, 'respondent', 'respondenter')} {reason.replace('«: ', '« og ', 1)}."
    return f"{count_noun(count, 'besvarelse', 'besvarelser')}: {reason}."


def _top_phrase(w: Wording, tier: list[Row], field_name: str) -> str:
    """``Størstedelen (60%) ønsker at gå op til 37 timer`` / ``Flest (47%) ...`` / ties."""
    share = tier[0].pct
    if len(tier) == 1:
        lead = "Størstedelen" if share is not None and share > 50 else "Flest"
        return f"{lead} ({fmt.pct(share)}) {w.answer(field_name, tier[0].label)}"
    labels = join_da([r.label for r in tier])
    if w.target(field_name) is not None:
        return f"Lige mange ({fmt.pct(share)} hver) {w.answer(field_name, labels)}"
    return f"Lige mange ({fmt.pct(share)} hver) svarer {join_da([quoted(r.label) for r in tier], 'og')}"


def coded_summary(t: Table) -> str:
    """Which categories are named most and least often, with counts and shares."""
    rows = shown_rows(t)
    if t.base == 0:
        return "Ingen svar er kodet i kategorierne."
    named = [r for r in rows if (r.count or 0) > 0]
    if not named:
        return "Ingen af de viste kategorier er brugt."
    tiers = ranked(named, key=lambda r: r.count)
    first = tiers[0]
    if len(first) == 1:
        r = first[0]
        s = (f"Flest svar hører til kategorien {quoted(r.label)} "
             f"({fmt.number(r.count or 0)} af {fmt.number(t.base)}, {fmt.pct(r.pct)})")
    else:
        s = (f"Flest svar hører til kategorierne {join_da([quoted(r.label) for r in first])} "
             f"({fmt.number(first[0].count or 0)} hver af {fmt.number(t.base)}, {fmt.pct(first[0].pct)})")
    if len(tiers) > 1:
        second = tiers[1]
        s += (f", dernæst {join_da([quoted(r.label) for r in second])} "
              f"{paren(second[0].count or 0, second[0].pct, len(second) > 1)}")
    s += "."
    if len(tiers) > 2:
        last = tiers[-1]
        # Hidden categories are smaller than every shown one: "fewest" is only said of those shown.
        hidden = any(getattr(r, "suppressed", False) or getattr(r, "members", ()) for r in t.rows)
        s += (f" {'Af de kategorier, der vises for sig, hører færrest' if hidden else 'Færrest hører'} til "
              f"{join_da([quoted(r.label) for r in last])} {paren(last[0].count or 0, last[0].pct, len(last) > 1)}.")
    empty = [r for r in rows if r.count == 0]
    if empty:
        s += f" Ingen svar hører til {join_da([quoted(r.label) for r in empty], 'eller')}."
    return s


def category_list(w: Wording, field_name: str, spec_categories: Sequence[str]) -> BulletList | None:
    """The coded categories with whom each covers, when the wording describes them."""
    desc = w.categories(field_name)
    cats = list(spec_categories)
    if not desc or not cats:
        return None
    items = [item(Run(c, bold=True), f": {desc[c]}." if c in desc else "") for c in cats]
    return BulletList(tuple(items))


def yes_no_sentence(w: Wording, t: Table, group_noun: str) -> str:
    """``65 (30%) af de 214 deltidsansatte, der har svaret på spørgsmålet, ønsker at gå op i tid, mens ...``"""
    if t.base == 0:
        return f"Ingen {group_noun} har svaret på spørgsmålet »{t.question}«."
    rows = shown_rows(t)
    hidden = any(getattr(r, "suppressed", False) or getattr(r, "members", ()) for r in t.rows)
    if not rows:
        return (f"{count_noun(t.base, group_noun.split(',')[0], group_noun.split(',')[0])} har svaret på "
                "spørgsmålet; fordelingen vises ikke af hensyn til anonymiteten.")
    first, rest = rows[0], rows[1:]
    of = f"af de {fmt.number(t.base)} {group_noun}, der har svaret på spørgsmålet," if t.base != 1 else \
        f"af de {group_noun}, der har svaret på spørgsmålet,"
    s = f"{n_pct(first.count or 0, first.pct)} {of} {w.answer(t.field, first.label)}"
    if rest:
        s += ", mens " + join_da([f"{n_pct(r.count or 0, r.pct)} {w.answer(t.field, r.label, True)}"
                                  for r in rest])
    s += "."
    if hidden:
        s += " Øvrige svar vises ikke af hensyn til anonymiteten."
    return s


def _headline(c: _Ctx, wish: _Wish) -> str:
    """The answer a key point leads with: the wording's ``headline``; else the answer a follow-up question is
    asked after (VJH: "Ja", then how many hours); else the most common answer, not merely the answer that
    happens to define a group (a group of those answering "Nej", asked why, does not make "Nej" the finding)."""
    chosen = c.w.of(wish.field).get("headline")
    if chosen:
        return str(chosen)
    if wish.target is not None:
        return wish.yes
    tiers = ranked([r for r in shown_rows(wish.table) if (r.count or 0) > 0], key=lambda r: r.count)
    return tiers[0][0].label if tiers and len(tiers[0]) == 1 else wish.yes


def _largest_share_group(c: _Ctx, field_name: str, value: str, by: str,
                         among: str = ALL) -> tuple[str, float, bool, DifferenceTest] | None:
    """The group of ``by`` (big enough to compare) with the largest share answering ``value``, whether
    some groups were left out of the comparison (too small or hidden), and the test of the groups as shown
    (say "largest" only when it is significant); None on a tie."""
    if not c.has_field(by):
        return None
    f, hidden, fig = _share_by(c, field_name, value, by, among)
    groups = [(g, p) for g, t, p in f if t >= c.compare_min and p is not None]
    left_out = hidden or any(0 < t < c.compare_min for _, t, _ in f)
    if len(groups) < 2:
        return None
    best = max(p for _, p in groups)
    top = [g for g, p in groups if p == best]
    test = c.ts.share_test(fig, value)
    return (top[0], best, left_out, test) if len(top) == 1 else None


def _share_by(c: _Ctx, field_name: str, value: str, by: str,
              among: str = ALL) -> tuple[list[tuple[str, int, float | None]], bool, FigureData]:
    """(group, group size, share answering value) for the shown groups of ``by``, whether any is hidden, and
    the figure data they come from."""
    f = c.ts.share_by(field_name, value, by, among)
    merged = f.merged_label
    rows = [(g, int(t), None if p is None or pd.isna(p) else float(p))
            for g, t, p in f.group_rows()[["group", "total", "pct"]].itertuples(index=False) if g != merged]
    return rows, bool(f.hidden), f


def _compare_groups_sentence(c: _Ctx, rows: list[tuple[str, int, int, float | None]], phrase_sub: str | None,
                             by_field: str | None, hidden: bool = False, test: DifferenceTest | None = None) -> str:
    """Largest and smallest share among groups big enough to compare: rows are (label, count, total, pct).

    ``phrase_sub`` None: the share was named in the sentence before ("Andelen er størst ...").
    ``test`` (a :class:`~fuldtid.stats.significance.DifferenceTest` of the groups as published): a largest and a
    smallest group are only named when it finds a difference; otherwise the sentence says plainly that the
    groups do not differ demonstrably, and gives the range of their shares."""
    subject = f"Andelen, der {phrase_sub}," if phrase_sub else "Andelen"
    big = [r for r in rows if r[2] >= c.compare_min and r[3] is not None]
    small = [r for r in rows if 0 < r[2] < c.compare_min]
    caveat = (f" Grupper med færre end {c.compare_min} svar sammenlignes ikke, fordi én besvarelse flytter "
              "deres andel meget." if small else "")
    if hidden:
        caveat += " Grupper, der er skjult af hensyn til anonymiteten, indgår ikke i sammenligningen."
    if not big:
        return f"Ingen af grupperne har {c.compare_min} svar eller flere, så de sammenlignes ikke." if rows else ""
    if len(big) == 1:
        lbl, n, t, p = big[0]
        what = f"andelen, der {phrase_sub}," if phrase_sub else "andelen"
        where = c.w.among(by_field, lbl)
        rest = ("Der er ingen anden gruppe at sammenligne med: de øvrige er for små eller skjult af hensyn til "
                "anonymiteten." if hidden else
                f"Der er ingen anden gruppe med mindst {c.compare_min} svar at sammenligne med.")
        small_note = (f" Grupper med færre end {c.compare_min} svar sammenlignes ikke, fordi én besvarelse flytter "
                      "deres andel meget." if small and not hidden else "")
        return (f"{where[:1].upper()}{where[1:]} er {what} {fmt.pct(p)} ({fmt.number(n)} af {fmt.number(t)}). "
                f"{rest}{small_note}")
    tiers = ranked(big, key=lambda r: round(r[3], 9))
    hi, lo = tiers[0], tiers[-1]

    def names(tier: list[tuple[str, int, int, float | None]]) -> str:
        if len(tier) == 1:
            lbl, n, t, p = tier[0]
            return f"{c.w.among(by_field, lbl)} ({fmt.pct(p)}, {fmt.number(n)} af {fmt.number(t)})"
        prep = "blandt" if c.w.has_group_phrase(by_field) else "i"
        return (f"{prep} {join_da([c.w.group(by_field, r[0]) for r in tier])} "
                f"({fmt.pct(tier[0][3])} hver)")

    if len(tiers) == 1:
        return f"{subject} er den samme i alle grupperne ({fmt.pct(hi[0][3])}).{caveat}"
    if (test is None or not test.significant) and fmt.pct(lo[0][3]) == fmt.pct(hi[0][3]):
        return (f"{subject} er {fmt.pct(hi[0][3])} i alle grupperne med mindst {c.compare_min} svar, og "
                f"{_no_difference(test)}{caveat}")
    if test is None or not test.significant:
        return (f"{subject} ligger mellem {fmt.pct(lo[0][3])} og {fmt.pct(hi[0][3])} i grupperne med mindst "
                f"{c.compare_min} svar, men {_no_difference(test)}{caveat}")
    spread = (hi[0][3] or 0) - (lo[0][3] or 0)
    return (f"{subject} er størst {names(hi)} og mindst {names(lo)}; forskellen er "
            f"{count_noun(int(fmt.round_half_up(spread)), 'procentpoint', 'procentpoint')}. "
            f"{test.sentence}{caveat}")


def _no_difference(test: DifferenceTest | None) -> str:
    """The end of a sentence saying that the groups do not demonstrably differ (or cannot be tested)."""
    if test is None or test.method == "ingen test":
        return "forskellen mellem grupperne kan ikke testes, så tallene viser ikke, at nogen gruppe skiller sig ud."

    return (f"forskellen mellem grupperne er ikke statistisk sikker ({format_p(test.p_value)}), så tallene viser "
            "ikke, at nogen gruppe skiller sig ud.")


def _nouns_in_reason(c: _Ctx, reason: str) -> str:
    """``mangler koen og timetal`` (the weighting's reason, in field names) as ``mangler køn og timetal``."""
    if not reason.startswith("mangler "):
        return reason
    names = [x for part in reason[len("mangler "):].split(" og ") for x in part.split(", ")]
    return "mangler " + join_da([c.w.noun(x) for x in names])


def _margin_sentence(c: _Ctx, variable: str, diags: Sequence[MarginFact]) -> str:
    """Which categories of one weighting variable are over- or under-represented among the answers."""
    noun = c.w.noun(variable)
    over, under, even = [], [], []
    for m in diags:
        if m.sample_share is None or (m.sample_count is not None and 0 < m.sample_count < c.min_group):
            continue  # a category this small (or hidden with a small group) is not named
        diff = 100.0 * (m.sample_share - m.population_share)
        entry = (m.category, fmt.pct(100 * m.sample_share), fmt.pct(100 * m.population_share))
        if diff >= REPRESENTATION_TOLERANCE:
            over.append(entry)
        elif diff <= -REPRESENTATION_TOLERANCE:
            under.append(entry)
        else:
            even.append(entry)
    said = [False]

    def desc(entries: list[tuple[str, str, str]]) -> str:
        out = []
        for cat, sample, pop in entries:
            # The first mention says what the two shares are; later ones are short.
            out.append(f"{quoted(cat)} ({sample} mod {pop})" if said[0] else
                       f"{quoted(cat)} ({sample} af besvarelserne mod {pop} af medarbejderne)")
            said[0] = True
        return join_da(out)

    if not over and not under:
        return f"Fordelingen på {noun} svarer nogenlunde til {c.population(True)}: {desc(even)}." if even else ""
    parts = []
    if over:
        parts.append(f"{desc(over)} er overrepræsenteret")
    if under:
        parts.append(f"{desc(under)} er underrepræsenteret")
    return f"Fordelingen på {noun} afviger: " + "; ".join(parts) + "."


def _target_sentence(c: _Ctx, t: Table, base_table: Table | None, noun: str) -> list[Paragraph]:
    """The most wished value (VJH: the hours wished for), and what it is of the whole question's group."""
    comma = "," if "," in noun else ""
    if t.base == 0:
        question = c.definition.fields[t.field].text if t.field in c.definition.fields else t.question
        return [para(c.w.field_text(t.field, "empty", f"Ingen {noun}{comma} har svaret på spørgsmålet »{question}«.",
                                    group=f"{noun}{comma}") or "")]
    tiers = ranked([r for r in shown_rows(t) if (r.count or 0) > 0], key=lambda r: r.count)
    if not tiers:
        return []
    top = tiers[0]
    target = c.w.target(t.field)
    verb, rest = target or ("svarer", "{label}")
    label = (lambda x: x) if target else quoted  # the wording's own phrase, or the answer as given

    def phrase(lbl: str) -> str:
        return c.w.fill(rest, f"field {t.field!r}: target", label=lbl)

    if len(top) == 1:
        r = top[0]
        lead = "størstedelen" if (r.pct or 0) > 50 else "flest"
        s = (f"Af de {fmt.number(t.base)} {noun}{comma} {verb} {lead}, "
             f"{n_pct(r.count or 0, r.pct)}, {phrase(label(r.label))}.")
        if base_table is not None and base_table.base:
            share = 100.0 * (r.count or 0) / base_table.base
            s += (f" Det svarer til {fmt.pct(share)} af alle {fmt.number(base_table.base)} "
                  f"{c.group_label(base_table.among)}, der har svaret.")
    else:
        labels = join_da([label(r.label) for r in top], "eller")
        s = (f"Af de {fmt.number(t.base)} {noun}{comma} er der lige mange "
             f"({fmt.pct(top[0].pct)} hver), der {verb} {phrase(labels)}.")
    return [para(s)]


def _target_notes(c: _Ctx, t: Table, current: str | None) -> list[Paragraph]:
    """What the wording says about wished values that look misread (not above / below the current value,
    or the lowest answer), with the counts from the data."""
    w = c.w
    out = []
    for key, up in (("not_above_current", True), ("not_below_current", False)):
        if key in w.of(t.field) and current is not None:
            odd = c.ts.ordered_pairs(t.field, current, t.among, up=up)
            if odd and c.citeable(odd):
                out.append(para(w.field_text(t.field, key, "", count=count_noun(odd, "besvarelse", "besvarelser"),
                                             n=fmt.number(odd)) or ""))
    if "lowest" in w.of(t.field) and c.has_field(t.field) and c.facts.options.get(t.field):
        low = next((r for r in shown_rows(t) if r.label == c.facts.options[t.field][0]), None)
        if low is not None and (low.count or 0) > 0:
            out.append(para(w.field_text(t.field, "lowest", "", n_pct=n_pct(low.count or 0, low.pct),
                                         label=quoted(low.label)) or ""))
    return out


def _figure_intro(c: _Ctx, f: FigureData) -> str:
    """``Figur 4 viser de svarendes alder.``, or the wording's own sentence for the figure."""
    noun = c.w.of(f.field).get("noun") or f"{f.title[:1].lower()}{f.title[1:]}"
    default = f"Figur {f.number} viser de svarendes {noun}."
    return c.w.figure_text(f.number, "text", default, number=f.number) or default


def _distribution_sentence(c: _Ctx, f: FigureData, noun: str) -> str:
    if f.n == 0:
        return "Ingen har svaret på spørgsmålet."
    rows = [(g, int(n), p) for g, n, p in f.data[["group", "count", "pct"]].itertuples(index=False)
            if g != f.merged_label]
    named = [r for r in rows if r[1] > 0]
    if not named:
        return ""
    tiers = ranked(named, key=lambda r: r[1])
    hi = tiers[0]
    s = (f"Den største {noun} er {join_da([quoted(r[0]) for r in hi])} "
         f"({fmt.pct(hi[0][2])}{' hver' if len(hi) > 1 else ''})")
    if len(tiers) > 1:
        lo = tiers[-1]
        # Hidden groups are smaller than every shown one, so "the smallest" is only said of those shown.
        s += (f", den mindste{' af dem, der vises for sig,' if f.hidden else ''} "
              f"{join_da([quoted(r[0]) for r in lo])} ({fmt.pct(lo[0][2])}{' hver' if len(lo) > 1 else ''})")
    s += "."
    empty = [r[0] for r in rows if r[1] == 0]
    if empty:
        s += f" Ingen af de svarende hører til {join_da([quoted(e) for e in empty], 'eller')}."
    return s


def _table_sentence(t: Table, numbered: bool = False) -> str:
    """What a one-way or multiple-choice table shows first: its most common answer(s); ``numbered``: said as
    "I tabel 3 har flest svaret ..." before the table."""
    if t.kind not in ("oneway", "multiple") or not t.base:
        return ""
    tiers = ranked([r for r in shown_rows(t) if (r.count or 0) > 0], key=lambda r: r.count)
    if not tiers:
        return ""
    top = tiers[0]
    verb = "svaret" if t.kind == "oneway" else "sat kryds ved"
    start = f"I tabel {t.number} har flest" if numbered else "Flest har"
    return (f"{start} {verb} {join_da([quoted(r.label) for r in top], 'og')} "
            f"{paren(top[0].count or 0, top[0].pct, len(top) > 1)}.")


def _number_range(nums: Sequence[int]) -> str:
    nums = sorted(nums)
    if len(nums) > 2 and nums == list(range(nums[0], nums[-1] + 1)):
        return f"{nums[0]}–{nums[-1]}"
    return join_da([str(n) for n in nums])

