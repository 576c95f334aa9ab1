"""The CSV forms (folder or zip): Structure and Labels into variables, then the needed Dataset columns."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from fuldtid.errors import ExportError
from fuldtid.read import limits, textsniff
from fuldtid.read.assemble import _assemble
from fuldtid.read.csvtext import (
    _csv_rows, _decode, _Decoded, _detect_separator, _first_line, _plain_bytes, _Records, _scan_records,
)
from fuldtid.read.exportmodel import (
    _ADMIN_RE, _SEPARATORS, _STATUS_RE, _TIME_COLUMNS, Export, is_admin_column, Variable,
)
from fuldtid.read.structure import _build_variables, _int_code, _Meta, _MetaRow


def _read_csv_trio(path: Path, form: str, files: dict[str, tuple[str, Callable[[], bytes]]]) -> Export:
    raws = {kind: load() for kind, (_, load) in files.items()}
    for kind, (source, _) in files.items():
        limits.check_text_table(raws[kind], source, ExportError)
    # SurveyXact writes the three files in one encoding, so one file that is surely cp1252 settles
    # the doubtful ones.
    cp1252 = any(_plain_bytes(raw) and not textsniff.is_utf8(raw) for raw in raws.values())
    decoded = {kind: _decode(raws[kind], source, cp1252) for kind, (source, _) in files.items()}
    st, lb, ds = decoded["structure"], decoded["labels"], decoded["dataset"]
    warnings = [w for d in (ds, st, lb) for w in d.warnings]

    st_sep = _detect_separator(
        _first_line(st), st.source,
        lambda f: {"variablename", "questiontext"} <= {x.strip().lower() for x in f})
    st_rows = _csv_rows(st, st_sep)
    if not st_rows:
        raise ExportError(f"{st.source}: the file is empty. Export the data again from SurveyXact.")
    header = [h.strip() for h in st_rows[0][1]]
    while header and header[-1] == "":
        header.pop()
    structure = []
    for line, cells in st_rows[1:]:
        if len(cells) < len(header) or any(c.strip() for c in cells[len(header):]):
            raise ExportError(
                f"{st.source}, line {line}: {len(cells)} fields where the header has {len(header)}.\n"
                "Quote texts that contain the separator, or export the data again."
            )
        structure.append(_MetaRow(f"line {line}", cells))

    lb_sep = _labels_separator(lb)
    labels = [_MetaRow(f"line {line}", cells) for line, cells in _csv_rows(lb, lb_sep)]
    meta = _Meta(st.source, header, structure, lb.source, labels)
    variables, meta_warnings = _build_variables(meta)
    warnings += meta_warnings

    sep = _detect_separator(_first_line(ds), ds.source,
                            lambda f: "respondentid" in {x.strip().lower() for x in f})
    frame, place, unknown = _read_dataset_csv(ds, sep, variables)
    return _assemble(path, form, ds.encoding, sep, variables, frame, ds.source, place,
                     lb.source, warnings, unknown=unknown)


def _labels_separator(dec: _Decoded) -> str:
    """Labels has no header: pick the separator that makes its first lines 'variable;code;label'."""
    sample = dec.data[:65536].decode(dec.codec, errors="replace")
    lines = [ln for ln in re.split(r"\r\n|\r|\n", sample)[:-1] or [sample] if ln.strip()][:20]
    best, score = None, 0
    for sep in _SEPARATORS:
        try:
            rows = list(csv.reader(lines, delimiter=sep, quotechar='"'))
        except csv.Error:
            continue
        # Most lines must split into variable, whole-number code, label; the full read names the odd one.
        fit = sum(len(r) >= 3 and _int_code(r[1]) is not None and not any(c.strip() for c in r[3:])
                  for r in rows)
        if fit > score and fit * 2 > len(rows):
            best, score = sep, fit
    if best is not None:
        return best
    raise ExportError(
        f"{dec.source}, line 1: not a SurveyXact Labels table (lines like 'variable;code;label', "
        "separated by ';', ',' or tab).\nExport the data again from SurveyXact."
    )


def _read_dataset_csv(dec: _Decoded, sep: str, variables: Mapping[str, Variable]
                      ) -> tuple[pd.DataFrame, Callable[[int], str], list[str]]:
    """Parse the needed Dataset columns with pandas' C parser after checking every row's field count.

    A large Dataset with plain quoting is parsed by pyarrow instead (``csvarrow``: the same cells, on every core;
    pyarrow itself refuses a row of another width). Otherwise a large Dataset is parsed while it is checked: the
    columns are guessed from its first line, and pandas parses while a thread's scan counts every row's fields (both
    let go of the GIL: at 10^6 rows the two together take the time of the parse alone). The parse runs in this
    thread, so that it reuses the memory the reading freed (a second thread allocates from a heap of its own). It is
    used only when the scan finds nothing wrong and the header it finds gives the same columns; otherwise the
    Dataset is parsed again, as always.
    """
    guess = _guessed_columns(dec, sep, variables) if len(dec.data) >= min(_ARROW_FROM, _PARSE_WHILE_SCANNING) \
        else None
    if guess is not None and len(dec.data) >= _ARROW_FROM:
        from fuldtid.read import csvarrow

        names, keep, rename = guess
        frame = csvarrow.parse(dec, sep, names, keep)
        if frame is not None:
            limits.check_rows(len(frame), dec.source, ExportError)
            return frame.rename(columns=rename), csvarrow.lazy_places(dec, sep), _unknown_columns(names, variables)
    if guess is None or len(dec.data) < _PARSE_WHILE_SCANNING:
        return _checked_and_parsed(dec, sep, variables, _scan_records(dec.data, sep, dec.source), None)
    from concurrent.futures import ThreadPoolExecutor

    names, keep, _ = guess
    with ThreadPoolExecutor(1) as pool:
        scan = pool.submit(_scan_records, dec.data, sep, dec.source)
        try:
            early: tuple = (guess, _parse(dec, sep, names, keep), None)
        except Exception as exc:  # decided below, after the checks, as a parse after them would be
            early = (guess, None, exc)
        rec = scan.result()
    return _checked_and_parsed(dec, sep, variables, rec, early)


# Below this size parsing after the checks costs next to nothing.
_PARSE_WHILE_SCANNING = 4 << 20
# From this size a Dataset whose quoting is plain is parsed by pyarrow (``csvarrow``); below it importing
# pyarrow (about 0.1 s) costs more than it saves. The tests lower it to 0 to run every CSV case on both roads.
_ARROW_FROM = 4 << 20


def _guessed_columns(dec: _Decoded, sep: str, variables: Mapping[str, Variable]
                     ) -> tuple[list[str], list[str], dict[str, str]] | None:
    """The columns as the first line names them, or None when it does not name them plainly."""
    line = _first_line(dec)
    if '"' in line or not any(t in dec.data[:65536] for t in (b"\n", b"\r")):
        return None  # quoted names, or a header longer than _first_line reads
    try:
        names = _column_names([h.strip() for h in line.split(sep)], dec.source, "line 1")
    except ExportError:
        return None
    return (names, *_select_columns(names, variables))


def _column_names(header: list[str], source: str, where: str) -> list[str]:
    names = []
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        if h == "":
            names.append(f"\x00blank{j}")  # nameless column, never selected
            continue
        if h.lower() in seen:
            raise ExportError(f"{source}, {where}: the column {h!r} appears twice "
                              "in the header. Export the data again from SurveyXact.")
        seen[h.lower()] = j
        names.append(h)
    return names


def _parse(dec: _Decoded, sep: str, names: list[str], keep: list[str], data: bytes | None = None) -> pd.DataFrame:
    """The ``keep`` columns as text, '' missing. Codes are text too, as on the arrow road: a float column would
    take 'True' for 1 and quote '1.50' as '1.5' in a message (``assemble`` converts and checks them)."""
    return pd.read_csv(
        io.BytesIO(dec.data if data is None else data), sep=sep, header=0, names=names, usecols=keep,
        dtype={c: str for c in keep}, keep_default_na=False, na_values=[""], encoding=dec.codec, quotechar='"',
        doublequote=True, skip_blank_lines=True, index_col=False, engine="c",
    )


def _checked_and_parsed(dec: _Decoded, sep: str, variables: Mapping[str, Variable], rec: _Records,
                        early: tuple | None) -> tuple[pd.DataFrame, Callable[[int], str], list[str]]:
    """The checks of every row's field count (``rec``, the scan), then the parse (or ``early``: the columns
    guessed from the first line, and what parsing them gave or raised)."""
    limits.check_rows(len(rec.counts) - 1, dec.source, ExportError)
    if len(rec.counts) == 0:
        raise ExportError(f"{dec.source}: the file is empty. Export the data again from SurveyXact.")
    head_bytes = dec.data[rec.starts[0]:rec.ends[0]]
    header = next(csv.reader([head_bytes.decode(dec.codec)], delimiter=sep, quotechar='"'))
    header = [h.strip() for h in header]
    width = len(header)
    body = rec.counts[1:]
    if len(body) and (body == width + 1).all():
        header.append("")  # every row ends with one extra separator, like Structure's
        width += 1
    bad = np.flatnonzero(body != width)
    if len(bad):
        i = int(bad[0]) + 1
        got = int(rec.counts[i])
        why = "the row is cut off or a field is missing" if got < width else \
            "a text holds the separator without quotes, or a field is extra"
        raise ExportError(
            f"{dec.source}, line {int(rec.lines[i])}: {got} fields where the header has {width} "
            f"({why}).\nFix that line or export the data again from SurveyXact."
        )
    names = _column_names(header, dec.source, f"line {int(rec.lines[0])}")
    keep, rename = _select_columns(names, variables)
    lines = rec.lines[1:]

    def place(i: int) -> str:
        return f"line {int(lines[i])}"

    try:
        if rec.blank or rec.lone_cr:
            # pandas' tokenizer mishandles lone CR line ends: after a blank line ended by one it swallows a separator
            # that starts the next row, shifting that row one column left (the field counts above cannot see it),
            # and pandas 3.0.0 reads a row too many from a file whose lines all end so. So such a file is parsed as
            # the records the scan found, one to a line ended by LF, without the blank lines.
            frame = _parse(dec, sep, names, keep, b"\n".join(dec.data[a:b] for a, b in zip(rec.starts, rec.ends)))
        elif early is not None and early[0] == (names, keep, rename):
            # The same columns, parsed while the rows were checked.
            if early[2] is not None:
                raise early[2]
            frame = early[1]
        else:
            frame = _parse(dec, sep, names, keep)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise ExportError(f"{dec.source}: cannot be read as CSV ({str(exc).strip()[:200]}).\n"
                          "Export the data again from SurveyXact.") from None
    if len(frame) != len(body):
        raise ExportError(f"{dec.source}: read {len(frame)} rows but the file holds {len(body)}; the "
                          "file is malformed. Export the data again from SurveyXact.")
    return frame.rename(columns=rename), place, _unknown_columns(names, variables)


def _select_columns(names: list[str], variables: Mapping[str, Variable]) -> tuple[list[str], dict[str, str]]:
    """The Dataset columns to read and their canonical names; everything else is never read."""
    keep: list[str] = []
    rename: dict[str, str] = {}
    lower_vars = {v.lower(): v for v in variables}
    for name in names:
        low = name.lower()
        if name in variables and not _ADMIN_RE.match(low):
            canon = name
        elif low == "respondentid" or _STATUS_RE.match(low) or low in _TIME_COLUMNS:
            canon = low
        elif low in lower_vars and not _ADMIN_RE.match(low):
            canon = lower_vars[low]
        else:
            continue
        keep.append(name)
        rename[name] = canon
    return keep, rename


def _unknown_columns(names: Iterable[str], variables: Mapping[str, Variable]) -> list[str]:
    lower_vars = {v.lower() for v in variables}
    return [n for n in names if n and not n.startswith("\x00") and n.lower() not in lower_vars
            and n.lower() != "respondentid" and not is_admin_column(n)]
