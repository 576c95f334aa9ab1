"""Packaging: the lowest versions CI installs (constraints/lowest.txt) are exactly setup.cfg's lower bounds, and
every dependency the package imports is declared."""

from __future__ import annotations

import ast
import configparser
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _requirements() -> dict[str, str]:
    """name -> lower bound of install_requires and the test extra."""
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = cfg["options"]["install_requires"].splitlines() + cfg["options.extras_require"]["test"].splitlines()
    out = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)", line)
        assert m, f"setup.cfg: {line!r} has no plain lower bound (name>=version)"
        out[m.group(1).lower()] = m.group(2)
    return out


def _pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "constraints" / "lowest.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            out[name.strip().lower()] = version.strip()
    return out


def _same(bound: str, pin: str) -> bool:
    pad = lambda v: [int(x) for x in v.split(".")] + [0] * (3 - len(v.split(".")))  # noqa: E731
    return pad(bound) == pad(pin)


def test_lowest_constraints_are_the_lower_bounds():
    reqs, pins = _requirements(), _pins()
    assert sorted(reqs) == sorted(pins)
    assert {n: (reqs[n], pins[n]) for n in reqs if not _same(reqs[n], pins[n])} == {}


# import name -> distribution name, for the imports whose names differ
_DISTRIBUTION = {"yaml": "pyyaml", "docx": "python-docx", "python_calamine": "python-calamine"}


def test_every_third_party_import_of_the_package_is_declared():
    declared = set(_requirements())
    stdlib = set(sys.stdlib_module_names)
    used = set()
    for path in (ROOT / "fuldtid").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in stdlib and top != "fuldtid":
                    used.add(_DISTRIBUTION.get(top, top).lower())
    assert used - declared == set()
    # and nothing is declared that the package does not import (the test tools aside)
    assert declared - used - {"pytest", "hypothesis", "pytest-xdist"} == set()


def test_the_audit_finds_the_blas_it_limits_to_one_thread():
    """The anonymity audit limits BLAS to one thread with threadpoolctl (fuldtid/stats/audit.py); a threadpoolctl
    that does not recognise the BLAS NumPy is built with limits nothing and says nothing (threadpoolctl 3.1-3.4
    and NumPy 2's libscipy_openblas: the lowest-versions suite ran 4x slower)."""
    import numpy as np
    from threadpoolctl import threadpool_info, threadpool_limits

    np.ones((2, 2)) @ np.ones((2, 2))  # BLAS loaded
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    assert blas, "threadpoolctl finds no BLAS library: raise its lower bound in setup.cfg"
    with threadpool_limits(limits=1, user_api="blas"):
        assert all(i["num_threads"] == 1 for i in threadpool_info() if i["user_api"] == "blas")
