"""Office files are zips; rewriting them with fixed timestamps makes the same input give the same bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

FIXED_TIME = (2000, 1, 1, 0, 0, 0)
FIXED_STAMP = b"2000-01-01T00:00:00Z"
# openpyxl stamps the save time into the document properties whatever the workbook says.
_STAMPS = re.compile(rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*(</dcterms:(?:modified|created)>)")


def normalise_zip(data: bytes, when: dt.datetime | None = None) -> bytes:
    """The same archive with member timestamps, attributes and document-property dates fixed, in the
    original member order. The created/modified properties become ``when`` (the document's own date),
    or 2000-01-01 without one."""
    stamp = FIXED_STAMP if when is None else when.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _STAMPS.sub(rb"\g<1>" + stamp + rb"\g<2>", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 0
            dst.writestr(fixed, body)
    return out.getvalue()
