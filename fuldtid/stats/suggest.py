"""Suggested categories for open answers, from the keyword codebook of the survey definition.

A suggestion only pre-fills the ``forslag`` column of the coding sheet; the analyst decides. A wrong
suggestion costs more than none (it has to be noticed and undone), so the rules favour precision:

Keywords (``codebook:`` of an open field, category -> list of keywords):

* Matching ignores case and accents are kept (``æ``, ``ø``, ``å`` are letters like any other).
* Every word of a keyword is a *stem*: it matches a word of the answer that starts with it, so
  ``løn`` matches ``lønnen`` and ``lønninger``, and ``økonomi`` matches ``økonomisk``.
* A keyword of several words (``råd til``, ``korte vagter``) matches those words in a row.
* ``*`` in front of a word lets it also match inside a (compound) word: ``*pres`` matches ``arbejdspresset``.
* ``$`` after a word means exactly this word, no ending: ``ro$`` matches ``ro`` but not ``rolig``.
* ``!`` in front of a keyword makes it a veto: if it matches, the category is not suggested
  (``!ikke tilfreds`` under Tilfredshed).

The rule for a suggestion:

1. Find every keyword match. A match that lies inside a longer match of another category is dropped
   (``mere fritid`` outweighs ``fritid`` alone), and vetoed categories are dropped.
2. No category left: no suggestion.
3. One category left: suggest it.
4. Several categories left: suggest the strongest only when it is clearly stronger, i.e. its keywords
   match in at least twice as many separate places of the answer as any other category's (a long
   phrase counts as one place: it is more specific, not more evidence); otherwise no suggestion.

So a suggestion is always a single category; answers that need two categories are left to the analyst.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

if TYPE_CHECKING:
    import pandas as pd

    from fuldtid.model.coding import Coding
    from fuldtid.model.survey import Survey

_WORD = re.compile(r"\w+")
DOMINANCE = 2.0
"""How many times the separate matches of the strongest category must outnumber every other's."""


@dataclass(frozen=True)
class _Term:
    """One word of a keyword."""

    text: str
    inside: bool  # "*": may also match inside a compound word
    exact: bool  # "$": no inflection ending

    def matches(self, token: str) -> bool:
        """The rule, one token at a time (``_Matcher`` does the same through dict look-ups)."""
        if self.exact:
            return token == self.text or (self.inside and token.endswith(self.text))
        if token.startswith(self.text):
            return True
        # Danish glues words together ("arbejds|presset"), so a "*" stem may start mid-word.
        return self.inside and self.text in token[1:]


@dataclass(frozen=True)
class _Keyword:
    category: str
    terms: tuple[_Term, ...]
    veto: bool


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def tokens(text: str) -> list[str]:
    """The words of a text, lower-cased (the unit keywords are matched against)."""
    return _WORD.findall(_normalise(text))


def _parse_keyword(category: str, raw: str) -> _Keyword | None:
    s = _normalise(raw).strip()
    veto = s.startswith("!")
    if veto:
        s = s[1:]
    terms = []
    for part in s.split():
        inside = part.startswith("*")
        exact = part.endswith("$")
        words = _WORD.findall(part)
        # "ikke-ryger" or "37-timers" inside one keyword word: each piece is a word of its own, as in answers.
        for j, w in enumerate(words):
            terms.append(_Term(w, inside and j == 0, exact and j == len(words) - 1))
    if not terms:
        return None
    return _Keyword(category, tuple(terms), veto)


