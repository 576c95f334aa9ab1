"""Outputs are written whole or not at all: to a temporary file beside the target, then moved.

:func:`write_together` does the same for several files of one run: all are staged in a temporary folder
beside the targets and moved in only when all are written; if a move fails, the files already moved are
put back, so the previous outputs stay as they were. Every OS error is an :class:`OutputError`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Iterator

from fuldtid.errors import OutputError


def _folder(target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{target.parent}: cannot create the output folder ({exc.strerror})") from None
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file name to write to")


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``target`` in one step.

    If the block fails, the temporary file is removed and an existing ``target`` is left untouched.
    """
    target = Path(target)
    _folder(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{target.parent}: cannot write there ({exc.strerror}); choose another --out") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise OutputError(f"{target}: cannot be written ({exc.strerror})") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def write_bytes(target: str | Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_together(files: Mapping[str | Path, bytes]) -> list[Path]:
    """Write several files as one step: all land, or none changes.

    The files are written into a temporary folder beside each target folder; only when every file is
    written are they moved in (existing ones first set aside, and put back if a later move fails).
    """
    targets = [Path(t) for t in files]
    for t in targets:
        _folder(t)
    stages: dict[Path, Path] = {}
    try:
        for parent in dict.fromkeys(t.parent for t in targets):
            try:
                stages[parent] = Path(tempfile.mkdtemp(prefix=".fuldtid-stage-", dir=parent))
            except OSError as exc:
                raise OutputError(f"{parent}: cannot write there ({exc.strerror}); choose another --out") from None
        staged: list[tuple[Path, Path]] = []
        for t, data in zip(targets, files.values()):
            s = stages[t.parent] / t.name
            try:
                s.write_bytes(data)
                os.chmod(s, 0o644)
            except OSError as exc:
                raise OutputError(f"{t}: cannot be written ({exc.strerror}); nothing was changed") from None
            staged.append((t, s))
        _move_in(staged, stages)
    finally:
        for stage in stages.values():
            shutil.rmtree(stage, ignore_errors=True)
    return targets


def _move_in(staged: list[tuple[Path, Path]], stages: dict[Path, Path]) -> None:
    done: list[tuple[Path, Path | None]] = []  # (target, where its previous version was set aside)
    t = staged[0][0] if staged else Path()
    try:
        for t, s in staged:
            old = None
            if t.exists():
                old = stages[t.parent] / f".previous-{t.name}"
                os.replace(t, old)
            done.append((t, old))
            os.replace(s, t)
    except OSError as exc:
        for moved, old in reversed(done):
            with contextlib.suppress(OSError):
                if old is not None:
                    os.replace(old, moved)
                else:
                    moved.unlink()
        raise OutputError(f"{t}: cannot be written ({exc.strerror}); the previous outputs were kept") from None
