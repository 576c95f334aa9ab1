"""Raw Dataset columns (from any form) -> the checked and converted :class:`Export` data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from fuldtid.errors import ExportError
from fuldtid.read import textsniff
from fuldtid.read.exportmodel import (
    _DAYFIRST_FORMATS, _some, _STATUS_RE, _TIME_COLUMNS, ANSWERED_STATUSES, Export, STATUS_LABELS,
    Variable,
)
from fuldtid.read.structure import _clean


def _assemble(path: Path, form: str, encoding: str | None, separator: str | None,
              variables: Mapping[str, Variable], frame: pd.DataFrame, source: str,
              place: Callable[[int], str], labels_source: str, warnings: list[str],
              unknown: list[str] | None = None) -> Export:
    """Check and convert the raw Dataset columns (canonical names) into an Export."""
    warnings = list(warnings)
    variables = {k: textsniff.clean_variable(v) for k, v in variables.items()}
    numbered = "respondentid" not in frame.columns
    if numbered:
        frame = _numbered(frame, source, warnings)
    status_cols = {int(m.group(1)): c for c in frame.columns if (m := _STATUS_RE.match(c))}
    missing = [f"statoverall_{k}" for k in ANSWERED_STATUSES if k not in status_cols]
    if missing:
        raise ExportError(f"{source}: no {' or '.join(missing)} column, so answered respondents cannot be "
                          "told apart.\nExport the data again from SurveyXact with the status columns.")
    absent = [v for v in variables if v not in frame.columns]
    if absent:
        warnings.append(f"{source}: Structure lists {_some(absent)}, which the Dataset lacks; "
                        "they were left out.")
        variables = {k: v for k, v in variables.items() if k not in absent}
    if not variables:
        raise ExportError(f"{source}: none of the questionnaire's variables is a Dataset column; the "
                          "tables seem to come from different exports. Export the data again.")
    if unknown is not None and unknown:
        warnings.append(f"{source}: columns not in Structure ignored: {_some(unknown)}.")
    if len(frame) == 0:
        raise ExportError(f"{source}: no respondent rows. Export the data again from SurveyXact.")

    ids = _normalise_ids(frame["respondentid"])
    empty = np.flatnonzero((ids == "").to_numpy())
    if len(empty):
        raise ExportError(f"{source}, {place(int(empty[0]))}: respondentid is empty.\n"
                          "Every row needs its respondent's id; export the data again from SurveyXact.")
    # is_unique first: on ids in file order (as SurveyXact writes them) it is a monotonicity check, 10 times
    # faster than duplicated() at 10^6 rows; duplicated() only finds the two rows to name.
    if not pd.Index(ids).is_unique:
        pos = np.flatnonzero(ids.duplicated(keep=False).to_numpy())
        first = ids.iloc[int(pos[0])]
        twins = pos[(ids.iloc[pos] == first).to_numpy()]
        raise ExportError(f"{source}: respondentid {first} appears more than once ({place(int(twins[0]))} "
                          f"and {place(int(twins[1]))}).\nRemove the duplicate row or export the data again.")

    columns: dict[str, pd.Series] = {}
    for name, var in variables.items():
        raw = frame[name]
        if var.kind in ("single", "multiple"):
            columns[name] = _to_codes(raw, var, ids, source, place, labels_source)
        else:
            columns[name] = _to_text(raw)
    flags = {k: _to_flags(frame[c], c, ids, source, place) for k, c in sorted(status_cols.items())}
    stack = np.column_stack([flags[k] for k in flags])
    several = np.flatnonzero(stack.sum(axis=1) > 1)
    if len(several):
        i = int(several[0])
        on = [status_cols[k] for k, v in flags.items() if v[i]]
        raise ExportError(f"{source}, {place(i)}: respondentid {ids.iloc[i]} has {' and '.join(on)} "
                          "both set to 1.\nA respondent has one status; export the data again.")
    answered = np.zeros(len(ids), dtype=bool)
    for k in ANSWERED_STATUSES:
        answered |= flags[k].astype(bool)
    status = np.full(len(ids), None, dtype=object)
    for k, v in flags.items():
        status[v.astype(bool)] = STATUS_LABELS.get(k, f"statoverall_{k}")
    columns["answered"] = pd.Series(answered, dtype=bool)
    columns["status"] = pd.Series(status, dtype="str")
    for name in _TIME_COLUMNS:
        if name in frame.columns:
            columns[name] = _to_time(frame[name], name, source, warnings)
        else:
            columns[name] = pd.Series(pd.NaT, index=range(len(ids)), dtype="datetime64[ns]")
    data = pd.DataFrame({k: v.reset_index(drop=True) for k, v in columns.items()}, copy=False)  # new columns
    data.index = pd.Index(ids.to_numpy(), name="respondentid", dtype="str")
    if not answered.any():
        raise ExportError(f"{source}: none of the {len(ids)} respondents has answered (statoverall_3 or "
                          "statoverall_4 = 1).\nCheck that this is the right export, taken after the survey ran.")
    return Export(path=path, form=form, encoding=encoding, separator=separator, variables=dict(variables),
                  data=data, warnings=tuple(warnings), numbered=numbered)


def _numbered(frame: pd.DataFrame, source: str, warnings: list[str]) -> pd.DataFrame:
    """An anonymous survey is exported without respondent ids: the rows are numbered 1, 2, ... instead."""
    warnings.append(f"{source}: no respondentid column (an anonymous survey?); the rows are numbered "
                    f"1-{len(frame)} in file order and those numbers stand for the respondents.")
    frame = frame.reset_index(drop=True)
    return frame.assign(respondentid=[str(i) for i in range(1, len(frame) + 1)])


def _fractional(vals: np.ndarray) -> np.ndarray:
    """True where a finite value is not whole (callers rule out NaN and infinity themselves).

    ``vals != floor(vals)`` rather than ``np.mod(vals, 1) != 0``: the remainder is about 80 times slower
    on the mostly-NaN answer columns of a big export (0.23 s per million cells).
    """
    with np.errstate(invalid="ignore"):
        return vals != np.floor(vals)


def _text(raw: pd.Series) -> pd.Series:
    """Cells as stripped text, missing (NA) when empty or blank.

    Numbers (Excel, SPSS) lose a trailing '.0'. Only non-missing cells are touched, which keeps the
    mostly empty answer columns of a big export cheap.
    """
    raw = raw.reset_index(drop=True)
    if isinstance(raw.dtype, pd.CategoricalDtype):
        return _per_category(raw, _text)
    if raw.dtype.kind == "f":
        vals = raw.to_numpy(dtype=float)
        out = np.full(len(vals), None, dtype=object)
        ok = ~np.isnan(vals)
        whole = ok & ~_fractional(vals) & (np.abs(vals) < 2**63)
        out[whole] = vals[whole].astype(np.int64).astype(str)
        out[ok & ~whole] = vals[ok & ~whole].astype(str)
        return pd.Series(out, dtype="str")
    if raw.dtype.kind in "iub":
        return raw.astype("str")
    if raw.dtype == object:
        raw = raw.map(lambda v: v if isinstance(v, str) or v is None else (_clean(v) or None))
    text = raw.astype("str")
    present = (text.notna() & (text != "")).to_numpy()  # vectorised; SPSS writes '' for empty
    if not present.all():
        text = text.where(present, None)
    if present.any():
        vals = text[present]
        stripped = vals.str.strip()
        changed = (stripped != vals).to_numpy()
        if changed.any():
            text.loc[vals.index[changed]] = stripped[changed]
        blank = (stripped == "").to_numpy()
        if blank.any():
            text.loc[vals.index[blank]] = None
    return text


def _per_category(raw: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """A text conversion of a Categorical column (the CSV read by pyarrow) done once per distinct value and
    spread over the rows: the same cells as converting every row, at the cost of the distinct values."""
    done = convert(pd.Series(raw.cat.categories, dtype="str")).to_numpy(dtype=object, na_value=None)
    return pd.Series(_spread(done, raw.cat.codes.to_numpy(), None), dtype="str")


def _spread(per_category: np.ndarray, codes: np.ndarray, missing: object) -> np.ndarray:
    """``per_category[codes]``, with ``missing`` where the code is -1 (an empty cell)."""
    return np.append(per_category, np.array([missing], dtype=per_category.dtype))[codes]


_FLOATY_ID = r"[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?"


def _normalise_ids(raw: pd.Series) -> pd.Series:
    """respondentid as text, '' when empty: '81234567.0' (Excel, SPSS) -> '81234567'."""
    raw = raw.reset_index(drop=True)
    if raw.dtype.kind not in "fiub":
        # The usual case, all digits, is settled by one vectorised test; the rest is cleaned up.
        vals = raw.to_numpy(dtype=object, na_value="")
        try:
            digits = np.strings.isdigit(np.array(vals, dtype=np.dtypes.StringDType()))
        except (TypeError, ValueError):
            digits = np.zeros(len(vals), dtype=bool)
        if digits.all():
            return pd.Series(vals, dtype="str")
    text = _text(raw).fillna("")
    odd = ~text.str.fullmatch(r"\d+").to_numpy()
    if odd.any():
        cand = text[odd]
        floaty = cand.str.fullmatch(_FLOATY_ID) & cand.str.contains(r"[.eE]", regex=True)
        if floaty.any():
            vals = pd.to_numeric(cand[floaty], errors="coerce")
            whole = vals.notna() & (vals % 1 == 0) & (vals.abs() < 2**53)
            text.loc[whole[whole].index] = vals[whole].astype("int64").astype(str)
    return text


def _to_codes(raw: pd.Series, var: Variable, ids: pd.Series, source: str,
              place: Callable[[int], str], labels_source: str) -> pd.Series:
    """Single-choice answers as Int64 codes; every code must have a label."""
    raw = raw.reset_index(drop=True)
    if isinstance(raw.dtype, pd.CategoricalDtype):
        return _category_codes(raw, var, ids, source, place, labels_source)
    if raw.dtype.kind == "f":
        vals = raw.to_numpy(dtype=float)
        bad = ~np.isnan(vals) & (_fractional(vals) | ~np.isfinite(vals) | (np.abs(vals) > 2**53))

        def shown_at(i: int) -> str:
            return repr(float(vals[i]))
    else:
        cells = _text(raw)
        bad, vals = _text_codes(cells)

        def shown_at(i: int) -> str:
            return str(cells.iloc[i])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _not_a_code(f"{source}, {place(i)}", var, shown_at(i), ids.iloc[i])
    present = ~np.isnan(vals)
    codes = np.zeros(len(vals), dtype=np.int64)
    codes[present] = vals[present].astype(np.int64)
    unknown = present & ~np.isin(codes, _known(var))
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise _no_label(f"{source}, {place(i)}", var, int(codes[i]), ids.iloc[i], labels_source)
    return pd.Series(pd.arrays.IntegerArray(codes, ~present), dtype="Int64")


def _known(var: Variable) -> np.ndarray:
    return np.fromiter(var.labels, dtype=np.int64, count=len(var.labels))


def _not_a_code(where: str, var: Variable, shown: str, rid: object) -> ExportError:
    return ExportError(f"{where}: {var.name} holds {shown[:30]!r} for respondentid {rid}, but a single-choice "
                       "answer is a whole-number code.\nCorrect the cell or export the data again from SurveyXact.")


def _no_label(where: str, var: Variable, code: int, rid: object, labels_source: str) -> ExportError:
    return ExportError(f"{where}: {var.name} has the code {code} for respondentid {rid}, but {labels_source} "
                       "has no label for it.\nCorrect the code or add its label, or export the data again.")


def _category_codes(raw: pd.Series, var: Variable, ids: pd.Series, source: str,
                    place: Callable[[int], str], labels_source: str) -> pd.Series:
    """:func:`_to_codes` of a Categorical column: each distinct value checked and converted once, then spread over
    the rows (code -1: empty). The same checks in the same order, so the same first bad row is named."""
    cat = raw.cat.codes.to_numpy()
    text = _text(pd.Series(raw.cat.categories, dtype="str"))
    bad_c, vals_c = _text_codes(text)
    present_c = ~np.isnan(vals_c)
    codes_c = np.where(present_c & ~bad_c, vals_c, 0).astype(np.int64)  # bad ones are refused below
    unknown_c = present_c & ~np.isin(codes_c, _known(var))
    if bad_c.any():
        i = int(np.flatnonzero(_spread(bad_c, cat, False))[0])
        raise _not_a_code(f"{source}, {place(i)}", var, str(text.iloc[int(cat[i])]), ids.iloc[i])
    if unknown_c.any():
        i = int(np.flatnonzero(_spread(unknown_c, cat, False))[0])
        raise _no_label(f"{source}, {place(i)}", var, int(codes_c[cat[i]]), ids.iloc[i], labels_source)
    missing = _spread(~present_c, cat, True)
    return pd.Series(pd.arrays.IntegerArray(_spread(codes_c, cat, 0), missing), dtype="Int64")


def _text_codes(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """For cells as text (missing = empty): which are not whole-number codes, and the codes as floats."""
    empty = text.isna().to_numpy()
    num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~empty & (np.isnan(num) | ~np.isfinite(num) | _fractional(num) | (np.abs(num) > 2**53))
    return bad, np.where(empty, np.nan, num)


def _to_text(raw: pd.Series) -> pd.Series:
    """Open answers as text; empty or blank -> missing; control characters (from Word) -> spaces."""
    if isinstance(raw.dtype, pd.CategoricalDtype):
        return _per_category(raw.reset_index(drop=True), _to_text)
    return textsniff.clean_series(_text(raw))


def _to_flags(raw: pd.Series, name: str, ids: pd.Series, source: str,
              place: Callable[[int], str]) -> np.ndarray:
    """A status dummy as 0/1 (empty counts as 0)."""
    raw = raw.reset_index(drop=True)
    if isinstance(raw.dtype, pd.CategoricalDtype):  # each distinct value once, then spread over the rows
        cat = raw.cat.codes.to_numpy()
        shown_c = _text(pd.Series(raw.cat.categories, dtype="str"))
        vals = _spread(_flag_values(shown_c), cat, 0.0)

        def shown_at(i: int) -> str:
            return str(shown_c.iloc[int(cat[i])])
    elif raw.dtype.kind == "f":
        vals = np.nan_to_num(raw.to_numpy(dtype=float), nan=0.0)

        def shown_at(i: int) -> str:
            return repr(float(vals[i]))
    else:
        shown = _text(raw)
        vals = _flag_values(shown)

        def shown_at(i: int) -> str:
            return str(shown.iloc[i])
    bad = ~np.isin(vals, (0.0, 1.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ExportError(f"{source}, {place(i)}: {name} is {shown_at(i)[:20]!r} for respondentid {ids.iloc[i]}; "
                          "a status column holds 0 or 1.\nCorrect the cell or export the data again.")
    return vals.astype(np.int8)


def _flag_values(shown: pd.Series) -> np.ndarray:
    """Status cells as text (missing = empty, which counts as 0) as floats; NaN where not a number."""
    return pd.to_numeric(shown.fillna("0"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _to_time(raw: pd.Series, name: str, source: str, warnings: list[str]) -> pd.Series:
    """Timestamps in ISO or Danish day-first form (or Excel/SPSS datetimes); unreadable -> NaT + warning."""
    raw = raw.reset_index(drop=True)
    if raw.dtype.kind == "M":
        if getattr(raw.dt, "tz", None) is not None:
            raw = raw.dt.tz_localize(None)
        return raw.astype("datetime64[ns]")
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if raw.dtype == object:
        is_dt = raw.map(lambda v: hasattr(v, "year") and hasattr(v, "month")).astype(bool)
        if is_dt.any():
            out[is_dt] = pd.to_datetime(raw[is_dt].tolist()).astype("datetime64[ns]")
            raw = raw.where(~is_dt, None)
    present = raw.notna().to_numpy()
    if not present.any():
        return out
    # SurveyXact writes one fixed layout; try it on the raw cells before any string work.
    fast = _fast_dayfirst(raw[present].to_numpy(dtype=object))
    if fast is not None and not np.isnat(fast).any():
        out.iloc[np.flatnonzero(present)] = fast
        return out
    text = _text(raw)
    todo = text.notna().to_numpy(copy=True)
    if not todo.any():
        return out
    # One format usually fits the whole column; find it on the first value, then sweep up the rest.
    first = str(text[todo].iloc[0])
    formats = ["ISO8601", *_DAYFIRST_FORMATS]
    formats.sort(key=lambda f: not _fits(first, f))
    for fmt in formats:
        idx = np.flatnonzero(todo)
        if not len(idx):
            break
        got = pd.to_datetime(text.iloc[idx], format=fmt, errors="coerce")
        hit = got.notna().to_numpy()
        if hit.any():
            out.iloc[idx[hit]] = got[hit].to_numpy(dtype="datetime64[ns]")
            todo[idx[hit]] = False
    if todo.any():
        warnings.append(f"{source}: {int(todo.sum())} {name} value(s) are not dates (e.g. "
                        f"{str(text[todo].iloc[0])[:25]!r}); treated as empty.")
    return out


def _fits(value: str, fmt: str) -> bool:
    try:
        pd.to_datetime(value, format=fmt)
    except (ValueError, TypeError):
        return False
    return True


_DIGITS = [0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 14, 15, 17, 18]


def _fast_dayfirst(values: np.ndarray) -> np.ndarray | None:
    """'DD-MM-YYYY HH:MM:SS' (any date punctuation) parsed with array arithmetic instead of strptime.

    Returns datetime64[ns] with NaT for impossible dates, or None when the values have another shape.
    """
    if not len(values) or not all(isinstance(v, str) for v in values[:1]):
        return None
    try:
        u = np.array(values, dtype="U")
    except (TypeError, ValueError):
        return None
    if u.dtype.itemsize != 19 * 4:
        return None
    return _dayfirst_characters(u.view(np.uint32).reshape(len(u), 19))


def _dayfirst_characters(cp: np.ndarray) -> np.ndarray | None:
    """:func:`_fast_dayfirst` on the characters as numbers, one row of 19 per value (code points, or the bytes
    of ASCII text: the same numbers)."""
    d = cp[:, _DIGITS].astype(np.int32) - 48
    if ((d < 0) | (d > 9)).any() or (cp[:, 10] != 32).any() or (cp[:, [13, 16]] != 58).any():
        return None
    if (cp[:, 2] != cp[:, 5]).any() or ~np.isin(cp[:, 2], (45, 46, 47)).all():
        return None
    day, month = d[:, 0] * 10 + d[:, 1], d[:, 2] * 10 + d[:, 3]
    year = d[:, 4] * 1000 + d[:, 5] * 100 + d[:, 6] * 10 + d[:, 7]
    secs = (d[:, 8] * 10 + d[:, 9]) * 3600 + (d[:, 10] * 10 + d[:, 11]) * 60 + d[:, 12] * 10 + d[:, 13]
    ok = (month >= 1) & (month <= 12) & (day >= 1)
    ok &= (d[:, 8] * 10 + d[:, 9] < 24) & (d[:, 10] * 10 + d[:, 11] < 60) & (d[:, 12] * 10 + d[:, 13] < 60)
    months = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == months  # day within its month
    out = days.astype("datetime64[ns]") + secs.astype("timedelta64[s]")
    out[~ok] = np.datetime64("NaT")
    return out
