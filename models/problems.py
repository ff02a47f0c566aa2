"""Problems found in a submission, with their bilingual messages."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from models.text import fit, visible

# code -> (severity, Vietnamese, English); {value}/{expected}/{field}/{sheet} are filled in
MESSAGES: dict[str, tuple[str, str, str]] = {
    "file_format": ("error", "Định dạng tệp không được chấp nhận", "File format not accepted"),
    "file_too_large": ("error", "Tệp quá lớn", "File too large"),
    "file_unpack_too_large": (
        "error",
        "Tệp nén giải nén ra quá lớn",
        "Workbook would unpack to too much data",
    ),
    "file_unreadable": ("error", "Không đọc được tệp", "File cannot be read"),
    "xml_entities": (
        "error",
        "Tệp chứa khai báo thực thể XML (bị từ chối)",
        "Workbook contains XML entity declarations (refused)",
    ),
    "file_encoding": ("error", "Tệp không phải UTF-8", "File is not UTF-8 text"),
    "json_invalid": ("error", "JSON không hợp lệ", "Invalid JSON"),
    "json_not_number": ("error", "NaN/Infinity không phải là số", "NaN/Infinity is not a number"),
    "json_too_deep": ("error", "JSON lồng nhau quá sâu", "JSON nested too deeply"),
    "json_shape": ("error", "Cấu trúc JSON không đúng", "Wrong JSON structure"),
    "json_too_many_entries": (
        "error",
        "Tài liệu JSON có quá nhiều mục",
        "JSON document holds too many entries",
    ),
    "sheet_missing": ("error", "Thiếu trang tính bắt buộc", "Required sheet missing"),
    "sheet_ambiguous": (
        "error",
        "Có hai trang tính cho cùng một phần",
        "Two sheets for the same part",
    ),
    "column_missing": ("error", "Thiếu cột bắt buộc", "Required column missing"),
    "field_missing": ("error", "Thiếu thông tin bắt buộc", "Required field missing"),
    "unit_unknown": ("error", "Mã đơn vị không có trong danh mục", "Unknown unit code"),
    "unit_not_valid": (
        "error",
        "Đơn vị không còn/chưa hiệu lực vào ngày cuối kỳ",
        "Unit not valid on the period's last day",
    ),
    "path_mismatch": (
        "error",
        "Đơn vị/kỳ trong đường dẫn khác với nội dung tệp",
        "Unit/period in the path differs from the file",
    ),
    "period_malformed": ("error", "Kỳ báo cáo không hợp lệ", "Malformed period"),
    "period_future": ("error", "Kỳ báo cáo chưa kết thúc", "Period has not ended yet"),
    "figure_unknown": ("error", "Mã chỉ tiêu không tồn tại", "Unknown indicator code"),
    "figure_duplicate": ("error", "Mã chỉ tiêu khai báo hai lần", "Indicator code listed twice"),
    "figure_missing": ("error", "Thiếu chỉ tiêu bắt buộc", "Required figure missing"),
    "figure_not_integer": (
        "error",
        "Giá trị không phải số nguyên không âm",
        "Value is not a non-negative integer",
    ),
    "pair_broken": (
        "error",
        "Cặp chỉ tiêu phải có cả hai hoặc không có",
        "Paired figures: give both or neither",
    ),
    "online_exceeds_eligible": (
        "error",
        "Số thủ tục toàn trình lớn hơn số thủ tục đủ điều kiện",
        "PROC_ONLINE_FULL greater than PROC_ELIGIBLE",
    ),
    "trainees_without_classes": (
        "error",
        "Có học viên nhưng không có lớp",
        "Trainees without classes",
    ),
    "classes_without_trainees": (
        "error",
        "Có lớp nhưng không có học viên",
        "Classes without trainees",
    ),
    "tax_code_invalid": ("error", "Mã số thuế không hợp lệ", "Invalid tax code"),
    "tax_code_duplicate": (
        "error",
        "Mã số thuế khai báo hai lần trong tệp",
        "Tax code listed twice in the file",
    ),
    "name_missing": ("error", "Thiếu tên doanh nghiệp", "Enterprise name missing"),
    "type_unknown": ("error", "Loại hình không hợp lệ", "Unknown enterprise type"),
    "status_unknown": ("error", "Trạng thái không hợp lệ", "Unknown status"),
    "yes_no_unknown": ("error", "Giá trị có/không không hợp lệ", "Not a yes/no value"),
    "date_invalid": ("error", "Ngày không hợp lệ", "Invalid date"),
    "established_after_period": (
        "error",
        "Ngày thành lập sau ngày cuối kỳ",
        "Established after the period's end",
    ),
    "roster_exceeds_total": (
        "error",
        "Số DN công nghệ số đang hoạt động lớn hơn ENT_ACTIVE_TOTAL",
        "More active roster enterprises than ENT_ACTIVE_TOTAL",
    ),
    "legacy_encoding": (
        "error",
        "Văn bản bị lỗi mã hóa cũ (TCVN3/VNI), cần chuyển sang Unicode",
        "Text in a legacy encoding (TCVN3/VNI); convert to Unicode",
    ),
    "figure_too_large": ("error", "Giá trị quá lớn", "Value too large"),
    "too_many_figures": (
        "error",
        "Tệp khai báo quá nhiều mã chỉ tiêu",
        "Too many indicator codes in the file",
    ),
    "too_many_enterprises": (
        "error",
        "Danh sách doanh nghiệp quá dài",
        "Too many enterprises listed in the file",
    ),
    "sheet_too_large": ("error", "Trang tính quá lớn", "Sheet too large"),
    "text_invalid_character": (
        "error",
        "Văn bản chứa ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa)",
        "Text holds an invalid character (a control character or broken encoding)",
    ),
    "text_too_long": ("error", "Văn bản quá dài", "Text too long"),
    "cell_formula_no_value": (
        "error",
        "Ô chứa công thức chưa có giá trị (hãy mở tệp bằng Excel, tính lại và lưu)",
        "Cell holds a formula without a computed value (open in Excel, recalculate, save)",
    ),
    "internal_error": (
        "error",
        "Lỗi hệ thống khi xử lý tệp; cán bộ quản trị đã được thông báo, vui lòng chờ hoặc "
        "gửi lại tệp",
        "System error while processing the file; the operators have been told",
    ),
    "file_crashes_reader": (
        "error",
        "Tệp làm hỏng trình đọc (đã thử hai lần); hãy lưu lại tệp bằng Excel và gửi lại",
        "The file crashes the reader (tried twice); save it again in Excel and resend",
    ),
    "late": ("warning", "Báo cáo nộp trễ hạn", "Report received late"),
    "stock_change": (
        "warning",
        "Chỉ tiêu tồn thay đổi hơn 50% so với quý trước",
        "Stock changed by more than 50 % from the previous quarter",
    ),
    "tax_code_conflict": (
        "warning",
        "Đơn vị khác báo cáo doanh nghiệp này với trạng thái/loại hình/khả năng CĐS khác; cấp "
        "tỉnh lấy theo đơn vị có mã nhỏ nhất, hai đơn vị cần thống nhất",
        "Another unit reports this enterprise with a different status, type or DX capability; "
        "the province takes the lowest unit code's: the two units should agree",
    ),
    "tax_code_other_unit": (
        "warning",
        "Mã số thuế cũng được đơn vị khác báo cáo trong kỳ",
        "Tax code also reported by another unit for this period",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One finding: where it is, what was found, what was expected."""

    code: str
    severity: str
    sheet: str | None
    row: int | None
    field: str | None
    value: str | None
    expected: str | None
    message_vi: str
    message_en: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def problem(
    code: str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    field: str | None = None,
    value: object = None,
    expected: str | None = None,
    detail: str | None = None,
    severity: str | None = None,
) -> Problem:
    """Build a problem from its code; ``detail`` is appended to both messages; ``severity``
    overrides the code's own (a problem that is an error for some fields only)."""
    default, vi, en = MESSAGES[code]
    severity = severity or default
    if detail:
        vi, en = f"{vi}: {detail}", f"{en}: {detail}"
    # what a unit wrote is shown, never carried: no control character or lone surrogate
    # reaches the database, a JSON encoder or a page
    text = None if value is None else visible(str(value))
    if text is not None and len(text) > 200:
        text = text[:200] + "…"
    sheet, field = fit(sheet, 200), fit(field, 200)
    return Problem(code, severity, sheet, row, field, text, expected, vi, en)


SHOWN_PER_CODE = 50  # problems of one code a feedback report lists (each code's total beside)


def cap_per_code(problems: list[Problem], most: int = SHOWN_PER_CODE) -> list[Problem]:
    """The first ``most`` problems of each code, in order: a file of 150,000 bad roster rows
    gets a report a person can read (and a database row, an event and an artifact of a
    bounded size), with :func:`counts_by_code` saying how many there were."""
    seen: dict[str, int] = {}
    out = []
    for p in problems:
        seen[p.code] = seen.get(p.code, 0) + 1
        if seen[p.code] <= most:
            out.append(p)
    return out


def counts_by_code(problems: list[Problem]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in problems:
        out[p.code] = out.get(p.code, 0) + 1
    return out
