"""The bounds on what one file may make chiso do (settings ``CHISO_MAX_*``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bounds on what one file may make chiso do, each checked before the work it bounds
    (the settings ``CHISO_MAX_*`` set them)."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_figures: int = 1_000  # indicator codes listed in one file
    max_roster_rows: int = 20_000  # enterprises listed in one file
    max_text_chars: int = 1_000  # characters of one text field
    max_figure: int = 10**12  # the largest figure (sums over every unit stay in int64)
    max_sheet_columns: int = 64  # a sheet's declared or used width
    # what a reader may hand back for one file (text bytes plus a cost per cell): a
    # national roster of 20,000 rows is about 10 MB; a few hundred KB of workbook whose
    # cells all share one long string would be hundreds
    max_parsed_bytes: int = 32 * 1024 * 1024
    reader_memory_mb: int = 1_024  # a reader process's address space
    reader_cpu_seconds: int = 60  # a reader process's CPU time for one file

    @property
    def reader_memory_bytes(self) -> int:
        return self.reader_memory_mb * 1024 * 1024

    @property
    def max_sheet_rows(self) -> int:
        """A sheet's declared or used height: the roster and room for headers and notes."""
        return self.max_roster_rows + 1_000
