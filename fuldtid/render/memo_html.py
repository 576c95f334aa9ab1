"""The memo as one self-contained HTML file: styles inline, figures as data URIs, nothing fetched.

Templates (Jinja2, autoescaped: an answer containing ``<script>`` shows as text) live in
``reports/templates/``, shipped as the package ``fuldtid.templates``.
"""

from __future__ import annotations

import base64
import functools
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fuldtid.render.docx_look import DocumentInfo, front_block
from fuldtid.render.blocks import Memo
from fuldtid.render.memo import build_memo
from fuldtid.stats.release import Release
from fuldtid.stats.tables import TableSet

if TYPE_CHECKING:
    import datetime as dt

    import jinja2

TEMPLATE = "notat.html.j2"
STYLESHEET = "notat.css"


def memo_html(tableset: Release | TableSet, *, intro: str | None = None, conclusion: str | None = None,
              docx_template: str | Path | None = None, info: DocumentInfo | None = None, **_other: Any) -> str:
    """The memo of ``tableset`` as an HTML document (``docx_template`` is accepted and ignored, so the
    same options serve every format); ``info`` the date, sagsbehandler and recipient of the front block."""
    release = Release.of(tableset)
    memo = build_memo(release, intro=intro, conclusion=conclusion)
    return render_html(memo, info=info, data_date=release.facts.data_date)


def _read(name: str) -> str:
    return resources.files("fuldtid.templates").joinpath(name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: _read(name)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


def render_html(memo: Memo, *, info: DocumentInfo | None = None, data_date: dt.date | None = None) -> str:
    """The memo as HTML; figures are SVG (sharp at any zoom and in print), embedded as data URIs."""
    from fuldtid.render.figures import render_svg

    images = {
        b.number: "data:image/svg+xml;base64," + base64.b64encode(render_svg(b.data).encode("utf-8")).decode("ascii")
        for b in memo.figures()
    }
    full, front = front_block(info, data_date, memo.organisation)
    template = _environment().get_template(TEMPLATE)
    return template.render(memo=memo, css=_read(STYLESHEET), images=images, front=front,
                           author=full.author or "", date=full.date.isoformat() if full.date else "")
