"""The exceptions fuldtid raises for problems in a user's input.

Every error a user can cause derives from :class:`SurveyError`. The command line turns these (and only
these) into a short message without a traceback; anything else is a bug and is shown in full.
"""

from __future__ import annotations


class SurveyError(Exception):
    """A problem with the input that the user can fix.

    The message names the file, the column or value, and what to do about it. A value it quotes that
    looks like personal data (a CPR or phone number, an e-mail address) is masked.
    """

    def __init__(self, message: object = "", *args: object) -> None:
        if isinstance(message, str):
            from fuldtid.personal import mask_quoted

            message = mask_quoted(message)
        super().__init__(message, *args)


class ExportError(SurveyError):
    """The survey export cannot be read or is inconsistent."""


class DefinitionError(SurveyError):
    """The survey definition (YAML) is invalid or does not fit the export."""


class CodingError(SurveyError):
    """The coding file of open answers is invalid or does not fit the survey."""


class PopulationError(SurveyError):
    """The population file is invalid or does not fit the survey."""


class WeightingError(SurveyError):
    """Weights cannot be computed (e.g. raking does not converge)."""


class OutputError(SurveyError):
    """An output cannot be written."""
