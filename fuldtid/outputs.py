"""Outputs never land on an input: targets are compared with every input by resolved path and file identity.

An input is the export (every file in an export folder), the coding, population and survey-definition
files, and any other file a command reads (the memo's intro, a DOCX template). Identity is the device
and inode (``os.stat``), so a hard link or a symlink to an input, or another spelling of its path, is
recognised as well.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from fuldtid.errors import OutputError

_MAX_FOLDER_FILES = 10_000  # an export folder holds three files; do not walk a whole disk
_TRIO = re.compile(r"^(dataset|structure|labels)\b.*\.csv$", re.IGNORECASE)


def _identity(p: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(p)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _resolved(p: Path) -> Path:
    try:
        return p.expanduser().resolve()
    except (OSError, RuntimeError):
        return p.absolute()


def input_files(role: str, path: str | os.PathLike | None) -> list[tuple[str, Path]]:
    """The files behind one input, as (role, path): a folder (or a CSV of an export folder) gives the
    files in it and one level below."""
    if path is None:
        return []
    p = Path(path)
    if not p.exists():
        return [(role, p)]
    folder = p if p.is_dir() else (p.parent if role == "export" and _TRIO.match(p.name) else None)
    if folder is None:
        return [(role, p)]
    found: list[tuple[str, Path]] = [(role, p)]
    try:
        for entry in folder.iterdir():
            if entry.is_file():
                found.append((f"{role} ({entry.name})", entry))
            elif entry.is_dir():
                found.extend((f"{role} ({entry.name}/{sub.name})", sub) for sub in entry.iterdir() if sub.is_file())
            if len(found) > _MAX_FOLDER_FILES:
                break
    except OSError:
        pass
    return found


def guard(targets: Iterable[str | os.PathLike], inputs: Mapping[str, str | os.PathLike | None]) -> None:
    """Raise :class:`OutputError` if a target is an input (same resolved path or same file) or a folder.

    ``inputs`` maps a role ("export", "coding file", ...) to a path or None.
    """
    known: list[tuple[str, Path, Path, tuple[int, int] | None]] = []
    for role, path in inputs.items():
        for name, p in input_files(role, path):
            known.append((name, p, _resolved(p), _identity(p)))
    for target in targets:
        t = Path(target)
        rt, tid = _resolved(t), _identity(t)
        for name, p, rp, pid in known:
            if rt == rp or (tid is not None and tid == pid):
                raise OutputError(f"{t}: is one of the inputs of this run (the {name}, {p}); writing there "
                                  "would overwrite it. Choose another --out.")
        if t.is_dir():
            raise OutputError(f"{t}: is a folder; give a file name to write to (--out).")


def guard_folder(folder: str | os.PathLike, names: Iterable[str],
                 inputs: Mapping[str, str | os.PathLike | None]) -> None:
    """:func:`guard` for files ``names`` in an output folder; the folder must not be an input file."""
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose another --out")
    guard([out / n for n in names], inputs)
