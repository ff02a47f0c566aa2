"""Reference tables loaded from the catalog: reporting units, indicators, targets."""

from datetime import date

from sqlmodel import Field, SQLModel


class ReportingUnit(SQLModel, table=True):
    """A province, district or commune with the dates it is valid (both inclusive)."""

    __tablename__ = "reporting_unit"

    code: str = Field(primary_key=True, max_length=16)
    code_key: str = Field(index=True, max_length=16)  # code without leading zeros
    name: str
    level: str = Field(max_length=16)
    parent_code: str | None = Field(default=None, max_length=16)
    valid_from: date
    valid_to: date | None = None
    source: str = ""


class IndicatorDefinition(SQLModel, table=True):
    """A reported figure or a published indicator, with how it is built."""

    __tablename__ = "indicator_definition"

    code: str = Field(primary_key=True, max_length=40)
    role: str = Field(primary_key=True, max_length=16)  # reported | published
    label_vi: str
    label_en: str
    kind: str = Field(max_length=16)  # stock | flow | roster | ratio
    required: bool = False
    unit: str = ""
    numerator: str | None = None
    denominator: str | None = None
    multiplier: float | None = None
    pair: str | None = None
    sort_order: int = 0


class Target(SQLModel, table=True):
    """A target or baseline value of a published indicator for a year."""

    __tablename__ = "target"

    indicator: str = Field(primary_key=True, max_length=40)
    kind: str = Field(primary_key=True, max_length=16)  # target | baseline
    year: int = Field(primary_key=True)
    scope: str = Field(primary_key=True, max_length=40)  # a unit, a territory or national
    value: float
    source: str = ""
