"""The refusals lehoi gives: each a Litestar HTTP exception, answered `{"status_code", "detail"}` with its status.

Services raise them; handlers list them in `raises`, so the OpenAPI documents the very classes that are raised.
"""

from litestar.exceptions import HTTPException


class LehoiError(HTTPException):
    status_code = 400


class NotFound(LehoiError):
    status_code = 404


class Conflict(LehoiError):
    status_code = 409


class Gone(LehoiError):
    status_code = 410


class TooLarge(LehoiError):
    status_code = 413


class Invalid(LehoiError):
    status_code = 422
