"""The processes a test or bench started, read from /proc as `ps` would."""

from __future__ import annotations

import os
from pathlib import Path


def _stat(pid_dir: Path) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name (state first, then the parent's pid), or None once gone."""
    try:
        return (pid_dir / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def children(pid: int) -> set[int]:
    """The living (not zombie) processes whose parent is `pid`."""
    found = set()
    for pid_dir in Path("/proc").glob("[0-9]*"):
        fields = _stat(pid_dir)
        if fields and int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(pid_dir.name))
    return found


def alive(pid: int) -> bool:
    """Whether `pid` is a living process (neither gone nor a zombie)."""
    fields = _stat(Path(f"/proc/{pid}"))
    return fields is not None and fields[0] != "Z"


def process_tree(pid: int) -> list[int]:
    """`pid` and every process it started, and theirs."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            started = (task / "children").read_text().split()
        except OSError:  # the thread or process ended meanwhile
            continue
        for child in started:
            pids += process_tree(int(child))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds these processes have used so far (those gone count 0)."""
    ticks = 0
    for pid in pids:
        fields = _stat(Path(f"/proc/{pid}"))
        if fields:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return ticks / os.sysconf("SC_CLK_TCK")
