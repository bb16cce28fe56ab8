"""The refusals lehoi gives: each a Litestar HTTP exception, answered `{"status_code", "detail"}` with its status.

Services raise them; handlers list them in `raises`, so the OpenAPI documents the very classes that are raised.
"""

from litestar.exceptions import HTTPException


class LehoiError(HTTPException):
    """The request cannot be applied as it is."""

    status_code = 400


class NotFound(LehoiError):
    """No such resource."""

    status_code = 404


class Conflict(LehoiError):
    """It clashes with what is already there."""

    status_code = 409


class Gone(LehoiError):
    """No longer available."""

    status_code = 410


class TooLarge(LehoiError):
    """More than the operation takes at once."""

    status_code = 413


class Invalid(LehoiError):
    """The values do not make sense together."""

    status_code = 422