class _Matcher:
    """A codebook compiled for speed: which keyword words a token matches is found by looking up the
    token's prefixes in a dict, not by trying every keyword (answers x keywords gets slow on big waves)."""

    def __init__(self, keywords: tuple[_Keyword, ...]) -> None:
        self.keywords = keywords
        ids: dict[_Term, int] = {}
        for kw in keywords:
            for t in kw.terms:
                ids.setdefault(t, len(ids))
        self.prefix: dict[str, list[int]] = {}  # stems: a token starting with the text
        self.exact: dict[str, list[int]] = {}  # "$": the token itself
        self.inside: list[tuple[int, _Term]] = []  # "*": tried on every token (few of them)
        for t, i in ids.items():
            (self.exact if t.exact else self.prefix).setdefault(t.text, []).append(i)
            if t.inside:
                self.inside.append((i, t))
        self.longest = max((len(k) for k in self.prefix), default=0)
        self.kw_terms = [tuple(ids[t] for t in kw.terms) for kw in keywords]
        self._seen: dict[str, frozenset[int]] = {}  # token -> term ids, shared by all answers
        self.by_first: dict[int, list[int]] = {}
        for k, terms in enumerate(self.kw_terms):
            self.by_first.setdefault(terms[0], []).append(k)

    def term_ids(self, token: str) -> frozenset[int]:
        hit = self._seen.get(token)
        if hit is not None:
            return hit
        found: set[int] = set()
        for n in range(1, min(len(token), self.longest) + 1):
            found.update(self.prefix.get(token[:n], ()))
        found.update(self.exact.get(token, ()))
        for i, t in self.inside:
            if t.exact:
                if token.endswith(t.text):
                    found.add(i)
            elif token.find(t.text, 1) != -1:
                found.add(i)
        hit = frozenset(found)
        if len(self._seen) > 200_000:  # bounded: a wave's vocabulary is far smaller
            self._seen.clear()
        self._seen[token] = hit
        return hit

    def spans(self, words: list[str]) -> list[tuple[_Keyword, int, int]]:
        matched = [self.term_ids(w) for w in words]
        out = []
        for i, here in enumerate(matched):
            for tid in here:
                for k in self.by_first.get(tid, ()):
                    terms = self.kw_terms[k]
                    end = i + len(terms)
                    if end <= len(words) and all(terms[j] in matched[i + j] for j in range(1, len(terms))):
                        out.append((self.keywords[k], i, end))
        # Sorted so that the result never depends on set iteration order.
        out.sort(key=lambda m: (m[1], m[2], m[0].category, m[0].veto))
        return out


@lru_cache(maxsize=64)
def _compile(frozen: tuple[tuple[str, tuple[str, ...]], ...]) -> _Matcher:
    out = []
    for category, keywords in frozen:
        for raw in keywords:
            kw = _parse_keyword(category, raw)
            if kw is not None:
                out.append(kw)
    return _Matcher(tuple(out))


