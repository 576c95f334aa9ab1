"""Read an SPSS .sav file in a child process, so a damaged file is an error and never a crash.

pyreadstat's C library can crash the whole process on a damaged file (one changed byte can end in a
segmentation fault). The file is therefore read by ``python -m fuldtid.savread`` in a child process; if
the child dies, the parent raises a clean :class:`~fuldtid.errors.ExportError`.

The child also settles the case count: the header states it, and readstat stops there silently, so
the data are read from a copy whose header says "unknown" (-1) and the rows actually found are compared
with the header.
"""

from __future__ import annotations

import os
import pickle
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .errors import ExportError
from .limits import check_rows, current, too_big

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


def read_sav(path: Path, **kwargs: Any) -> tuple[Any, Any]:
    """``pyreadstat.read_sav(path, **kwargs)`` run in a child process; returns (frame, metadata).

    A data read (not ``metadataonly``) also checks the rows found against the header's case count and
    the row limit. Every failure is an :class:`ExportError` naming the file.
    """
    lim = current()
    request = {"path": str(path), "kwargs": kwargs, "max_rows": lim.max_rows}
    with tempfile.TemporaryDirectory(prefix="fuldtid-sav-") as tmp:
        req, out = Path(tmp) / "request.pickle", Path(tmp) / "result.pickle"
        req.write_bytes(pickle.dumps(request))
        try:
            proc = subprocess.run([sys.executable, "-m", "fuldtid.savread", str(req), str(out)],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  timeout=TIMEOUT, env=_child_env())
        except subprocess.TimeoutExpired:
            raise ExportError(f"{path}: reading the SPSS file did not finish in {TIMEOUT} s; it is damaged.\n"
                              "Export the data again from SurveyXact.") from None
        if proc.returncode != 0 or not out.exists():
            how = (f"the reader crashed (signal {-proc.returncode})" if proc.returncode < 0
                   else f"the reader failed ({_last_line(proc.stderr)})")
            raise ExportError(f"{path}: cannot be read as an SPSS file: {how}; it is damaged or cut off.\n"
                              "Export the data again from SurveyXact.")
        status, payload = pickle.loads(out.read_bytes())
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
    root = str(Path(__file__).resolve().parent.parent)
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
    request = pickle.loads(Path(argv[0]).read_bytes())
    result = _child(request)
    Path(argv[1]).write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
