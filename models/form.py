"""The submission form: its sheets, fields and words, and the typed in-memory result of parsing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from models.problems import Problem, Severity

# part key -> Vietnamese label (sheet names; matched after NFC, case folding, trimming)
SHEETS = {"info": "Thông tin", "indicators": "Chỉ tiêu", "enterprises": "Doanh nghiệp"}
INFO_FIELDS = {
    "unit_code": "Mã đơn vị",
    "period": "Kỳ báo cáo",
    "reported_by": "Người báo cáo",
    "contact": "Liên hệ",
    "reported_on": "Ngày báo cáo",
}
FIGURE_COLUMNS = {"code": "Mã chỉ tiêu", "value": "Giá trị", "note": "Ghi chú"}
ENTERPRISE_COLUMNS = {
    "tax_code": "Mã số thuế",
    "name": "Tên doanh nghiệp",
    "type": "Loại hình",
    "dx_capable": "Có giải pháp CĐS",
    "established_on": "Ngày thành lập",
    "status": "Trạng thái",
    "main_products": "Sản phẩm chính",
}
REQUIRED_FIGURE_COLUMNS = ("code", "value")
REQUIRED_ENTERPRISE_COLUMNS = ("tax_code", "name", "type", "status")
TYPES = {
    "ICT": "DN CNTT-VT",
    "DIGITAL_STARTUP": "Khởi nghiệp số",
    "STARTUP_APPLYING_DT": "Khởi nghiệp ứng dụng CNS",
    "CONVERTED": "Chuyển đổi sang CNS",
}
CORE_TYPES = ("ICT", "DIGITAL_STARTUP", "STARTUP_APPLYING_DT")
STATUSES = {"active": "hoạt động", "suspended": "tạm ngừng", "dissolved": "giải thể"}
YES_WORDS = ("yes", "có", "x", "true", "1", "y", "đúng")
NO_WORDS = ("no", "không", "false", "0", "n", "sai", "")


@dataclass
class FigureRow:
    """One reported figure as read: the code, the value found and its integer reading."""

    code: str
    raw: str  # the value as found, as text ('' when blank)
    value: int | None  # None when blank or not a non-negative integer
    note: str | None = None
    row: int | None = None  # worksheet row (1-based) or None for JSON


@dataclass
class EnterpriseRow:
    """One roster row as read: raw text kept beside every normalised value."""

    row: int  # worksheet row (1-based), or 1-based position in the JSON list
    tax_code_raw: str
    tax_code: str  # normalised: digits, zero-padded, optional -NNN branch
    name: str
    type_raw: str
    type: str | None  # canonical key, None when not recognised
    dx_capable_raw: str
    dx_capable: bool | None  # None when not a yes/no word
    established_raw: str
    established_on: date | None  # None when blank or unreadable
    status_raw: str
    status: str | None
    main_products: str | None = None

    @property
    def enterprise_code(self) -> str:
        return self.tax_code[:10]


@dataclass
class ParsedSubmission:
    """Everything one file said, normalised, plus the problems found while reading it."""

    filename: str
    format: str  # xlsx | json
    info: dict[str, str | None] = field(default_factory=dict)
    info_rows: dict[str, int] = field(default_factory=dict)
    figures: list[FigureRow] = field(default_factory=list)
    enterprises: list[EnterpriseRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    internal: str | None = None  # a traceback for the operator, when reading it failed
    # what it costs once read (tasks.intake.bounds.parsed_size), measured by the reader
    # that checked it against its budget; 0 where no reader measured it
    cost: int = 0

    @property
    def readable(self) -> bool:
        """Whether the content could be read at all (no file-level error)."""
        return not any(p.severity == Severity.ERROR for p in self.problems)
