"""Quotes from open answers for the memo: chosen deterministically and with personal data masked."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from fuldtid.personal import MASKS, mask_personal_data, mask_quoted

__all__ = ["MASKS", "choose_quotes", "mask_personal_data", "mask_quoted"]


def _stable_key(respondentid: str) -> str:
    # A hash rather than the id itself, so the chosen quotes do not follow the order of ids
    # (which follows the order of distribution) yet are the same on every run.
    return hashlib.sha256(respondentid.encode("utf-8")).hexdigest()


def choose_quotes(codes: pd.DataFrame, texts: pd.Series, n: int = 2) -> tuple[str, ...]:
    """Up to ``n`` quotes for one category: the analyst's chosen ones (``citat``) first, then answers of
    a readable length in a fixed pseudo-random order. Returned masked."""
    if n <= 0 or codes.empty:
        return ()
    ids = codes["respondentid"].astype(str).to_numpy()
    found = texts.reindex(ids).to_numpy(dtype=object)
    has_text = np.array([isinstance(t, str) and bool(t.strip()) for t in found], dtype=bool)
    if not has_text.any():
        return ()
    lengths = np.array([len(t) if isinstance(t, str) else 0 for t in found])
    citat = codes["citat"].to_numpy(dtype=bool)
    readable = (lengths >= 15) & (lengths <= 200)
    # Only the best class of candidates needs ordering (and hashing): chosen quotes, else readable ones.
    for cls in (has_text & citat, has_text & readable, has_text):
        if cls.any():
            break
    picked = sorted((_stable_key(ids[i]), found[i].strip()) for i in np.flatnonzero(cls))[:n]
    return tuple(mask_personal_data(text) for _, text in picked)
