"""Write data in the shape SurveyXact exports it, in each of its forms.

Used by the tests (round trips, mangled exports) and by the benchmarks (big synthetic exports). The
Dataset carries SurveyXact's administrative columns, including a fake ``email`` column, so that the
reader's duty to drop them is exercised; Structure lines end with SurveyXact's extra empty column and
Labels has no header. ``read_export(write_export(variables, data, ...))`` gives back ``data``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from fuldtid.read.export import ANSWERED_STATUSES, STATUS_LABELS, Variable

__all__ = ["write_export", "FORMS", "ADMIN_BEFORE", "STATUS_AFTER"]

FORMS = ("csv-folder", "csv-zip", "xlsx", "sav")

#: Administrative columns SurveyXact writes between respondentid and the answers, in its order.
ADMIN_BEFORE: tuple[str, ...] = (
    *(f"statinternal_{i}" for i in range(1, 21)),
    "created", "modified", "closetime", "starttime", "difftime", "responsecollectsessions",
    "numberofreturnedmail", "importgroup", "distributionschedule", "email",
    "digitaldistributionstatus", "digitaldistributionerrormessage",
)
#: Status columns SurveyXact writes after the answers.
STATUS_AFTER: tuple[str, ...] = (
    *(f"statcompletion_{i}" for i in range(1, 4)),
    *(f"statdistribution_{i}" for i in range(1, 6)),
    *(f"statoverall_{i}" for i in range(1, 6)),
)
_STRUCTURE_HEADER = ["questionName", "variableName", "questionType", "subType", "questionText",
                     "choiceValue", "choiceText"]
_TIME_FORMAT = "%d-%m-%Y %H:%M:%S"


def write_export(
    variables: Mapping[str, Variable],
    data: pd.DataFrame,
    path: str | os.PathLike,
    *,
    form: str = "csv-folder",
    encoding: str = "cp1252",
    separator: str = ";",
    split_dataset: int | None = None,
    newline: str = "\r\n",
    zip_folder: str | None = None,
    time_format: str = _TIME_FORMAT,
    respondent_ids: bool = True,
    status_prefix: str = "statoverall",
    admin_columns: bool = True,
    structure_choices: bool = True,
    trailing_separator: bool = True,
) -> Path:
    """Write ``data`` (shaped like :attr:`Export.data`) as a SurveyXact export at ``path``.

    ``data`` is indexed by respondentid (or has that column) and holds the variables' columns (codes
    for single variables, text for open ones). ``answered``, ``status``, ``starttime`` and ``closetime``
    are optional: a missing status is derived from ``answered`` (Gennemført / Distribueret).

    ``form`` is "csv-folder" (``path`` is a folder, created), "csv-zip", "xlsx" or "sav". ``encoding``,
    ``separator`` and ``newline`` apply to CSV; ``zip_folder`` puts the CSV files in a folder inside
    the zip; ``split_dataset`` (xlsx only) spreads the Dataset over that many sheets Dataset(1), ...

    The shapes other exports take: ``respondent_ids=False`` leaves out the respondentid column (an
    anonymous survey; the reader numbers the rows), ``status_prefix="stato"`` names the status columns
    ``stato_1..5``, ``admin_columns=False`` leaves out the administrative columns, ``structure_choices=False``
    gives single-choice variables one Structure line without choices (the labels are only in Labels), and
    ``trailing_separator=False`` ends Structure lines without SurveyXact's extra empty column. Variables of
    kind ``"multiple"`` are written as options of the multiple-choice question ``Variable.question``.
    Returns ``path``.
    """
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}, not {form!r}")
    if split_dataset is not None and (form != "xlsx" or split_dataset < 1):
        raise ValueError("split_dataset is a number of sheets (>= 1) and only applies to xlsx")
    path = Path(path)
    dataset = _dataset(variables, data)
    if not admin_columns:
        dataset = dataset[[c for c in dataset.columns if c not in ADMIN_BEFORE]]
    if status_prefix != "statoverall":
        dataset = dataset.rename(columns={f"statoverall_{i}": f"{status_prefix}_{i}" for i in range(1, 6)})
    if not respondent_ids:
        dataset = dataset.drop(columns=["respondentid"])
    shape = {"choices": structure_choices, "trailing": trailing_separator}
    if form == "csv-folder":
        path.mkdir(parents=True, exist_ok=True)
        for name, payload in _csv_files(variables, dataset, encoding, separator, newline, time_format, shape):
            (path / name).write_bytes(payload)
    elif form == "csv-zip":
        import zipfile

        prefix = f"{zip_folder.strip('/')}/" if zip_folder else ""
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, payload in _csv_files(variables, dataset, encoding, separator, newline, time_format, shape):
                zf.writestr(prefix + name, payload)
    elif form == "xlsx":
        _write_xlsx(variables, dataset, path, split_dataset or 1, shape)
    else:
        _write_sav(variables, dataset, path)
    return path


# --------------------------------------------------------------------------------------------------
# The Dataset table with SurveyXact's columns


def _dataset(variables: Mapping[str, Variable], data: pd.DataFrame) -> pd.DataFrame:
    """All Dataset columns in SurveyXact's order, typed: Int64 codes, str texts, datetimes, ints."""
    if "respondentid" in data.columns:
        data = data.set_index("respondentid")
    n = len(data)
    ids = pd.Index(data.index.astype(str), name="respondentid")
    missing = [v for v in variables if v not in data.columns]
    if missing:
        raise ValueError(f"data lacks the variables {missing}")
    if "status" in data.columns:
        status = pd.Series(data["status"].to_numpy(dtype=object))
    else:
        answered = data["answered"].to_numpy(dtype=bool) if "answered" in data.columns else np.ones(n, bool)
        status = pd.Series(np.where(answered, STATUS_LABELS[4], STATUS_LABELS[2]).astype(object))
    code_of = {label: k for k, label in STATUS_LABELS.items()}
    mapped = status.map(code_of)
    unknown = status[mapped.isna() & status.notna()]
    if len(unknown):
        raise ValueError(f"unknown status labels {sorted(set(unknown))}")
    codes = mapped.fillna(0).to_numpy(dtype=np.int64)
    answered = np.isin(codes, ANSWERED_STATUSES)
    if "answered" in data.columns and not np.array_equal(answered, data["answered"].to_numpy(dtype=bool)):
        raise ValueError("'answered' disagrees with 'status'")

    def times(name: str) -> pd.Series:
        if name in data.columns:
            return pd.Series(pd.to_datetime(data[name]).to_numpy(dtype="datetime64[ns]"), index=ids)
        return pd.Series(pd.NaT, index=ids, dtype="datetime64[ns]")

    start, close = times("starttime"), times("closetime")
    created = pd.Series(pd.Timestamp("2022-07-25 08:00:00"), index=ids, dtype="datetime64[ns]")
    seq = pd.Series(np.arange(1, n + 1), index=ids).astype(str)
    cols: dict[str, pd.Series] = {}
    for i in range(1, 21):
        cols[f"statinternal_{i}"] = pd.Series("", index=ids, dtype="str")
    cols["statinternal_1"] = pd.Series("Aarhus Kommune", index=ids, dtype="str")
    cols["created"] = created
    cols["modified"] = close.fillna(start).fillna(created)
    cols["closetime"] = close
    cols["starttime"] = start
    diff = (close - start).dt.total_seconds()
    cols["difftime"] = pd.Series(diff.round().astype("Int64").to_numpy(), index=ids, dtype="Int64")
    cols["responsecollectsessions"] = pd.Series(answered.astype(np.int64), index=ids)
    cols["numberofreturnedmail"] = pd.Series(0, index=ids, dtype=np.int64)
    cols["importgroup"] = pd.Series("Import 1", index=ids, dtype="str")
    cols["distributionschedule"] = pd.Series("", index=ids, dtype="str")
    # Personal data the reader must never let through.
    cols["email"] = "medarbejder" + seq + "@example.dk"
    cols["digitaldistributionstatus"] = pd.Series("Sendt", index=ids, dtype="str")
    cols["digitaldistributionerrormessage"] = pd.Series("", index=ids, dtype="str")
    for name, var in variables.items():
        raw = data[name]
        if var.kind != "open":
            cols[name] = pd.Series(pd.array(raw.to_numpy(), dtype="Int64"), index=ids)
        else:
            cols[name] = pd.Series(raw.to_numpy(), index=ids, dtype="str")
    stage = np.select([codes == 4, codes == 3], [3, 2], 1)
    for i in range(1, 4):
        cols[f"statcompletion_{i}"] = pd.Series((stage == i).astype(np.int64), index=ids)
    for i in range(1, 6):
        cols[f"statdistribution_{i}"] = pd.Series(np.full(n, int(i == 1)), index=ids)
    for i in range(1, 6):
        cols[f"statoverall_{i}"] = pd.Series((codes == i).astype(np.int64), index=ids)
    out = pd.DataFrame(cols, index=ids)
    return out.reset_index()


