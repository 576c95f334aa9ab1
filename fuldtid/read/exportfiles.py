"""Finding an export's three CSV files (Dataset, Structure, Labels) in a folder or a zip."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from fuldtid.errors import ExportError
from fuldtid.read import limits


def _zip_is_workbook(p: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return False  # a damaged zip (a flipped byte can claim an unknown zip version): not a workbook
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


_TRIO_RE = re.compile(r"^(dataset|structure|labels)(\s*\(\d+\))?\.csv$", re.IGNORECASE)


def _pick_trio(names: Iterable[str], where: str) -> dict[str, str] | None:
    """Map dataset/structure/labels to one file name each among ``names`` (base names)."""
    found: dict[str, list[str]] = {}
    for name in names:
        m = _TRIO_RE.match(name)
        if m:
            found.setdefault(m.group(1).lower(), []).append(name)
    if set(found) != {"dataset", "structure", "labels"}:
        return None
    trio = {}
    for kind, cands in found.items():
        exact = [c for c in cands if c.lower() == f"{kind}.csv"]
        if len(exact) == 1:
            trio[kind] = exact[0]
        elif len(cands) == 1:
            trio[kind] = cands[0]
        else:
            raise ExportError(
                f"{where}: more than one {kind} file ({', '.join(sorted(cands))}). "
                "Keep one export per folder."
            )
    return trio


def _trio_in_folder(folder: Path) -> dict[str, tuple[str, Callable[[], bytes]]]:
    def loader(f: Path) -> Callable[[], bytes]:
        def load() -> bytes:
            try:
                limits.check_size(f.stat().st_size, str(f), ExportError)
                return f.read_bytes()
            except OSError as exc:
                raise ExportError(f"{f}: cannot be read ({exc.strerror}).") from None
        return load

    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise ExportError(f"{folder}: cannot be read ({exc.strerror}).") from None
    files = {e.name: e for e in entries if e.is_file()}
    trio = _pick_trio(files, str(folder))
    if trio is None:
        # An unzipped export often sits one folder further down.
        subs = [e for e in entries if e.is_dir()]
        hits = []
        for sub in subs:
            sub_files = {e.name: e for e in sub.iterdir() if e.is_file()}
            sub_trio = _pick_trio(sub_files, str(sub))
            if sub_trio:
                hits.append((sub, sub_files, sub_trio))
        if len(hits) != 1:
            raise ExportError(
                f"{folder}: does not hold a SurveyXact export (dataset.csv, structure.csv and "
                "labels.csv" + (", found in several sub-folders" if hits else "") + ").\n"
                "Point to the folder with the three files, the .zip, the .xlsx or the .sav file."
            )
        _, files, trio = hits[0]
    return {kind: (str(files[name]), loader(files[name])) for kind, name in trio.items()}


# --- unzipping ahead -------------------------------------------------------------------------------------
# A command's imports (pandas, scipy's special functions, the statistics) take about half a second; unzipping a
# large Dataset as long again, and zlib lets go of the GIL while it inflates. So the command line starts the
# unzipping of a zip export's largest member in a thread before its imports, and the reader takes the bytes from
# here. Only the member it would read anyway, with the same size limit, and only a file that is unchanged; on
# anything unusual (not a zip, a damaged one) nothing is kept and the reader unpacks and reports as always.

_AHEAD: dict[tuple, object] = {}  # key -> concurrent.futures.Future of the member's bytes (or None)
_AHEAD_FROM = 1 << 20  # compressed bytes; below this unzipping costs too little to be worth a thread


def _ahead_key(p: Path, info: object) -> tuple:
    st = p.stat()
    return (str(p.resolve()), st.st_mtime_ns, st.st_size, info.filename, info.CRC, info.file_size,  # type: ignore
            limits.current().max_size)


def unzip_ahead(path: str | Path) -> None:
    """Start unpacking the largest member of the zip at ``path`` in a thread, for :func:`_trio_in_zip` to take."""
    import contextvars
    import threading
    import zipfile
    from concurrent.futures import Future

    p = Path(path)
    try:
        if not (p.is_file() and p.suffix.lower() == ".zip" and p.stat().st_size >= _AHEAD_FROM):
            return
        with zipfile.ZipFile(p) as zf:
            info = max((i for i in zf.infolist() if not i.is_dir()), key=lambda i: i.file_size)
        key = _ahead_key(p, info)
    except Exception:  # noqa: BLE001 - whatever is wrong, the reader finds and reports it
        return
    future: Future = Future()
    _AHEAD[key] = future

    def work() -> None:
        try:
            with zipfile.ZipFile(p) as zf:
                future.set_result(limits.read_member(zf, zf.getinfo(info.filename), "", ExportError))
        except BaseException:  # noqa: BLE001 - left to the reader, which unpacks again and reports
            future.set_result(None)

    threading.Thread(target=contextvars.copy_context().run, args=(work,), daemon=True).start()


def _taken_ahead(p: Path, info: object) -> bytes | None:
    """The member's bytes if :func:`unzip_ahead` unpacked this very member of this very file, else None."""
    if not _AHEAD:
        return None
    try:
        future = _AHEAD.pop(_ahead_key(p, info), None)
    except OSError:
        return None
    return None if future is None else future.result()  # type: ignore[attr-defined]


def _trio_in_zip(p: Path) -> dict[str, tuple[str, Callable[[], bytes]]]:
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(p) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
            folders: dict[str, dict[str, zipfile.ZipInfo]] = {}
            for info in infos:
                folder, _, base = info.filename.rpartition("/")
                folders.setdefault(folder, {})[base] = info
            hits = []
            for folder, members in folders.items():
                if "/" in folder:
                    continue  # only the top level or one sub-folder
                trio = _pick_trio(members, f"{p}:{folder or '/'}")
                if trio:
                    hits.append((members, trio))
            if len(hits) != 1:
                shown = ", ".join(sorted(i.filename for i in infos)[:6]) or "nothing"
                what = ("more than one export" if hits else
                        f"no dataset.csv, structure.csv and labels.csv (it holds {shown})")
                raise ExportError(f"{p}: {what}.\nZip exactly one SurveyXact CSV export, or give its folder.")
            members, trio = hits[0]
            out = {}
            for kind, name in trio.items():
                info = members[name]
                try:
                    payload = _taken_ahead(p, info)
                    if payload is None:
                        payload = limits.read_member(zf, info, f"{p}:{info.filename}", ExportError)
                except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError,
                        NotImplementedError) as exc:
                    raise ExportError(f"{p}:{info.filename}: cannot be unpacked ({exc}). The zip is "
                                      "damaged; download it again.") from None
                out[kind] = (f"{p}:{info.filename}", (lambda b=payload: b))
            return out
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ExportError(f"{p}: the zip file is damaged or cut off ({exc}). Download it again.") from None
