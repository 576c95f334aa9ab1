"""How documents word one questionnaire: the ``wording:`` section of its survey definition (:class:`Wording`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fuldtid.danish import quoted

if TYPE_CHECKING:
    from fuldtid.model.definition import Definition


class Wording:
    """How the memo words one questionnaire: the ``wording:`` section of its survey definition.

    Every lookup has a neutral fallback that is true of any questionnaire, so a definition without wording
    still gets a correct memo; the VJH phrasing lives in ``surveys/vjh.yaml``, not here.
    """

    def __init__(self, definition: Definition | None) -> None:
        self.definition = definition
        raw = getattr(definition, "wording", None) or {}
        self.raw: Mapping[str, Any] = raw
        self._fields: Mapping[str, Mapping[str, Any]] = raw.get("fields") or {}
        self._figures: Mapping[int, Mapping[str, str]] = raw.get("figures") or {}

    def of(self, field_name: str | None) -> Mapping[str, Any]:
        """The wording of one field (empty when it has none)."""
        return self._fields.get(field_name or "", {})

    def fill(self, template: str, where: str, /, **values: Any) -> str:
        """A wording text with its {placeholders} filled in; a placeholder the memo does not know is the
        definition's error, reported with the file and the text it is in."""
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            from fuldtid.errors import DefinitionError

            known = ", ".join("{" + k + "}" for k in values) or "none"
            raise DefinitionError(
                f"{getattr(self.definition, 'path', 'survey definition')}: wording {where}: cannot fill in "
                f"{template!r} ({type(exc).__name__}: {exc}); this text may use: {known}"
            ) from exc

    def text(self, key: str, default: str | None = None, /, **values: Any) -> str | None:
        """A top-level text (``intro``, ``analysis_heading``, ...), filled in, or ``default``."""
        t = self.raw.get(key)
        return default if t is None else self.fill(t, key, **values)

    def field_text(self, field_name: str | None, key: str, default: str | None = None, /,
                   **values: Any) -> str | None:
        t = self.of(field_name).get(key)
        return default if t is None else self.fill(t, f"field {field_name!r}: {key}", **values)

    def figure_text(self, figure: int, key: str, default: str | None = None, /, **values: Any) -> str | None:
        t = self._figures.get(figure, {}).get(key)
        return default if t is None else self.fill(t, f"figure {figure}: {key}", **values)

    def answer(self, field_name: str, label: str, subordinate: bool = False) -> str:
        """What a respondent does by giving ``label``: a main clause, or a subordinate clause ("..., der
        ikke ønsker ..."). Fallback: ``svarer »label«``."""
        pair = self.of(field_name).get("answers", {}).get(label)
        if pair is not None:
            return pair[1] if subordinate else pair[0]
        target = self.target(field_name)
        if target is not None:
            return f"{target[0]} {self.fill(target[1], f'field {field_name!r}: target', label=label)}"
        return f"svarer {quoted(label)}"

    def target(self, field_name: str) -> tuple[str, str] | None:
        """(verb, rest) of a wished value, so a count fits between them; None without wording."""
        return self.of(field_name).get("target")

    def has_group_phrase(self, field_name: str | None) -> bool:
        return "group" in self.of(field_name)

    def group(self, field_name: str | None, label: str) -> str:
        """A group of a field's answers: ``dem på 10-19 timer``; fallback ``gruppen »10-19 timer«``."""
        t = self.field_text(field_name, "group", None, label=label)
        return t if t is not None else f"gruppen {quoted(label)}"

    def among(self, field_name: str | None, label: str) -> str:
        """``blandt dem på 10-19 timer`` / ``i gruppen »X«``"""
        return f"{'blandt' if self.has_group_phrase(field_name) else 'i'} {self.group(field_name, label)}"

    def noun(self, field_name: str) -> str:
        """The field as a noun (``køn``); fallback: its name."""
        return self.of(field_name).get("noun", field_name)

    def group_noun(self, field_name: str, plural: bool = False) -> str:
        """A group of the field's answers as a noun (``aldersgruppe``); fallback ``gruppe``."""
        pair = self.of(field_name).get("group_noun", ("gruppe", "grupper"))
        return pair[1] if plural else pair[0]

    def plural(self, field_name: str, label: str) -> str:
        """The people who gave an answer, as a plural noun (``kvinder``); fallback ``»Kvinde«``."""
        return self.of(field_name).get("plurals", {}).get(label, quoted(label))

    def categories(self, field_name: str) -> Mapping[str, str]:
        """Coded category -> whom it covers."""
        return self.of(field_name).get("categories", {})