# --------------------------------------------------------------------------------------------------
# CSV


def _csv_files(variables: Mapping[str, Variable], dataset: pd.DataFrame, encoding: str, sep: str,
               newline: str, time_format: str, shape: Mapping[str, bool]) -> list[tuple[str, bytes]]:
    text = dataset.copy()
    for name in text.columns:
        if text[name].dtype.kind == "M":
            text[name] = text[name].dt.strftime(time_format).fillna("")
    buf = io.StringIO()
    text.to_csv(buf, sep=sep, index=False, lineterminator=newline, na_rep="", quoting=csv.QUOTE_MINIMAL)
    dataset_bytes = buf.getvalue().encode(encoding)

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    # SurveyXact ends every Structure line with one extra, empty column.
    for row in [_STRUCTURE_HEADER, *_structure_rows(variables, shape["choices"])]:
        writer.writerow([*row, ""] if shape["trailing"] else row)
    structure_bytes = buf.getvalue().encode(encoding)

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    writer.writerows(_label_rows(variables))
    labels_bytes = buf.getvalue().encode(encoding)
    return [("dataset.csv", dataset_bytes), ("structure.csv", structure_bytes), ("labels.csv", labels_bytes)]


def _structure_rows(variables: Mapping[str, Variable], choices: bool = True) -> list[list[object]]:
    rows: list[list[object]] = []
    option_codes: dict[str, int] = {}
    for name, var in variables.items():
        question = var.question or name
        if var.kind == "multiple":
            # questionText is the question; choiceValue numbers the option within it, choiceText names it.
            option_codes[question] = option_codes.get(question, 0) + 1
            rows.append([question, name, "Closed", "Multiple", var.question_text, option_codes[question],
                         var.option])
        elif var.kind == "single" and var.labels and choices:
            for code, label in var.labels.items():
                rows.append([question, name, "Closed", "Single", var.text, code, label])
        elif var.kind == "single":
            rows.append([question, name, "Closed", "Single", var.text, "", ""])
        else:
            rows.append([question, name, "Open", "String", var.text, "", ""])
    return rows


