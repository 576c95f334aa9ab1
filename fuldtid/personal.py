"""Personal data as people type it (CPR numbers, phone numbers, e-mail addresses), found and masked.

Used for the quotes in the memo (:mod:`fuldtid.stats.quotes`) and for every error message that echoes a value
(:class:`fuldtid.errors.SurveyError`). Kept free of heavy imports, since the errors module needs it.
"""

from __future__ import annotations

import re

# People type personal data in many spellings; the patterns take the common ones (and err on masking).
# Separators between digit groups: a space, dot, slash or any dash, with spaces around it.
_SEP = r"(?:[ \u00a0]{0,2}[-\u2010-\u2015\u2212./][ \u00a0]{0,2}|[ \u00a0]{1,2})?"
# CPR: DDMMYY-XXXX as 6+4, 2+2+2+4 or 4+2+4 digits ("010190-1234", "050595 - 5678", "0101 90 1234").
_CPR = re.compile(rf"(?<![\d\w])[0-3]\d{_SEP}[01]\d{_SEP}\d\d{_SEP}\d{{4}}(?!\d)")
# E-mail: the local part may hold any of RFC 5322's characters (%, ', +, ...); "(at)" and "[at]" too.
_LOCAL = r"[\w!#$%&*+/=?^`{|}~-][\w.!#$%&'*+/=?^`{|}~-]*"
_DOMAIN = r"[\w-]+(?:\.[\w-]+)+"
_EMAIL = re.compile(rf"(?:{_LOCAL})?@{_DOMAIN}|{_LOCAL}\s?[(\[]at[)\]]\s?{_DOMAIN}", re.UNICODE)
# Danish phone numbers: 8 digits in any grouping ("12345678", "12 34 56 78", "123 45 678", "+45 23 456 789"),
# with an optional country code (+45, 0045, (+45)). A year range like "2019-2022" is not a number.
_PHONE = re.compile(
    r"(?<![\d\w+])(?:\(?(?:\+|00)[ \u00a0]?45\)?[ \u00a0]?[-.]?[ \u00a0]?)?"
    r"(?!(?:19|20)\d\d[ \u00a0]?[-\u2013][ \u00a0]?(?:19|20)\d\d(?!\d))"
    r"\d(?:[ \u00a0.\-\u2013]?\d){7}(?!\d)"
)

MASKS = (("[CPR-nr.]", _CPR), ("[e-mail]", _EMAIL), ("[telefonnr.]", _PHONE))


def mask_personal_data(text: str) -> str:
    """Replace e-mail addresses, Danish phone numbers and CPR numbers in an answer."""
    for replacement, pattern in MASKS:
        text = pattern.sub(replacement, text)
    return text


# A value quoted in a message the way Python's repr() quotes it.
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")


def mask_quoted(message: str) -> str:
    """An error or warning message with personal data masked in every quoted value it echoes.

    Messages quote cell values (``holds '12 34 56 78'``); the unquoted parts (paths, line numbers,
    respondent ids) are left as they are.
    """
    return _QUOTED.sub(lambda m: m.group(0)[0] + mask_personal_data(m.group(0)[1:-1]) + m.group(0)[-1], message)
