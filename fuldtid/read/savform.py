"""The SPSS form: variables from the .sav file's variable and value labels, then the needed columns."""

from __future__ import annotations

from pathlib import Path

from fuldtid.errors import ExportError
from fuldtid.read.assemble import _assemble
from fuldtid.read.csvform import _select_columns
from fuldtid.read.exportmodel import Export, is_admin_column, Variable
from fuldtid.read.structure import _clean, _int_code, _multiples_from_labels


def _read_sav(p: Path) -> Export:
    try:
        import pyreadstat
    except ImportError:  # pragma: no cover - a packaging problem, not the user's
        raise ExportError(f"{p}: reading .sav needs the package pyreadstat; install fuldtid with its "
                          "dependencies.") from None

    def read(**kwargs):
        # In a child process: a damaged file can crash pyreadstat (see fuldtid.read.savread).
        from fuldtid.read.savread import read_sav

        return read_sav(p, apply_value_formats=False, user_missing=False, **kwargs)

    _, meta = read(metadataonly=True)
    warnings: list[str] = []
    variables: dict[str, Variable] = {}
    types = meta.readstat_variable_types
    value_labels = meta.variable_value_labels or {}
    texts = meta.column_names_to_labels or {}
    for name in meta.column_names:
        low = name.lower()
        if low == "respondentid" or is_admin_column(name):
            continue
        text = (texts.get(name) or "").strip()
        if not text:
            warnings.append(f"{p}: variable {name} has no variable label (question text).")
            text = name
        if types.get(name) == "string":
            variables[name] = Variable(name, text, "open", {})
            continue
        labels = {}
        for code, label in (value_labels.get(name) or {}).items():
            as_int = _int_code(_clean(code)) if not isinstance(code, str) else _int_code(code)
            if as_int is None:
                raise ExportError(f"{p}: variable {name} has the value label {label!r} on the code "
                                  f"{code!r}, which is not a whole number.")
            labels[as_int] = str(label).strip()
        if labels:
            variables[name] = Variable(name, text, "single", dict(sorted(labels.items())))
        else:
            warnings.append(f"{p}: numeric variable {name} has no value labels; its values are read as text.")
            variables[name] = Variable(name, text, "open", {})
    if not variables:
        raise ExportError(f"{p}: no questionnaire variables (only administrative columns). "
                          "Export the data again from SurveyXact.")
    variables = _multiples_from_labels(variables)
    keep, rename = _select_columns(list(meta.column_names), variables)
    # Only the needed columns are read: faster, and the e-mail addresses are never even loaded.
    df, _ = read(usecols=keep)
    expected = getattr(meta, "number_rows", None)
    if expected is not None and expected >= 0 and expected != len(df):
        raise ExportError(f"{p}: holds {len(df)} cases but its header announces {expected}; the file is "
                          "cut off or damaged.\nExport the data again from SurveyXact.")
    frame = df[keep].rename(columns=rename)

    def place(i: int) -> str:
        return f"case {i + 1}"

    return _assemble(p, "sav", None, None, variables, frame, str(p), place,
                     f"{p} (value labels)", warnings)
