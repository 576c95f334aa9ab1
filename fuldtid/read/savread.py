"""Read an SPSS .sav file in a child process, so a damaged file is an error and never a crash.

pyreadstat's C library can crash the whole process on a damaged file (one changed byte can end in a
segmentation fault). The file is therefore read by ``python -m fuldtid.read.savread`` in a child process; if
the child dies, the parent raises a clean :class:`~fuldtid.errors.ExportError`.

The child also settles the case count: the header states it, and readstat stops there silently, so
the data are read from a copy whose header says "unknown" (-1) and the rows actually found are compared
with the header.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fuldtid.errors import ExportError
from fuldtid.read.limits import check_rows, current, too_big

if TYPE_CHECKING:
    import pandas as pd
    from pyreadstat import metadata_container

#: The child is given this long; a damaged file can make the reader loop.
TIMEOUT = 600

_NCASES_AT = 80  # offset of the int32 case count in the .sav header record


def header_cases(path: Path) -> int | None:
    """The case count the header announces (-1: unknown), or None when there is no .sav header."""
    with open(path, "rb") as fh:
        head = fh.read(_NCASES_AT + 4)
    if len(head) < _NCASES_AT + 4 or head[:4] not in (b"$FL2", b"$FL3"):
        return None
    layout_le = struct.unpack("<i", head[64:68])[0]
    order = "<" if layout_le in (2, 3) else ">"
    return struct.unpack(order + "i", head[_NCASES_AT:_NCASES_AT + 4])[0]


class _Worker:
    """One child process serving read requests over its stdin/stdout (length-prefixed pickles), so the
    metadata read and the data read of one file share a process and its imports."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, "-m", "fuldtid.read.savread", "--serve"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr, env=_child_env())

    def request(self, request: dict[str, Any]) -> tuple[str, Any]:
        path = self.path
        try:
            data = pickle.dumps(request)
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write(struct.pack("<Q", len(data)) + data)
            self.proc.stdin.flush()
            head = self._read(8)
            if len(head) == 8:
                body = self._read(struct.unpack("<Q", head)[0])
                return pickle.loads(body)
        except (BrokenPipeError, EOFError, pickle.UnpicklingError, struct.error):
            pass
        except TimeoutError:
            self.close()
            raise ExportError(f"{path}: reading the SPSS file did not finish in {TIMEOUT} s; it is damaged.\n"
                              "Export the data again from SurveyXact.") from None
        code = self.close()
        self.stderr.seek(0)
        how = (f"the reader crashed (signal {-code})" if code is not None and code < 0
               else f"the reader failed ({_last_line(self.stderr.read())})")
        raise ExportError(f"{path}: cannot be read as an SPSS file: {how}; it is damaged or cut off.\n"
                          "Export the data again from SurveyXact.")

    def _read(self, n: int) -> bytes:
        import select

        out = bytearray()
        stdout = self.proc.stdout
        assert stdout is not None
        while len(out) < n:
            ready, _, _ = select.select([stdout], [], [], TIMEOUT)
            if not ready:
                raise TimeoutError
            chunk = os.read(stdout.fileno(), min(n - len(out), 1 << 20))
            if not chunk:
                break
            out += chunk
        return bytes(out)

    def close(self) -> int | None:
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


_WORKER: _Worker | None = None


def _close_worker() -> None:
    global _WORKER
    if _WORKER is not None:
        _WORKER.close()
        _WORKER = None


atexit.register(_close_worker)


def read_sav(path: Path, **kwargs: Any) -> tuple[pd.DataFrame, metadata_container]:
    """``pyreadstat.read_sav(path, **kwargs)`` run in a child process; returns (frame, metadata).

    A data read (not ``metadataonly``) also checks the rows found against the header's case count and
    the row limit. Every failure is an :class:`ExportError` naming the file. A metadata read leaves its
    child running for the data read of the same file that follows it.
    """
    global _WORKER
    lim = current()
    request = {"path": str(path), "kwargs": kwargs, "max_rows": lim.max_rows}
    if _WORKER is None or _WORKER.path != path or _WORKER.proc.poll() is not None:
        _close_worker()
        _WORKER = _Worker(path)
    worker = _WORKER
    try:
        status, payload = worker.request(request)
    finally:
        if not kwargs.get("metadataonly") or _WORKER is not worker or worker.proc.poll() is not None:
            if _WORKER is worker:
                _WORKER = None
            with contextlib.suppress(Exception):
                worker.close()
    if status == "error":
        raise ExportError(f"{path}: cannot be read as an SPSS file ({payload[:120]}); it may be damaged "
                          "or cut off.\nExport the data again from SurveyXact.")
    if status == "rows":
        if payload is None:  # read up to the limit and found more
            raise too_big(ExportError, str(path), f"holds more than {lim.max_rows:,} cases, over the limit of "
                          f"{lim.max_rows:,}", "max-rows")
        check_rows(payload, str(path), ExportError, unit="cases")
    if status == "count":
        announced, found = payload
        raise ExportError(f"{path}: its header announces {announced} cases but the file holds {found}; the "
                          "file is cut off or damaged.\nExport the data again from SurveyXact.")
    frame, meta = payload
    return frame, meta


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child must import this very fuldtid (an editable install or a source tree alike).
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _last_line(stderr: bytes) -> str:
    lines = [ln for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1].strip()[:120] if lines else "no message"


def _child(request: dict[str, Any]) -> tuple[str, Any]:
    """What the child does: read, with the header's case count checked against the rows found."""
    import pyreadstat

    path = Path(request["path"])
    kwargs = dict(request["kwargs"])
    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True, apply_value_formats=False,
                                      user_missing=False)
    except Exception as exc:  # noqa: BLE001 - readstat's errors on damaged files
        return "error", str(exc)
    if kwargs.get("metadataonly"):
        return "ok", (None, meta)
    announced = header_cases(path)
    max_rows = request["max_rows"]
    if announced is not None and announced > max_rows:
        return "rows", announced
    # Read from a copy whose header says "case count unknown", so readstat reads to the end of the data.
    with tempfile.TemporaryDirectory(prefix="fuldtid-sav-") as tmp:
        copy = Path(tmp) / "data.sav"
        shutil.copyfile(path, copy)
        if announced is not None and announced >= 0:
            with open(copy, "r+b") as fh:
                head = fh.read(68)
                order = "<" if struct.unpack("<i", head[64:68])[0] in (2, 3) else ">"
                fh.seek(_NCASES_AT)
                fh.write(struct.pack(order + "i", -1))
        try:
            frame, meta_read = pyreadstat.read_sav(str(copy), row_limit=max_rows + 1, **kwargs)
        except Exception as exc:  # noqa: BLE001
            return "error", str(exc)
    if len(frame) > max_rows:
        return "rows", None
    if announced is not None and announced >= 0 and announced != len(frame):
        return "count", (announced, len(frame))
    meta.number_rows = len(frame)
    return "ok", (frame, meta)


def main(argv: list[str]) -> int:
    """Serve requests from stdin until it closes: 8-byte length, pickled request; the same back."""
    if argv != ["--serve"]:
        print("usage: python -m fuldtid.read.savread --serve", file=sys.stderr)
        return 2
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = stdin.read(8)
        if len(head) < 8:
            return 0
        request = pickle.loads(stdin.read(struct.unpack("<Q", head)[0]))
        data = pickle.dumps(_child(request), protocol=pickle.HIGHEST_PROTOCOL)
        stdout.write(struct.pack("<Q", len(data)) + data)
        stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
