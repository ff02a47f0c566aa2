"""What chiso publishes: computed indicator values and snapshot versions."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class IndicatorValue(SQLModel, table=True):
    """One published figure: a period, a unit or the province, an indicator."""

    __tablename__ = "indicator_value"

    period: str = Field(primary_key=True, max_length=8)
    unit_code: str = Field(primary_key=True, max_length=16)
    indicator: str = Field(primary_key=True, max_length=40)
    level: str = Field(max_length=16)  # unit | province
    as_of: str = Field(max_length=8)
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    reported_units: int | None = None
    expected_units: int | None = None


class Snapshot(SQLModel, table=True):
    """One immutable published version of a period."""

    __tablename__ = "snapshot"

    period: str = Field(primary_key=True, max_length=8)
    version: str = Field(primary_key=True, max_length=40)
    data_hash: str = Field(max_length=64)
    published_at: datetime
    status: str = Field(max_length=16)  # provisional | final
    flow_run_id: str | None = None
    files: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class PublishMark(SQLModel, table=True):
    """When a period was last published (or found unchanged): later decisions make it dirty."""

    __tablename__ = "publish_mark"

    period: str = Field(primary_key=True, max_length=8)
    checked_at: datetime
    version: str = Field(max_length=40)
