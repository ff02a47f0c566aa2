"""The problem vocabulary: every code chiso reports, its severity and its two messages."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """An error rejects the submission; a warning is reported and the submission kept."""

    ERROR = "error"
    WARNING = "warning"


class Code(StrEnum):
    """Every problem chiso reports (contract, section 4); each has its messages below."""

    FILE_FORMAT = "file_format"
    FILE_TOO_LARGE = "file_too_large"
    FILE_UNPACK_TOO_LARGE = "file_unpack_too_large"
    FILE_UNREADABLE = "file_unreadable"
    XML_ENTITIES = "xml_entities"
    FILE_ENCODING = "file_encoding"
    JSON_INVALID = "json_invalid"
    JSON_NOT_NUMBER = "json_not_number"
    JSON_TOO_DEEP = "json_too_deep"
    JSON_SHAPE = "json_shape"
    JSON_TOO_MANY_ENTRIES = "json_too_many_entries"
    SHEET_MISSING = "sheet_missing"
    SHEET_AMBIGUOUS = "sheet_ambiguous"
    COLUMN_MISSING = "column_missing"
    FIELD_MISSING = "field_missing"
    UNIT_UNKNOWN = "unit_unknown"
    UNIT_NOT_VALID = "unit_not_valid"
    PATH_MISMATCH = "path_mismatch"
    PERIOD_MALFORMED = "period_malformed"
    PERIOD_FUTURE = "period_future"
    FIGURE_UNKNOWN = "figure_unknown"
    FIGURE_DUPLICATE = "figure_duplicate"
    FIGURE_MISSING = "figure_missing"
    FIGURE_NOT_INTEGER = "figure_not_integer"
    PAIR_BROKEN = "pair_broken"
    ONLINE_EXCEEDS_ELIGIBLE = "online_exceeds_eligible"
    TRAINEES_WITHOUT_CLASSES = "trainees_without_classes"
    CLASSES_WITHOUT_TRAINEES = "classes_without_trainees"
    TAX_CODE_INVALID = "tax_code_invalid"
    TAX_CODE_DUPLICATE = "tax_code_duplicate"
    NAME_MISSING = "name_missing"
    TYPE_UNKNOWN = "type_unknown"
    STATUS_UNKNOWN = "status_unknown"
    YES_NO_UNKNOWN = "yes_no_unknown"
    DATE_INVALID = "date_invalid"
    ESTABLISHED_AFTER_PERIOD = "established_after_period"
    ROSTER_EXCEEDS_TOTAL = "roster_exceeds_total"
    LEGACY_ENCODING = "legacy_encoding"
    FIGURE_TOO_LARGE = "figure_too_large"
    TOO_MANY_FIGURES = "too_many_figures"
    TOO_MANY_ENTERPRISES = "too_many_enterprises"
    SHEET_TOO_LARGE = "sheet_too_large"
    TEXT_INVALID_CHARACTER = "text_invalid_character"
    TEXT_TOO_LONG = "text_too_long"
    CELL_FORMULA_NO_VALUE = "cell_formula_no_value"
    INTERNAL_ERROR = "internal_error"
    FILE_CRASHES_READER = "file_crashes_reader"
    FILE_TOO_COSTLY = "file_too_costly"
    CONTENT_TOO_LARGE = "content_too_large"
    LATE = "late"
    RECEIVED_TIME_ADJUSTED = "received_time_adjusted"
    STOCK_CHANGE = "stock_change"
    TAX_CODE_CONFLICT = "tax_code_conflict"
    TAX_CODE_OTHER_UNIT = "tax_code_other_unit"


# codes found when a file is collected, kept in its row until it is decided
INTAKE_CODES = frozenset({Code.RECEIVED_TIME_ADJUSTED})

# code -> (severity, Vietnamese, English)
MESSAGES: dict[Code, tuple[Severity, str, str]] = {
    Code.FILE_FORMAT: (
        Severity.ERROR,
        "Định dạng tệp không được chấp nhận",
        "File format not accepted",
    ),
    Code.FILE_TOO_LARGE: (Severity.ERROR, "Tệp quá lớn", "File too large"),
    Code.FILE_UNPACK_TOO_LARGE: (
        Severity.ERROR,
        "Tệp nén giải nén ra quá lớn",
        "Workbook would unpack to too much data",
    ),
    Code.FILE_UNREADABLE: (Severity.ERROR, "Không đọc được tệp", "File cannot be read"),
    Code.XML_ENTITIES: (
        Severity.ERROR,
        "Tệp chứa khai báo thực thể XML (bị từ chối)",
        "Workbook contains XML entity declarations (refused)",
    ),
    Code.FILE_ENCODING: (Severity.ERROR, "Tệp không phải UTF-8", "File is not UTF-8 text"),
    Code.JSON_INVALID: (Severity.ERROR, "JSON không hợp lệ", "Invalid JSON"),
    Code.JSON_NOT_NUMBER: (
        Severity.ERROR,
        "NaN/Infinity không phải là số",
        "NaN/Infinity is not a number",
    ),
    Code.JSON_TOO_DEEP: (Severity.ERROR, "JSON lồng nhau quá sâu", "JSON nested too deeply"),
    Code.JSON_SHAPE: (Severity.ERROR, "Cấu trúc JSON không đúng", "Wrong JSON structure"),
    Code.JSON_TOO_MANY_ENTRIES: (
        Severity.ERROR,
        "Tài liệu JSON có quá nhiều mục",
        "JSON document holds too many entries",
    ),
    Code.SHEET_MISSING: (Severity.ERROR, "Thiếu trang tính bắt buộc", "Required sheet missing"),
    Code.SHEET_AMBIGUOUS: (
        Severity.ERROR,
        "Có hai trang tính cho cùng một phần",
        "Two sheets for the same part",
    ),
    Code.COLUMN_MISSING: (Severity.ERROR, "Thiếu cột bắt buộc", "Required column missing"),
    Code.FIELD_MISSING: (Severity.ERROR, "Thiếu thông tin bắt buộc", "Required field missing"),
    Code.UNIT_UNKNOWN: (Severity.ERROR, "Mã đơn vị không có trong danh mục", "Unknown unit code"),
    Code.UNIT_NOT_VALID: (
        Severity.ERROR,
        "Đơn vị không còn/chưa hiệu lực vào ngày cuối kỳ",
        "Unit not valid on the period's last day",
    ),
    Code.PATH_MISMATCH: (
        Severity.ERROR,
        "Đơn vị/kỳ trong đường dẫn khác với nội dung tệp",
        "Unit/period in the path differs from the file",
    ),
    Code.PERIOD_MALFORMED: (Severity.ERROR, "Kỳ báo cáo không hợp lệ", "Malformed period"),
    Code.PERIOD_FUTURE: (Severity.ERROR, "Kỳ báo cáo chưa kết thúc", "Period has not ended yet"),
    Code.FIGURE_UNKNOWN: (Severity.ERROR, "Mã chỉ tiêu không tồn tại", "Unknown indicator code"),
    Code.FIGURE_DUPLICATE: (
        Severity.ERROR,
        "Mã chỉ tiêu khai báo hai lần",
        "Indicator code listed twice",
    ),
    Code.FIGURE_MISSING: (Severity.ERROR, "Thiếu chỉ tiêu bắt buộc", "Required figure missing"),
    Code.FIGURE_NOT_INTEGER: (
        Severity.ERROR,
        "Giá trị không phải số nguyên không âm",
        "Value is not a non-negative integer",
    ),
    Code.PAIR_BROKEN: (
        Severity.ERROR,
        "Cặp chỉ tiêu phải có cả hai hoặc không có",
        "Paired figures: give both or neither",
    ),
    Code.ONLINE_EXCEEDS_ELIGIBLE: (
        Severity.ERROR,
        "Số thủ tục toàn trình lớn hơn số thủ tục đủ điều kiện",
        "PROC_ONLINE_FULL greater than PROC_ELIGIBLE",
    ),
    Code.TRAINEES_WITHOUT_CLASSES: (
        Severity.ERROR,
        "Có học viên nhưng không có lớp",
        "Trainees without classes",
    ),
    Code.CLASSES_WITHOUT_TRAINEES: (
        Severity.ERROR,
        "Có lớp nhưng không có học viên",
        "Classes without trainees",
    ),
    Code.TAX_CODE_INVALID: (Severity.ERROR, "Mã số thuế không hợp lệ", "Invalid tax code"),
    Code.TAX_CODE_DUPLICATE: (
        Severity.ERROR,
        "Mã số thuế khai báo hai lần trong tệp",
        "Tax code listed twice in the file",
    ),
    Code.NAME_MISSING: (Severity.ERROR, "Thiếu tên doanh nghiệp", "Enterprise name missing"),
    Code.TYPE_UNKNOWN: (Severity.ERROR, "Loại hình không hợp lệ", "Unknown enterprise type"),
    Code.STATUS_UNKNOWN: (Severity.ERROR, "Trạng thái không hợp lệ", "Unknown status"),
    Code.YES_NO_UNKNOWN: (Severity.ERROR, "Giá trị có/không không hợp lệ", "Not a yes/no value"),
    Code.DATE_INVALID: (Severity.ERROR, "Ngày không hợp lệ", "Invalid date"),
    Code.ESTABLISHED_AFTER_PERIOD: (
        Severity.ERROR,
        "Ngày thành lập sau ngày cuối kỳ",
        "Established after the period's end",
    ),
    Code.ROSTER_EXCEEDS_TOTAL: (
        Severity.ERROR,
        "Số DN công nghệ số đang hoạt động lớn hơn ENT_ACTIVE_TOTAL",
        "More active roster enterprises than ENT_ACTIVE_TOTAL",
    ),
    Code.LEGACY_ENCODING: (
        Severity.ERROR,
        "Văn bản bị lỗi mã hóa cũ (TCVN3/VNI), cần chuyển sang Unicode",
        "Text in a legacy encoding (TCVN3/VNI); convert to Unicode",
    ),
    Code.FIGURE_TOO_LARGE: (Severity.ERROR, "Giá trị quá lớn", "Value too large"),
    Code.TOO_MANY_FIGURES: (
        Severity.ERROR,
        "Tệp khai báo quá nhiều mã chỉ tiêu",
        "Too many indicator codes in the file",
    ),
    Code.TOO_MANY_ENTERPRISES: (
        Severity.ERROR,
        "Danh sách doanh nghiệp quá dài",
        "Too many enterprises listed in the file",
    ),
    Code.SHEET_TOO_LARGE: (Severity.ERROR, "Trang tính quá lớn", "Sheet too large"),
    Code.TEXT_INVALID_CHARACTER: (
        Severity.ERROR,
        "Văn bản chứa ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa)",
        "Text holds an invalid character (a control character or broken encoding)",
    ),
    Code.TEXT_TOO_LONG: (Severity.ERROR, "Văn bản quá dài", "Text too long"),
    Code.CELL_FORMULA_NO_VALUE: (
        Severity.ERROR,
        "Ô chứa công thức chưa có giá trị (hãy mở tệp bằng Excel, tính lại và lưu)",
        "Cell holds a formula without a computed value (open in Excel, recalculate, save)",
    ),
    Code.INTERNAL_ERROR: (
        Severity.ERROR,
        "Lỗi hệ thống khi xử lý tệp; cán bộ quản trị đã được thông báo, vui lòng chờ hoặc "
        "gửi lại tệp",
        "System error while processing the file; the operators have been told",
    ),
    Code.FILE_CRASHES_READER: (
        Severity.ERROR,
        "Tệp làm hỏng trình đọc (đã thử hai lần); hãy lưu lại tệp bằng Excel và gửi lại",
        "The file crashes the reader (tried twice); save it again in Excel and resend",
    ),
    Code.FILE_TOO_COSTLY: (
        Severity.ERROR,
        "Tệp cần quá nhiều thời gian xử lý để đọc; hãy gửi tệp theo mẫu (chiso template), "
        "không có dữ liệu thừa",
        "The file was too costly to read (past the reader's CPU time limit); send the "
        "template's form (chiso template) without surplus content",
    ),
    Code.CONTENT_TOO_LARGE: (
        Severity.ERROR,
        "Nội dung tệp khi đọc ra quá lớn (văn bản lặp lại hoặc thừa); hãy gửi tệp theo mẫu",
        "The file's content, once read, is too large (repeated or surplus text); send the "
        "template's form",
    ),
    Code.LATE: (Severity.WARNING, "Báo cáo nộp trễ hạn", "Report received late"),
    Code.RECEIVED_TIME_ADJUSTED: (
        Severity.WARNING,
        "Thời điểm của tệp không hợp lệ (trong tương lai hoặc trước năm 1970); "
        "thời điểm hệ thống nhận tệp được dùng thay",
        "The file's time was not valid (in the future or before 1970); "
        "the time chiso collected the file was used instead",
    ),
    Code.STOCK_CHANGE: (
        Severity.WARNING,
        "Chỉ tiêu tồn thay đổi hơn 50% so với quý trước",
        "Stock changed by more than 50 % from the previous quarter",
    ),
    Code.TAX_CODE_CONFLICT: (
        Severity.WARNING,
        "Đơn vị khác báo cáo doanh nghiệp này với trạng thái/loại hình/khả năng CĐS khác; cấp "
        "tỉnh lấy theo đơn vị có mã nhỏ nhất, hai đơn vị cần thống nhất",
        "Another unit reports this enterprise with a different status, type or DX capability; "
        "the province takes the lowest unit code's: the two units should agree",
    ),
    Code.TAX_CODE_OTHER_UNIT: (
        Severity.WARNING,
        "Mã số thuế cũng được đơn vị khác báo cáo trong kỳ",
        "Tax code also reported by another unit for this period",
    ),
}
