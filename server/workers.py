"""`lehoi serve --workers N`: uvicorn's supervisor, each worker process listening on a socket of its own.

uvicorn's workers share the one socket the parent binds, and a woken worker's loop accepts every connection waiting
(asyncio accepts up to the backlog at once): keep-alive clients that connect together pile onto one process (59 of 64
wrk connections in bench/bench_hosts.py), so a second worker added little to reads. With SO_REUSEPORT each worker
binds the port itself and the kernel spreads new connections over the workers' sockets by a hash of the addresses.
A worker listens only once its app has started; a worker that dies loses only the connections waiting in its own
queue, and the supervisor starts another in its place.
"""

from __future__ import annotations

import logging
import socket
import sys
from unittest import mock

from uvicorn import Config
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import multiprocess

logger = logging.getLogger("uvicorn.error")


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port beside the other workers' (SO_REUSEPORT); not yet listening."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:  # the port is held by something else: uvicorn's own exit, so the supervisor stops
        logger.error(exc)
        sys.exit(STARTUP_FAILURE)
    return sock


class _OwnSocket(multiprocess.Process):
    """A worker that binds its own socket in its own process instead of using the parent's."""

    def target(self, sockets=None) -> None:
        super().target([reuse_port_socket(self.config.host, self.config.port)])


def serve(config: Config) -> None:
    """Serve `config`'s app from `config.workers` processes, each on its own socket; uvicorn's supervisor starts
    them, restarts one that dies and stops them all on SIGINT/SIGTERM."""
    # The supervisor makes its workers from its module's Process class and takes no other: swapped for this run only
    # (the workers are spawned, so nothing of the swap reaches them but the class of the object they run).
    with mock.patch.object(multiprocess, "Process", _OwnSocket):
        multiprocess.Multiprocess(config, sockets=[]).run()
