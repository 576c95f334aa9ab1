"""Read a SurveyXact dataset export into one uniform :class:`Export`.

SurveyXact writes the same three tables (Dataset, Structure, Labels) in several forms: three CSV files in
a folder or a zip, an Excel workbook, or an SPSS ``.sav`` file (where Structure and Labels live in the
variable and value labels). :func:`read_export` detects the form, the encoding and the separator, checks
the tables against each other and returns the questionnaire's variables and one row per distributed
respondent. Administrative columns (``email`` above all) are dropped while reading and never appear in
the result or in any message.

Exports differ: an anonymous survey has no ``respondentid`` (the rows are then numbered 1, 2, ... and
:attr:`Export.numbered` says so), older exports name the status columns ``stato_1..5``, a multiple-choice
question comes as one 0/1 variable per option (kind ``"multiple"``, grouped by :attr:`Variable.question`),
Structure may give no choice texts (Labels has them) and may end its lines with an extra separator.

Every problem a user can cause raises :class:`fuldtid.errors.ExportError` naming the file and the place.

The reader is split by stage, one module a sitting: :mod:`~fuldtid.read.exportmodel` (what an export is),
:mod:`~fuldtid.read.exportfiles` (finding the three files in a folder or zip), :mod:`~fuldtid.read.csvtext`
(encoding, separator, record scan), :mod:`~fuldtid.read.structure` (Structure and Labels -> variables),
:mod:`~fuldtid.read.csvform`, :mod:`~fuldtid.read.xlsxform` and :mod:`~fuldtid.read.savform` (one per
form) and :mod:`~fuldtid.read.assemble` (raw columns -> checked Export). This module is the entry point
and keeps the public names.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from fuldtid.errors import ExportError
from fuldtid.read.csvform import _read_csv_trio
from fuldtid.read.exportfiles import _trio_in_folder, _trio_in_zip, _zip_is_workbook
from fuldtid.read.exportmodel import (
    ANSWERED_STATUSES,
    STATUS_LABELS,
    Export,
    Variable,
    is_admin_column,
)
from fuldtid.read.savform import _read_sav
from fuldtid.read.structure import MULTIPLE_LABELS
from fuldtid.read.xlsxform import _read_xlsx

__all__ = ["Export", "Variable", "read_export", "STATUS_LABELS", "ANSWERED_STATUSES", "is_admin_column",
           "MULTIPLE_LABELS"]


# --------------------------------------------------------------------------------------------------
# Entry point and form detection


def read_export(path: str | os.PathLike) -> Export:
    """Read a SurveyXact export in any of its forms.

    ``path`` is a folder holding dataset.csv, structure.csv and labels.csv (or one of those files), a
    ``.zip`` holding them, an ``.xlsx`` workbook with the sheets Dataset, Structure and Labels, or an
    SPSS ``.sav`` file. Raises :class:`ExportError` for anything that is not a complete, consistent
    export.
    """
    p = Path(path)
    if not p.exists():
        raise ExportError(
            f"{p}: no such file or folder.\n"
            "Give the export as a folder or .zip with dataset.csv, structure.csv and labels.csv, "
            "an .xlsx workbook or an SPSS .sav file."
        )
    if p.is_dir():
        return _read_csv_trio(p, "csv-folder", _trio_in_folder(p))
    try:
        with open(p, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ExportError(f"{p}: cannot be opened ({exc.strerror}).") from None
    if not head:
        raise ExportError(f"{p}: the file is empty. Export the data again from SurveyXact.")
    suffix = p.suffix.lower()
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if suffix in (".xlsx", ".xlsm") or (suffix != ".zip" and _zip_is_workbook(p)):
            return _read_xlsx(p)
        return _read_csv_trio(p, "csv-zip", _trio_in_zip(p))
    if head.startswith((b"$FL2", b"$FL3")):
        return _read_sav(p)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ExportError(
            f"{p}: an old-style Excel (.xls) file. Open it in Excel and save it as .xlsx, "
            "or export the data again from SurveyXact as .xlsx or CSV."
        )
    kinds = {".xlsx": "an Excel workbook (.xlsx)", ".xlsm": "an Excel workbook (.xlsx)",
             ".zip": "a zip file", ".sav": "an SPSS .sav file"}
    if suffix in kinds:
        raise ExportError(
            f"{p}: not {kinds[suffix]}: the file does not start like one (it may be another file "
            "renamed, or cut off).\nExport the data again from SurveyXact."
        )
    if re.match(r"^(dataset|structure|labels)\b.*\.csv$", p.name, re.IGNORECASE):
        return _read_csv_trio(p.parent, "csv-folder", _trio_in_folder(p.parent))
    raise ExportError(
        f"{p}: not a SurveyXact export. Give the folder or .zip with dataset.csv, structure.csv and "
        "labels.csv, an .xlsx workbook or an SPSS .sav file."
    )
