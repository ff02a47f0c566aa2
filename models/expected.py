"""What a problem expected, in Vietnamese beside the English its checks write."""

from __future__ import annotations

import re

# (English pattern, Vietnamese template), tried in order; groups carry values across
_PHRASES: list[tuple[str, str]] = [
    (r"at most (\S+) MB", r"tối đa \1 MB"),
    (r"at most (\S+) levels", r"tối đa \1 cấp lồng nhau"),
    (r"at most (\S+) rows and (.*)", r"tối đa \1 dòng và \2"),
    (r"an integer of at most (\S+)", r"số nguyên không lớn hơn \1"),
    (r"at most (\S+)", r"tối đa \1"),
    (r"before the end of (.+)", r"trước khi hết ngày \1"),
    (r"within ±50 % of the previous quarter: (.*)", r"trong khoảng ±50 % so với quý trước: \1"),
    (r"not reported by another unit; also in (.*)", r"không trùng với đơn vị khác; cũng có ở \1"),
    (r"≤ PROC_ELIGIBLE = (.*)", r"≤ PROC_ELIGIBLE = \1"),
    (r"active roster ≤ ENT_ACTIVE_TOTAL = (.*)", r"số DN đang hoạt động ≤ ENT_ACTIVE_TOTAL = \1"),
    (r"as unit (\S+) reports it: (.*)", r"như đơn vị \1 đã báo: \2"),
    (r"(\S+) and (\S+): both or neither", r"\1 và \2: có cả hai hoặc không có cả hai"),
    (r"a quarter that has ended \(latest (\S+)\)", r"một quý đã kết thúc (gần nhất \1)"),
    (r"a file read within (\S+) s", r"tệp đọc được trong \1 giây"),
    (r"a sheet named '(.*)' or '(.*)'", r"một trang tính tên '\1' hoặc '\2'"),
    (r"one sheet for '(.*)'", r"chỉ một trang tính cho '\1'"),
    (r"a column '(.*)' or '(.*)'", r"một cột '\1' hoặc '\2'"),
    (r"a header row naming (.*)", r"một dòng tiêu đề có \1"),
    (r"valid JSON \(line (\d+), col (\d+)\)", r"JSON hợp lệ (dòng \1, cột \2)"),
    (r"valid JSON", "JSON hợp lệ"),
    (r"\.xlsx or \.json", "tệp .xlsx hoặc .json"),
    (r"an \.xlsx workbook \(zip\)", "tệp Excel .xlsx (dạng zip)"),
    (r"an \.xlsx workbook", "tệp Excel .xlsx"),
    (r"a workbook Excel can open", "tệp mà Excel mở được"),
    (r"no DTD or entity declarations", "không có khai báo DTD hay thực thể XML"),
    (r"UTF-8", "mã hoá UTF-8"),
    (r"a number", "một số"),
    (r"Unicode text without control characters", "văn bản Unicode, không có ký tự điều khiển"),
    (r"Unicode text", "văn bản Unicode (không phải TCVN3/VNI)"),
    (r"YYYYQn, e\.g\. 2025Q3.*", "dạng YYYYQn, ví dụ 2025Q3 (hoặc Q3/2025, Quý III/2025)"),
    (r"YYYYQn", "dạng YYYYQn"),
    (r"the unit's code", "mã đơn vị"),
    (r"a reporting unit code of the catalog", "mã một đơn vị báo cáo trong danh mục"),
    (r"a unit valid on the period's last day", "đơn vị còn hiệu lực vào ngày cuối kỳ"),
    (r"a code of the indicator catalog", "mã chỉ tiêu trong danh mục"),
    (r"each code once", "mỗi mã một lần"),
    (r"each tax code once", "mỗi mã số thuế một lần"),
    (r"a value \(required\)", "có giá trị (bắt buộc)"),
    (
        r"a value \(or a formula Excel has computed and saved\)",
        "có giá trị (hoặc công thức đã được Excel tính và lưu)",
    ),
    (r"a non-negative integer \(1234 or 1\.234\)", "số nguyên không âm (1234 hoặc 1.234)"),
    (r"at least 1 class when DX_TRAINEES > 0", "ít nhất 1 lớp khi DX_TRAINEES > 0"),
    (r"at least 1 trainee when DX_CLASSES > 0", "ít nhất 1 học viên khi DX_CLASSES > 0"),
    (
        r"10 digits \(or NNNNNNNNNN-NNN\) with a valid check digit",
        "10 chữ số (hoặc NNNNNNNNNN-NNN) với số kiểm tra đúng",
    ),
    (r"the enterprise's name", "tên doanh nghiệp"),
    (
        r"yes/no, có/không, x/blank, true/false, 1/0",
        "có/không, yes/no, x/để trống, true/false, 1/0",
    ),
    (r"dd/mm/yyyy, yyyy-mm-dd or a date cell", "dd/mm/yyyy, yyyy-mm-dd hoặc ô ngày tháng"),
    (r"on or before the period's last day", "không sau ngày cuối kỳ"),
    (r"<unit_code>/<period>/<file>", "<mã đơn vị>/<kỳ>/<tệp>"),
    (r"an 'indicators' object", "một đối tượng 'indicators'"),
    (r"an 'enterprises' list \(may be empty\)", "một danh sách 'enterprises' (có thể rỗng)"),
    (
        r"a time between 1970 and the time chiso collected the file, which was used",
        "thời điểm từ năm 1970 đến lúc hệ thống nhận tệp (thời điểm nhận được dùng thay)",
    ),
]
_COMPILED = [(re.compile(f"^{p}$", re.S), vi) for p, vi in _PHRASES]


def vietnamese(expected: str | None) -> str | None:
    """The Vietnamese of an ``expected`` text (itself when no phrase matches: a list of
    codes, a value)."""
    if not expected:
        return expected
    for pattern, vi in _COMPILED:
        m = pattern.match(expected)
        if m:
            return m.expand(vi)
    return expected
