"""The API's errors: ``{"error", "message_vi", "message_en"}`` with the contract's codes."""

from __future__ import annotations

from fastapi import HTTPException

MESSAGES = {
    "bad_request": ("Yêu cầu không hợp lệ", "Bad request"),
    "bad_period": ("Kỳ báo cáo không hợp lệ", "Not a quarter this unit may report for"),
    "bad_file": ("Tệp không hợp lệ", "Not a file chiso can take"),
    "unauthenticated": (
        "Chưa đăng nhập hoặc thông tin đăng nhập không hợp lệ",
        "Not signed in, or the credentials are not valid",
    ),
    "forbidden": ("Tài khoản này không được phép làm việc này", "This account may not do this"),
    "csrf": ("Thiếu hoặc sai mã chống giả mạo (CSRF)", "The CSRF token is missing or wrong"),
    "not_found": ("Không tìm thấy", "Not found"),
    "too_large": ("Tệp quá lớn", "File too large"),
    "locked": (
        "Tạm khoá do đăng nhập sai nhiều lần; thử lại sau",
        "Locked after repeated failed sign-ins; try again later",
    ),
}
STATUS = {
    "bad_request": 400,
    "bad_period": 400,
    "bad_file": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "csrf": 403,
    "not_found": 404,
    "too_large": 413,
    "locked": 429,
    "unavailable": 503,
}


class PortalError(HTTPException):
    """An error the API answers as JSON and the pages as a page (``detail`` adds to it)."""

    def __init__(self, error: str, detail: str | None = None) -> None:
        super().__init__(STATUS[error], detail)
        self.error = error
        self.extra = detail

    def body(self) -> dict[str, str]:
        vi, en = MESSAGES[self.error]
        if self.extra:
            vi, en = f"{vi}: {self.extra}", f"{en}: {self.extra}"
        return {"error": self.error, "message_vi": vi, "message_en": en}
