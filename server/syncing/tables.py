"""The programme change log that phones follow: one row per change, versions gap-free in commit order."""

from piccolo.columns import BigInt, Integer, Timestamptz, Varchar
from piccolo.table import Table


class ProgrammeVersion(Table):
    """One row (id 1): the current programme version and how far the log has been pruned.

    Every programme write updates this row inside its own transaction (the triggers of migration programme 07:12:00);
    the row lock makes writers take versions in the order they commit, so a reader never sees version N+1 before N.
    """

    id = Integer(primary_key=True)
    version = BigInt(default=0)
    #: change-log rows at or below this version are gone; older cursors get 410.
    pruned_through = BigInt(default=0)


class ChangeLog(Table):
    version = BigInt(primary_key=True)
    kind = Varchar(length=32)
    record_id = Varchar(length=64)
    #: upsert or delete
    op = Varchar(length=8)


class AppliedMutation(Table):
    """The record that a phone's mutation was handled, so a replay answers `duplicate`."""

    client_id = Varchar(length=64)
    mutation_id = Varchar(length=36)
    name = Varchar(length=32)
    #: applied or rejected
    status = Varchar(length=8)
    reason = Varchar(length=64, null=True, default=None)
    #: when the phone says it happened, and when the server applied it
    at = Timestamptz(null=True, default=None)
    received_at = Timestamptz()
