"""The build process: one spawned process per server that runs pure-Python builds off the event loop.

A thread running pure Python holds the GIL a switch interval (5 ms) at a time, and the event loop waits for it at
every turn: a city-sized calendar built in a thread made a /health answer take over half a second. The bundle's
street walks, computed anew for the first bundle and when venues move, are the same kind of work: py-spy --gil over a
city build that computed them put three quarters of the GIL samples in server/wayfinding/streets.py. C that lets go
of the GIL (compression, msgspec) stays in threads.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
#: the process that runs this process's pure-Python builds, started at the first one
_build_process: ProcessPoolExecutor | None = None


def _exit_with(parent: int) -> None:
    """In the build process: end when the server that started it is gone. A server killed outright (SIGKILL, out of
    memory) never shuts its pool down, and its build process would otherwise live on with no one to build for."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-server", daemon=True).start()


async def in_build_process(build: Callable[..., T], *args: object) -> T:
    """`build(*args)` in the build process: `build` must be a module-level function, and its arguments and result
    small to pickle (bytes, not a programme of objects: unpickling runs in this process under the GIL)."""
    global _build_process
    if _build_process is None:
        # spawned, not forked: this process has threads (the loop's, SQLite's) a fork would copy mid-step
        _build_process = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with,
            initargs=(os.getpid(),),
        )
    pool = _build_process
    try:
        return await asyncio.get_running_loop().run_in_executor(pool, build, *args)
    except BrokenProcessPool:
        if _build_process is pool:  # the process died (killed, out of memory): the retry starts another
            _build_process = None
        raise


def stop_build_process() -> None:
    """Stop the build process, if one was started."""
    global _build_process
    if _build_process is not None:
        _build_process.shutdown(wait=False, cancel_futures=True)
        _build_process = None
