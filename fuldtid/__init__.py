"""fuldtid: from a SurveyXact export of a working-time questionnaire to the memo (notat)."""

__version__ = "0.1.0"
