"""The shape of a questionnaire's definition.json, checked on load (pydantic).

Types and allowed fields are checked item by item; the cross-checks that need the whole definition
(duplicated keys, conditions that name unknown items or scores, flags without an explanation) run once
the parts are read. Every problem comes back in one QuestionnaireError, one line each, with where it is.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ItemType = Literal["text", "textarea", "email", "phone", "date", "choice", "multichoice", "scale"]
Level = Literal["plan", "review", "stop"]
# What a condition may name besides items: scores by "<score>.<part>" and these facts about the patient.
FACTS = {"age"}


class QuestionnaireError(ValueError):
    """A definition that cannot be used; the message lists every problem found."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Condition(_Strict):
    """One test on an answer, a score or a fact, or all/any of several conditions."""

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    item: str | None = None
    score: str | None = None
    fact: str | None = None
    equals: str | int | None = None
    in_: list[str | int] | None = Field(default=None, alias="in")
    contains_any: list[str] | str | None = None
    overlaps_item: str | None = None
    gte: int | float | None = None
    lt: int | float | None = None
    lte: int | float | None = None

    @model_validator(mode="after")
    def _one_subject_and_one_test(self) -> Condition:
        subjects = [name for name in ("all", "any", "item", "score", "fact") if getattr(self, name) is not None]
        if len(subjects) != 1:
            raise ValueError(
                f"a condition needs exactly one of all, any, item, score, fact (found {subjects or 'none'})"
            )
        tests = [
            name
            for name in ("equals", "in_", "contains_any", "overlaps_item", "gte", "lt", "lte")
            if getattr(self, name) is not None
        ]
        if subjects[0] in ("all", "any"):
            if tests:
                raise ValueError(f"{subjects[0]} takes conditions, not a test ({', '.join(tests)})")
        elif len(tests) != 1:
            raise ValueError(f"a condition on {subjects[0]} needs exactly one test (found {tests or 'none'})")
        return self

    def items(self) -> list[str]:
        """Every item this condition reads."""
        found = [name for name in (self.item, self.overlaps_item) if name]
        for part in [*(self.all or []), *(self.any or [])]:
            found.extend(part.items())
        return found

    def scores(self) -> list[str]:
        found = [self.score] if self.score else []
        for part in [*(self.all or []), *(self.any or [])]:
            found.extend(part.scores())
        return found

    def facts(self) -> list[str]:
        found = [self.fact] if self.fact else []
        for part in [*(self.all or []), *(self.any or [])]:
            found.extend(part.facts())
        return found


class ItemSchema(_Strict):
    key: str = Field(min_length=1)
    type: ItemType
    required: bool = False
    choices: str | list[str] | None = None
    show_if: Condition | None = None
    max_length: int | None = Field(default=None, gt=0)
    min: int | None = None
    max: int | None = None
    store: Literal["answers", "patient"] = "answers"
    not_before: str | None = None
    not_after: str | None = None

    @model_validator(mode="after")
    def _free_text_is_bounded(self) -> ItemSchema:
        if self.type in ("text", "textarea") and not self.max_length:
            raise ValueError(f"item {self.key}: free text needs max_length")
        if self.type in ("choice", "multichoice") and not self.choices:
            raise ValueError(f"item {self.key}: a {self.type} item needs choices")
        return self


class SectionSchema(_Strict):
    key: str = Field(min_length=1)
    items: list[ItemSchema] = Field(min_length=1)


class ChoiceEntry(_Strict):
    value: str
    score: int | None = None


class ScoreSchema(_Strict):
    key: str = Field(min_length=1)
    type: Literal["bands", "sum", "value", "mean"]
    items: dict[str, str] | list[str] | None = None
    item: str | None = None
    bands: list[tuple[int, str]] | None = None

    @model_validator(mode="after")
    def _parts_for_type(self) -> ScoreSchema:
        if self.type == "value" and not self.item:
            raise ValueError(f"score {self.key}: a value score names its item")
        if self.type in ("bands", "sum") and not (self.items and self.bands):
            raise ValueError(f"score {self.key}: a {self.type} score needs items and bands")
        if self.type == "mean" and not self.items:
            raise ValueError(f"score {self.key}: a mean score needs items")
        return self

    def item_keys(self) -> list[str]:
        if isinstance(self.items, dict):
            return list(self.items.values())
        return list(self.items or ([self.item] if self.item else []))


