"""End to end: a hand-damaged export through `fuldtid report` gives either the right counts or a clean
error, never a traceback and never a silently different count."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuldtid.cli import cli

EXAMPLE = Path(__file__).resolve().parent.parent / "surveys" / "examples" / "vjh_2022" / "export"
DATASET = (EXAMPLE / "dataset.csv").read_bytes()
LINES = DATASET.split(b"\r\n")


def _oracle(data: bytes) -> int | None:
    """Answered respondents by Python's csv module, or None where the file is not a consistent table."""
    try:
        rows = list(csv.reader(io.StringIO(data.decode("cp1252"), newline=""), delimiter=";"))
    except (UnicodeDecodeError, csv.Error):
        return None
    rows = [r for r in rows if r]
    header = rows[0]
    if any(len(r) != len(header) for r in rows) or "statoverall_3" not in header:
        return None
    i3, i4 = header.index("statoverall_3"), header.index("statoverall_4")
    ids = [r[0] for r in rows[1:]]
    if len(set(ids)) != len(ids) or any(r[i3] not in ("0", "1") or r[i4] not in ("0", "1") for r in rows[1:]):
        return None
    return sum(r[i3] == "1" or r[i4] == "1" for r in rows[1:])


mangles = st.one_of(
    st.tuples(st.just("drop"), st.integers(1, len(LINES) - 2)),
    st.tuples(st.just("duplicate"), st.integers(1, len(LINES) - 2)),
    st.tuples(st.just("cut"), st.integers(1, len(DATASET) - 1)),
    st.tuples(st.just("byte"), st.integers(0, len(DATASET) - 1), st.sampled_from(list(b";\"\r\n0129x") + [0xE6])),
)


def _apply(m: tuple) -> bytes:
    kind = m[0]
    if kind == "drop":
        return b"\r\n".join(LINES[: m[1]] + LINES[m[1] + 1:])
    if kind == "duplicate":
        return b"\r\n".join(LINES[: m[1] + 1] + LINES[m[1]:])
    if kind == "cut":
        return DATASET[: m[1]]
    data = bytearray(DATASET)
    data[m[1]] = m[2] if isinstance(m[2], int) else ord(m[2])
    return bytes(data)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangles)
def test_mangled_export_gives_right_counts_or_a_clean_error(m):
    data = _apply(m)
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export"
        shutil.copytree(EXAMPLE, export)
        (export / "dataset.csv").write_bytes(data)
        out = Path(tmp) / "out"
        result = CliRunner().invoke(cli, ["report", str(export), "--format", "json", "--out", str(out)])
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        if result.exit_code == 1:
            assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) <= 2
            assert not out.exists()
            return
        answered = json.loads((out / "tables.json").read_text(encoding="utf-8"))["answered"]
        expected = _oracle(data)
        if expected is not None:
            assert answered == expected
