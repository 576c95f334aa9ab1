"""The memo as a Word document: real Word tables, embedded figures, the template's styles, header and footer.

The output is byte-identical for identical input: fixed document properties, figures rendered
deterministically, and the zip rewritten with fixed timestamps (:func:`fuldtid.ziputil.normalise_zip`).
The writing itself is :mod:`fuldtid.render.docx_writer`, shared with the breakdown and comparison documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fuldtid.render.docx_look import DocumentInfo
from fuldtid.render.docx_writer import render_docx
from fuldtid.render.memo import build_memo
from fuldtid.stats.release import Release
from fuldtid.stats.tables import TableSet


def memo_docx(tableset: Release | TableSet, *, intro: str | None = None, conclusion: str | None = None,
              docx_template: str | Path | None = None, info: DocumentInfo | None = None, **_other: Any) -> bytes:
    """The memo of ``tableset`` as DOCX bytes; ``docx_template`` is an organisation's own .docx to take
    styles, header and footer from (default: the shipped ``notat.docx``); ``info`` the date, sagsbehandler
    and recipient of the front block (default: the date of the last answer, no names)."""
    release = Release.of(tableset)
    memo = build_memo(release, intro=intro, conclusion=conclusion)
    return render_docx(memo, docx_template, info=info, data_date=release.facts.data_date)
