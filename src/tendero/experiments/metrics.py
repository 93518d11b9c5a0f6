"""What an experiment measures: metric and variant definitions, validated, shared by the store and the analysis."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
MetricKind = Literal["mean", "proportion", "ratio"]
Role = Literal["primary", "guardrail", "secondary"]
Unit = Literal["customer", "session", "request"]


class MetricSpec(BaseModel):
    """A metric, computed per unit from its outcome events.

    - ``mean``: the sum of the unit's ``event`` values (revenue, items; units without events count 0);
    - ``proportion``: whether the unit's ``event`` values add up to more than 0 (each event is 1 by default:
      conversion, click, retained);
    - ``ratio``: sum of ``numerator`` values over sum of ``denominator`` values across units
      (revenue per order, clicks per impression), by the delta method.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME, description="the metric's name in results")
    kind: MetricKind = "mean"
    event: str | None = Field(None, pattern=NAME, description="outcome event summed (mean/proportion); default: name")
    numerator: str | None = Field(None, pattern=NAME, description="ratio: outcome event of the numerator")
    denominator: str | None = Field(None, pattern=NAME, description="ratio: outcome event of the denominator")
    role: Role = "primary"
    higher_is_better: bool = True
    allow_negative: bool = Field(False, description="accept negative event values (refunds netted in)")
    unit: str | None = Field(None, max_length=16, description="what the values are: a currency (EUR) or a count")
    label_es: str | None = Field(None, max_length=80, description="how the verdict names it in Spanish")
    label_en: str | None = Field(None, max_length=80, description="how the verdict names it in English")

    @model_validator(mode="after")
    def _events(self) -> MetricSpec:
        if self.kind == "ratio":
            if not self.numerator or not self.denominator:
                raise ValueError(f"ratio metric {self.name!r} needs a numerator and a denominator event")
            if self.event:
                raise ValueError(f"ratio metric {self.name!r} takes numerator/denominator, not event")
        elif self.numerator or self.denominator:
            raise ValueError(f"only ratio metrics take numerator/denominator; {self.name!r} is {self.kind}")
        return self

    def events(self) -> tuple[str, ...]:
        """The outcome event names this metric reads."""
        if self.kind == "ratio":
            return (str(self.numerator), str(self.denominator))
        return (self.event or self.name,)

    def label(self, lang: str) -> str:
        return (self.label_es if lang == "es" else self.label_en) or self.name


class VariantSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=NAME)
    weight: float = Field(ge=0, le=1e6)
    model_version: str | None = Field(None, max_length=32, description="model experiments: the version serving it")


def check_design(variants: list[VariantSpec], metrics: list[MetricSpec]) -> None:
    """Raise ValueError naming the problem if the variants and metrics cannot make an experiment."""
    keys = [v.key for v in variants]
    if len(keys) < 2:
        raise ValueError("an experiment needs at least two variants (the first is the control)")
    if len(set(keys)) != len(keys):
        raise ValueError(f"variant keys must be unique: {keys}")
    if sum(v.weight for v in variants) <= 0:
        raise ValueError("variant weights must add up to more than 0")
    names = [m.name for m in metrics]
    if not metrics:
        raise ValueError("an experiment needs at least one metric")
    if len(set(names)) != len(names):
        raise ValueError(f"metric names must be unique: {names}")
    if not any(m.role == "primary" for m in metrics):
        raise ValueError("one metric must have the role 'primary'")
