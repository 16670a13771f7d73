"""Serving the explorer with uvicorn on a local address, printed once the socket is bound."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import uvicorn

from latentgan.explore.app import create_app


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket on host:port (port 0: a free port chosen by the system)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def address(sock: socket.socket) -> str:
    """The http:// address a bound socket answers on."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def make_server(app, host: str = "127.0.0.1", port: int = 0) -> tuple[uvicorn.Server, socket.socket]:
    """A uvicorn server for an app and the socket it will serve on, bound (and listening) already.

    Connections made before `server.run(sockets=[sock])` starts wait in the socket's backlog, so a caller
    may hand the address out at once.
    """
    sock = bind(host, port)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    return uvicorn.Server(config), sock


def serve(run_dir: str | Path, host: str = "127.0.0.1", port: int = 0, device: str = "cpu",
          log: Callable[[str], None] = print) -> None:
    """Serve the explorer of a run until interrupted; prints its address (port 0: any free port)."""
    app = create_app(run_dir, device=device)  # loads the model first: a bad run fails before any socket opens
    server, sock = make_server(app, host, port)
    log(f"latentgan explorer for '{run_dir}' at {address(sock)}  (Ctrl-C to stop)")
    with sock:
        server.run(sockets=[sock])
