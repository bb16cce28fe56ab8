"""Domain errors that services raise and the app maps to clear 4xx answers."""


class LehoiError(Exception):
    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(LehoiError):
    status_code = 404


class Conflict(LehoiError):
    status_code = 409


class Invalid(LehoiError):
    status_code = 422


class Gone(LehoiError):
    status_code = 410


class TooMany(LehoiError):
    status_code = 429
