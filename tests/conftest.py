from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "surveys" / "examples" / "vjh_2022"


@pytest.fixture(scope="session")
def example_dir() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def example_export():
    from fuldtid.read.export import read_export

    return read_export(EXAMPLE / "export")


@pytest.fixture(scope="session")
def example_survey(example_export):
    from fuldtid.model.survey import load_survey

    return load_survey(example_export)


@pytest.fixture(scope="session")
def example_tables(example_survey):
    """The memo's tables as printed: every count shown."""
    from fuldtid.model.coding import read_coding
    from fuldtid.stats.tables import build_tables

    coding = read_coding(EXAMPLE / "coding.csv", example_survey)
    return build_tables(example_survey, coding, min_group=1)


@pytest.fixture(scope="session")
def ts():
    """The example as the memo tests use it: every count shown (shared by the memo and figure tests)."""
    from memo_helpers import example_tableset

    return example_tableset(min_group=1)


@pytest.fixture(scope="session")
def memo(ts):
    from fuldtid.render.memo import build_memo

    return build_memo(ts)
