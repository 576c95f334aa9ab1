"""What a read SurveyXact export is: :class:`Variable`, :class:`Export`, the status codes and the
administrative columns every form of export drops."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


#: SurveyXact's overall status, coded as the dummies statoverall_1 .. statoverall_5.
STATUS_LABELS: Mapping[int, str] = {
    1: "Ny",
    2: "Distribueret",
    3: "Delvist besvaret",
    4: "Gennemført",
    5: "Frafaldet",
}
#: A respondent has answered when statoverall_3 or statoverall_4 is 1.
ANSWERED_STATUSES: tuple[int, ...] = (3, 4)

_STRUCTURE_COLUMNS = ("questionName", "variableName", "questionType", "subType", "questionText",
                      "choiceValue", "choiceText")
from fuldtid.read.textsniff import SEPARATORS as _SEPARATORS  # noqa: E402,F401  (the one list of candidates)

# Columns SurveyXact adds around the answers. They are dropped at read time; the e-mail pattern also
# catches renamed copies of the address column, which is personal data.
_ADMIN_RE = re.compile(
    r"^(statinternal_\d+|statcompletion_\d+|statdistribution_\d+|created|modified|difftime"
    r"|responsecollectsessions|numberofreturnedmail|importgroup|distributionschedule"
    r"|digitaldistribution\w*|.*e[-_ ]?mail.*)$",
    re.IGNORECASE,
)
# statoverall_1..5; older exports (and readSX's examples) name them stato_1..5.
_STATUS_RE = re.compile(r"^stat(?:overall|o)_(\d+)$", re.IGNORECASE)
_TIME_COLUMNS = ("starttime", "closetime")

# Dates SurveyXact or a Danish Excel may write; ISO dates are recognised separately.
_DAYFIRST_FORMATS = (
    "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y",
)

_CHUNK = 1 << 22  # bytes per step of the record scan; bounds its memory (it runs beside the parser on big files)


def is_admin_column(name: str) -> bool:
    """True for SurveyXact's administrative columns (statinternal_*, created, email, ...).

    statoverall_*, starttime and closetime are administrative too but read for the status and period.
    """
    low = name.strip().lower()
    return bool(_ADMIN_RE.match(low)) or bool(_STATUS_RE.match(low)) or low in _TIME_COLUMNS


@dataclass(frozen=True)
class Variable:
    """One questionnaire variable as the export describes it."""

    name: str
    """The export's variable name, e.g. ``"s_3"``."""
    text: str
    """The question text (SPSS: the variable label), stripped of surrounding blanks."""
    kind: str
    """``"single"`` (answer codes with labels), ``"open"`` (free text) or ``"multiple"`` (one option of a
    multiple-choice question: 0/1, ticked when 1)."""
    labels: Mapping[int, str] = field(default_factory=dict)
    """Code -> label in code order; empty for open variables."""
    question: str = ""
    """Structure's questionName (``s_4`` for the options ``s_4_1``, ``s_4_2``, ...); empty when unknown."""
    option: str = ""
    """A multiple-choice option's own text (Structure's choiceText); ``text`` ends with ``" - " + option``."""

    @property
    def question_text(self) -> str:
        """The question's text without the option (multiple choice) or item (grid) after ``" - "``."""
        if self.option and self.text.endswith(f" - {self.option}"):
            return self.text[: -len(self.option) - 3].strip()
        return self.text


@dataclass(frozen=True, eq=False)
class Export:
    """A SurveyXact export as read: its variables and one row per distributed respondent.

    ``data`` is indexed by ``respondentid`` (str; the row number when the export has none). Its columns are
    every questionnaire variable (single and multiple: ``Int64`` codes, ``<NA>`` when empty; open: strings,
    missing when empty or blank), then ``answered``
    (bool), ``status`` (the overall status label, missing when no status is set), ``starttime`` and
    ``closetime`` (``datetime64[ns]``, ``NaT`` when empty or absent).
    """

    path: Path
    form: str
    encoding: str | None
    separator: str | None
    variables: Mapping[str, Variable]
    data: pd.DataFrame
    warnings: tuple[str, ...] = ()
    numbered: bool = False
    """True when the export has no respondentid column (an anonymous survey): rows are numbered 1, 2, ..."""

    @property
    def distributed(self) -> int:
        """Number of respondents the questionnaire was distributed to (rows)."""
        return int(len(self.data))

    @property
    def answered(self) -> int:
        """Number of respondents who answered (statoverall_3 or statoverall_4 = 1)."""
        return int(self.data["answered"].sum())

    @property
    def response_rate(self) -> float:
        """answered / distributed, between 0 and 1."""
        return self.answered / self.distributed if self.distributed else 0.0

    @property
    def period(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """First and last close time (else start time) among the answered respondents."""
        rows = self.data.loc[self.data["answered"]]
        when = rows["closetime"].fillna(rows["starttime"]).dropna()
        if when.empty:
            return (None, None)
        return (when.min(), when.max())


def _some(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
