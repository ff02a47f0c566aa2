"""chiso's settings: one pydantic-settings class read from ``CHISO_*`` variables and ``.env``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from catalog import CROSSWALK_CSV, GEO_CSV, TARGETS_CSV, TERRITORIES_CSV, UNITS_CSV


class Settings(BaseSettings):
    """Everything an operator can configure; built when a flow or the CLI starts."""

    model_config = SettingsConfigDict(
        env_prefix="CHISO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    home: Path = Field(Path(".chiso"), description="state directory")
    database_url: str | None = Field(None, description="SQLAlchemy URL of chiso's database")
    object_store: str | None = Field(None, description="folder, file:///path or s3://bucket[/p]")
    s3_endpoint_url: str | None = Field(None, description="S3-compatible endpoint")
    sources: str = Field("./inbox", description="comma-separated sources")
    http_headers: dict[str, str] = Field(default_factory=dict, description="JSON object")
    public_url: str | None = Field(
        None, description="read-only web address of snapshots/ and docs/ (links in the UI)"
    )
    portal_url: str = Field(
        "http://127.0.0.1:8080", description="the portal's public address (links, cookies)"
    )
    smtp_url: str | None = Field(
        None, description="smtp://[user:password@]host[:port] or smtps://…; none: mails wait"
    )
    mail_from: str = Field("chiso@localhost", description="the sender of chiso's mails")
    remind_days: str = Field("-7,0,7", description="reminder days relative to the due date")
    notify_decisions: bool = Field(True, description="a mail to the unit per decision")
    units_csv: Path = UNITS_CSV
    targets_csv: Path = TARGETS_CSV
    territories_csv: Path = TERRITORIES_CSV
    crosswalk_csv: Path = CROSSWALK_CSV
    geo_csv: Path = GEO_CSV
    timely_days: int = Field(15, ge=0)
    open_days: int = Field(200, ge=0)
    max_file_mb: float = Field(20, gt=0)
    max_unpacked_mb: float = Field(200, gt=0)
    max_figures: int = Field(1_000, gt=0, description="indicator codes in one file")
    max_roster_rows: int = Field(20_000, gt=0, description="enterprises in one file")
    max_text_chars: int = Field(1_000, gt=0, description="characters of one text field")
    max_figure: int = Field(10**12, gt=0, le=2**63 - 1, description="the largest figure")
    reader_memory_mb: int = Field(1_024, ge=256, description="a file reader's address space")
    reader_cpu_seconds: int = Field(60, gt=0, description="a file reader's CPU time per file")

    @field_validator("remind_days")
    @classmethod
    def _days(cls, v: str) -> str:
        for d in v.replace(" ", "").split(","):
            if (d and not d.lstrip("+-").isdigit()) or abs(int(d or 0)) > 366:
                raise ValueError(f"CHISO_REMIND_DAYS: {d!r} is not a whole number of days")
        return v

    @field_validator("http_headers", mode="before")
    @classmethod
    def _headers_from_json(cls, v: object) -> object:
        if isinstance(v, str):
            return json.loads(v) if v.strip() else {}
        return v

    @property
    def db_url(self) -> str:
        """The database URL, defaulting to the SQLite file in the home directory."""
        return self.database_url or f"sqlite:///{self.home.resolve() / 'chiso.db'}"

    @property
    def object_store_uri(self) -> str:
        """The object store, defaulting to ``<home>/objects``."""
        return self.object_store or str(self.home.resolve() / "objects")

    @property
    def source_list(self) -> list[str]:
        return [s.strip() for s in self.sources.split(",") if s.strip()]

    @property
    def remind_day_list(self) -> list[int]:
        """``CHISO_REMIND_DAYS`` as sorted day offsets from the due date."""
        return sorted({int(d) for d in self.remind_days.replace(" ", "").split(",") if d})

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_unpacked_bytes(self) -> int:
        return int(self.max_unpacked_mb * 1024 * 1024)


def load_settings(home: str | Path | None = None, sources: str | None = None) -> Settings:
    """The settings from the environment and ``.env``, with a command's ``--home`` and
    ``--inbox`` over them: the one place they are built."""
    overrides: dict[str, object] = {}
    if home:
        overrides["home"] = Path(home)
    if sources:
        overrides["sources"] = sources
    return Settings(**overrides)  # type: ignore[arg-type]


OFFLINE = {
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


def quiet_offline() -> None:
    """No telemetry; and with Prefect's ephemeral API (nothing outlives the run), keep
    the terminal to chiso's own summary."""
    for k, v in OFFLINE.items():
        os.environ.setdefault(k, v)
    if not os.environ.get("PREFECT_API_URL"):
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        # Prefect gives its temporary API 20 s to start; it took 16-17 s on a quiet 2-core
        # machine and over 20 with a fresh PREFECT_HOME (its database migrated) or under
        # load, where a run then failed before it began ("Timed out while attempting to
        # connect to ephemeral Prefect API server")
        os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
