"""The portal's application: routes, errors as the contract says, security headers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from portal import api, pages
from portal.context import Portal
from portal.errors import PortalError

HERE = Path(__file__).parent
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/healthz"))


def create_app(portal: Portal) -> FastAPI:
    """The portal over ``portal``'s resources (no OpenAPI pages: nothing to show strangers)."""
    app = FastAPI(title="chiso portal", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.portal = portal
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: object) -> Response:
        try:
            response: Response = await call_next(request)  # type: ignore[operator]
        except PortalError as exc:  # raised while a body streamed
            response = _error(request, exc)
        for k, v in HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    @app.exception_handler(PortalError)
    async def portal_error(request: Request, exc: PortalError) -> Response:
        return _error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, PortalError("bad_request", "a form or query field is missing"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {404: "not_found", 405: "bad_request", 401: "unauthenticated"}.get(
            exc.status_code, "bad_request"
        )
        return _error(request, PortalError(kind))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        import logging

        logging.getLogger("chiso.portal").exception("request %s failed", request.url.path)
        body = {
            "error": "internal",
            "message_vi": "Lỗi hệ thống; vui lòng thử lại sau",
            "message_en": "Something went wrong on chiso's side; try again later",
        }
        return JSONResponse(body, status_code=500, headers=HEADERS)

    return app


def _error(request: Request, exc: PortalError) -> Response:
    response = _error_response(request, exc)
    if exc.status_code == 413:  # the rest of the body is not read: close, do not drain it
        response.headers["Connection"] = "close"
    return response


def _error_response(request: Request, exc: PortalError) -> Response:
    if _is_api(request):
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=HEADERS)
    if exc.status_code == 401:
        return RedirectResponse("/signin", status_code=303, headers=HEADERS)
    return pages.error_page(request, exc)
