"""The memo (notat) as a format-agnostic content model, with all its Danish prose computed from the data.

:func:`build_memo` turns a :class:`~fuldtid.stats.release.Release` (the protected results of one export; never
the survey's responses) into a :class:`Memo`: a title block and a flat
sequence of blocks (headings, paragraphs, bullet lists, tables, figures). The DOCX and HTML renderers only
lay these blocks out, so both formats say exactly the same thing.

Every number in a sentence is read from the tables or the figures' data at the moment the memo is built;
nothing about the 2022 results is written into the text. Sentences are chosen by what the data shows (the
largest group, ties, empty groups, singular or plural, a question nobody answered), and counts that the
tables hide for anonymity are never quoted, nor are groups below the threshold named.

What is particular to one questionnaire is not in this module: the words (what giving an answer means,
nouns, whom a coded category covers, the sentences around a figure) come from the ``wording:`` section of
the survey definition (:class:`Wording`, with neutral fallbacks), and the analysis sections are found
from the definition's groups and tables (:func:`_wishes`, :func:`_opinions`). The appendix on the
respondents finds its fields by the roles the definition gives them (``memo: appendix:`` age, sex, job,
workplace, agreement, hours); extra sections come from ``memo: sections:``; other tables and figures land in
"Øvrige tabeller og figurer".

The memo is built in modules a reviewer reads one at a time: the content model (:mod:`fuldtid.render.blocks`),
the shared context (:mod:`fuldtid.render.memo_context`), the sentences (:mod:`fuldtid.render.memo_sentences`),
the main sections (:mod:`fuldtid.render.memo_sections`) and the appendices (:mod:`fuldtid.render.memo_appendix`).
Danish grammar is :mod:`fuldtid.danish`; the questionnaire's own words are :class:`fuldtid.model.wording.Wording`.
"""

from __future__ import annotations

from fuldtid.danish import MONTHS, da_period, join_da  # noqa: F401  (re-exported)
from fuldtid.model.wording import Wording  # noqa: F401  (re-exported)
from fuldtid.render.blocks import (Block, BulletList, FigureBlock, Heading, ListItem, Memo, Paragraph,  # noqa: F401
                                   PendingTable, Run, TableBlock, item, markdown_blocks, para)
from fuldtid.render.memo_appendix import _appendix, _follow_up, _leftovers, _sections
from fuldtid.render.memo_context import _Ctx
from fuldtid.render.memo_sections import (_conclusion, _data_basis, _intro, _opinion_section, _title_meta,
                                          _weighted_section, _wish_section)
from fuldtid.render.memo_context import figure_alt  # noqa: F401  (re-exported)
from fuldtid.render.memo_sentences import _top_phrase  # noqa: F401  (re-exported)
from fuldtid.stats.release import Release
from fuldtid.stats.tables import TableSet


def build_memo(release: Release | TableSet, *, intro: str | None = None, conclusion: str | None = None) -> Memo:
    """The whole memo as content blocks, with prose computed from ``release`` (a table set is taken as its
    release, :meth:`Release.of`).

    ``intro``/``conclusion`` are the analyst's own Markdown texts; without them a neutral text is used.
    """
    c = _Ctx(Release.of(release), intro, conclusion)
    _intro(c)
    _data_basis(c)
    if c.wishes or c.opinions:
        c.add(Heading(1, c.w.text("analysis_heading", "Resultater") or "Resultater", c.section()))
    for wish in c.wishes:
        _wish_section(c, wish)
    for op in c.opinions:
        _opinion_section(c, op)
    _sections(c)
    _weighted_section(c)
    if "comparison" in c.ts.extra:  # fuldtid report --previous: the development since the previous wave
        from fuldtid.render.compare_memo import add_change_section

        add_change_section(c, c.ts.extra["comparison"])
    _conclusion(c)
    _appendix(c)
    _follow_up(c)
    _leftovers(c)
    d = c.definition
    return Memo(d.title, d.organisation, _title_meta(c), tuple(c.blocks))