class FlagSchema(_Strict):
    """A flag rule: its condition and, next to it, why it matters (shown to the clinician, English)."""

    code: str = Field(min_length=1)
    level: Level
    when: Condition
    explanation: str
    answer: list[str] = Field(default_factory=list)

    @field_validator("explanation")
    @classmethod
    def _explained(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a flag needs an explanation next to its condition")
        return value


class MeasureSchema(_Strict):
    """An outcome measure: the score it reads, which way is better, the important difference and its source."""

    score: str = Field(min_length=1)
    kind: Literal["change", "rating"]
    better: Literal["lower", "higher"]
    important: float = Field(gt=0)
    source: str = Field(min_length=1)
    loinc: str | None = None


class DefinitionSchema(_Strict):
    id: str
    version: str
    notes: str = ""
    choice_sets: dict[str, list[ChoiceEntry]] = Field(default_factory=dict)
    sections: list[SectionSchema] = Field(min_length=1)
    scores: list[ScoreSchema] = Field(default_factory=list)
    flags: list[FlagSchema] = Field(default_factory=list)
    # The items the clinician's review shows at the top as the patient's comfort wishes.
    comfort: list[str] = Field(default_factory=list)
    # Outcome measures (intake/outcomes/measures.py) with their minimal important differences.
    measures: dict[str, MeasureSchema] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references_hold(self) -> DefinitionSchema:
        problems: list[str] = []
        items = [item for section in self.sections for item in section.items]
        for what, keys in (
            ("section", [section.key for section in self.sections]),
            ("item", [item.key for item in items]),
            ("score", [score.key for score in self.scores]),
            ("flag", [flag.code for flag in self.flags]),
        ):
            problems += [f"duplicated {what} key {key!r}" for key in sorted({k for k in keys if keys.count(k) > 1})]
        item_keys = {item.key for item in items}
        score_keys = {score.key for score in self.scores}

        def check(where: str, condition: Condition) -> None:
            problems.extend(
                f"{where}: condition names unknown item {ref!r}" for ref in condition.items() if ref not in item_keys
            )
            problems.extend(
                f"{where}: condition names unknown score {ref!r}"
                for ref in condition.scores()
                if ref.split(".")[0] not in score_keys
            )
            problems.extend(
                f"{where}: condition names unknown fact {ref!r}" for ref in condition.facts() if ref not in FACTS
            )

        for item in items:
            if item.show_if is not None:
                check(f"item {item.key} show_if", item.show_if)
            if (
                isinstance(item.choices, str)
                and not item.choices.startswith("@")
                and item.choices not in self.choice_sets
            ):
                problems.append(f"item {item.key}: unknown choice set {item.choices!r}")
        for score in self.scores:
            problems.extend(
                f"score {score.key}: unknown item {ref!r}" for ref in score.item_keys() if ref not in item_keys
            )
        problems.extend(f"comfort: unknown item {ref!r}" for ref in self.comfort if ref not in item_keys)
        for flag in self.flags:
            check(f"flag {flag.code}", flag.when)
            for ref in flag.answer:
                known = ref[1:] in FACTS | score_keys if ref.startswith("@") else ref in item_keys
                if not known:
                    problems.append(f"flag {flag.code}: answer names unknown {ref!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def validate(raw: object, *, where: str) -> DefinitionSchema:
    """The definition, checked; QuestionnaireError listing every problem (one per line) otherwise."""
    try:
        return DefinitionSchema.model_validate(raw)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            place = ".".join(str(part) for part in problem["loc"])
            message = problem["msg"].removeprefix("Value error, ")
            for part in message.split("; "):
                lines.append(f"  {place}: {part}" if place else f"  {part}")
        raise QuestionnaireError(f"{where} is not a valid questionnaire definition:\n" + "\n".join(lines)) from None
