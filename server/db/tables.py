"""The kernel's one table: rate-limit windows, so that every process and host spends one budget."""

from piccolo.columns import BigInt, Integer, Varchar
from piccolo.table import Table


class RateLimitWindow(Table, tablename="rate_limit_window"):
    """One limit's count for one client in its current window (`server.db.limits`)."""

    #: the limit's name and the client it counts, `login:203.0.113.7`
    bucket = Varchar(length=255, primary_key=True)
    #: epoch milliseconds at which the window ends and the count starts again
    ends_ms = BigInt()
    hits = Integer()