def _label_rows(variables: Mapping[str, Variable]) -> list[list[object]]:
    return [[name, code, label] for name, var in variables.items() if var.kind != "open"
            for code, label in var.labels.items()]


# --------------------------------------------------------------------------------------------------
# Excel and SPSS


def _cell_values(frame: pd.DataFrame) -> list[list[object]]:
    """Column-wise conversion to Python values openpyxl accepts (None for missing)."""
    columns = []
    for name in frame.columns:
        s = frame[name]
        if name == "respondentid":
            vals = [int(v) if v.isdigit() and len(v) < 16 else v for v in s.astype(str)]
        elif s.dtype.kind == "M":
            vals = [None if pd.isna(v) else v.to_pydatetime() for v in s]
        elif isinstance(s.dtype, pd.Int64Dtype):
            vals = [None if v is pd.NA else int(v) for v in s.astype(object)]
        elif s.dtype.kind in "iu":
            vals = [int(v) for v in s]
        else:
            vals = [None if (v is None or v != v or v == "") else str(v) for v in s.astype(object)]
        columns.append(vals)
    return [list(row) for row in zip(*columns)] if columns else []


def _write_xlsx(variables: Mapping[str, Variable], dataset: pd.DataFrame, path: Path, parts: int,
                shape: Mapping[str, bool]) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ids = ["respondentid"] if "respondentid" in dataset.columns else []
    others = [c for c in dataset.columns if c != "respondentid"]
    chunks = [list(c) for c in np.array_split(np.array(others, dtype=object), parts)]
    for k, chunk in enumerate(chunks, start=1):
        ws = wb.create_sheet("Dataset" if parts == 1 else f"Dataset({k})")
        part = dataset[[*ids, *chunk]]
        ws.append(list(part.columns))
        for row in _cell_values(part):
            ws.append([_text_cell(ws, v) if isinstance(v, str) and v.startswith("=") else v for v in row])
    ws = wb.create_sheet("Structure")
    ws.append(_STRUCTURE_HEADER)
    for row in _structure_rows(variables, shape["choices"]):
        ws.append([None if v == "" else v for v in row] + ([None] if shape["trailing"] else []))
    ws = wb.create_sheet("Labels")
    for row in _label_rows(variables):
        ws.append(row)
    wb.save(path)


def _text_cell(ws, value: str):
    """A cell that stays text: openpyxl would otherwise store '=...' as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def _write_sav(variables: Mapping[str, Variable], dataset: pd.DataFrame, path: Path) -> None:
    import pyreadstat

    frame = {}
    for name in dataset.columns:
        s = dataset[name]
        if name == "respondentid":
            ids = s.astype(str)
            numeric = ids.str.fullmatch(r"\d{1,15}").all()
            frame[name] = ids.astype(float) if numeric else ids.astype(object)
        elif s.dtype.kind == "M":
            frame[name] = s
        elif isinstance(s.dtype, pd.Int64Dtype) or s.dtype.kind in "iu":
            frame[name] = s.astype("Float64").astype(float)
        else:
            frame[name] = s.astype(object).where(s.notna(), "").astype(object)
    df = pd.DataFrame(frame)
    labels = {name: (var.text if name in variables else None) for name, var in
              ((c, variables.get(c)) for c in df.columns)}
    value_labels = {name: {int(k): v for k, v in var.labels.items()}
                    for name, var in variables.items() if var.kind != "open" and var.labels}
    pyreadstat.write_sav(df, str(path), column_labels=labels, variable_value_labels=value_labels)