def _freeze(codebook: Mapping[str, Sequence[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((str(c), tuple(str(k) for k in kws)) for c, kws in codebook.items())


def match_spans(text: str | None, codebook: Mapping[str, Sequence[str]]) -> dict[str, list[tuple[int, int]]]:
    """Category -> the word spans its (non-veto) keywords match, after dropping matches that lie
    inside a longer match of another category. Vetoed categories are left out."""
    return _kept(text, _compile(_freeze(codebook)))


def _kept(text: str | None, matcher: _Matcher) -> dict[str, list[tuple[int, int]]]:
    if not text or not matcher.keywords:
        return {}
    words = tokens(text)
    if not words:
        return {}
    found: list[tuple[str, int, int]] = []
    vetoed: set[str] = set()
    for kw, a, b in matcher.spans(words):
        if kw.veto:
            vetoed.add(kw.category)
        else:
            found.append((kw.category, a, b))
    kept: dict[str, list[tuple[int, int]]] = {}
    by_start: dict[int, list[tuple[int, str]]] = {}
    for cat, a, b in found:
        by_start.setdefault(a, []).append((b, cat))
    longest = max((b - a for _, a, b in found), default=0)
    for cat, a, b in found:
        if cat in vetoed:
            continue
        # Another category's strictly longer match around this one wins ("mere fritid" over "fritid").
        swallowed = any(
            other != cat and ob >= b and (ob - oa) > (b - a)
            for oa in range(max(0, b - longest), a + 1)
            for ob, other in by_start.get(oa, ())
        )
        if not swallowed:
            kept.setdefault(cat, []).append((a, b))
    return kept


def _separate_matches(spans: list[tuple[int, int]]) -> int:
    """How many separate places of the answer a category's keywords match: overlapping matches
    ("råd" inside "ikke råd") count once, and a long phrase counts no more than a single word, since
    it is more specific, not more evidence."""
    count, end = 0, -1
    for a, b in sorted(spans):
        if a >= end:
            count += 1
            end = b
        else:
            end = max(end, b)
    return count


def suggest(text: str | None, codebook: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The category to suggest for an open answer: ``(category,)`` or ``()`` when no keyword matches
    or the matches point to several categories without one clearly stronger (see the module doc)."""
    return _suggest(text, _compile(_freeze(codebook)))


def suggester(codebook: Mapping[str, Sequence[str]]) -> Callable[[str | None], tuple[str, ...]]:
    """``suggest`` with the codebook compiled once, for suggesting many answers to one question."""
    matcher = _compile(_freeze(codebook))
    return lambda text: _suggest(text, matcher)


def _suggest(text: str | None, matcher: _Matcher) -> tuple[str, ...]:
    kept = _kept(text, matcher)
    if not kept:
        return ()
    strength = {cat: _separate_matches(spans) for cat, spans in kept.items()}
    if len(strength) == 1:
        return (next(iter(strength)),)
    ranked = sorted(strength.items(), key=lambda kv: -kv[1])
    best, runner_up = ranked[0][1], ranked[1][1]
    if best >= DOMINANCE * runner_up:
        return (ranked[0][0],)
    return ()


# --- evaluation against a finished coding -------------------------------------------------------


@dataclass(frozen=True)
class QuestionEvaluation:
    """How the suggestions for one open question compare with an analyst's coding.

    ``answers``: non-empty answers of the respondents whose answers are coded (the question's coding group).
    ``coded``: of those, the answers the analyst gave at least one category.
    ``suggested``: answers that got a suggestion (including answers the analyst left uncoded).
    ``correct``: suggestions equal to the analyst's set of categories (a suggestion for an answer the
    analyst left uncoded, or one category of an answer coded with two, is not correct).
    ``precision`` = correct / suggested; ``coverage`` = coded answers with a suggestion / coded.
    """

    field: str
    variable: str
    answers: int
    coded: int
    suggested: int
    correct: int
    precision: float | None
    coverage: float | None
    suggested_uncoded: int = 0  # suggestions on answers the analyst left uncoded (all wrong)


@dataclass(frozen=True)
class Evaluation:
    questions: tuple[QuestionEvaluation, ...]

    def total(self) -> QuestionEvaluation:
        qs = self.questions
        answers, coded = sum(q.answers for q in qs), sum(q.coded for q in qs)
        suggested, correct = sum(q.suggested for q in qs), sum(q.correct for q in qs)
        uncoded = sum(q.suggested_uncoded for q in qs)
        return QuestionEvaluation(
            "total", "", answers, coded, suggested, correct,
            correct / suggested if suggested else None,
            (suggested - uncoded) / coded if coded else None,
            uncoded,
        )

    def __str__(self) -> str:
        def pct(x: float | None) -> str:
            return "-" if x is None else f"{x:.0%}"

        header = ("question", "answers", "coded", "suggested", "correct", "precision", "coverage")
        rows = [
            (f"{q.variable} {q.field}".strip(), str(q.answers), str(q.coded), str(q.suggested),
             str(q.correct), pct(q.precision), pct(q.coverage))
            for q in (*self.questions, self.total())
        ]
        widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

        def line(r: Sequence[str]) -> str:
            return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))

        out = [
            "Keyword suggestions compared with the coding",
            "(correct = the suggestion equals the analyst's categories; precision = correct / suggested;",
            " coverage = share of the coded answers that got a suggestion)",
            "",
            line(header),
            line(["-" * w for w in widths]),
            *(line(r) for r in rows[:-1]),
            line(["-" * w for w in widths]),
            line(rows[-1]),
        ]
        return "\n".join(out)


def coded_answers(survey: "Survey", field: str) -> "pd.Series":
    """The non-empty answers to an open field of the respondents whose answers are coded (routing)."""
    col = survey.responses[field]
    mask = survey.group_mask(survey.definition.coding_group(field))
    present = col.map(lambda s: isinstance(s, str) and s.strip() != "").astype(bool)
    return col[mask & present]


def evaluate(survey: "Survey", coding: "Coding") -> Evaluation:
    """Compare the suggestions with a finished coding, per open question with categories."""
    definition = survey.definition
    variables = {m.field: m.variable for m in survey.matches}
    out = []
    for f in definition.open_fields():
        if not f.categories or variables.get(f.name) is None:
            continue
        answers = coded_answers(survey, f.name)
        codes = coding.for_field(f.name)
        analyst: dict[str, frozenset[str]] = {}
        for rid, cat in zip(codes["respondentid"], codes["kategori"]):
            analyst.setdefault(str(rid), frozenset())
            analyst[str(rid)] = analyst[str(rid)] | {cat}
        coded = suggested = correct = uncoded = 0
        guess_for = suggester(f.codebook)
        for rid, text in answers.items():
            truth = analyst.get(str(rid), frozenset())
            guess = frozenset(guess_for(text))
            coded += bool(truth)
            if guess:
                suggested += 1
                uncoded += not truth
                correct += guess == truth
        out.append(
            QuestionEvaluation(
                field=f.name,
                variable=str(variables[f.name]),
                answers=len(answers),
                coded=coded,
                suggested=suggested,
                correct=correct,
                precision=correct / suggested if suggested else None,
                coverage=(suggested - uncoded) / coded if coded else None,
                suggested_uncoded=uncoded,
            )
        )
    return Evaluation(tuple(out))
