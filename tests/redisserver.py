"""A real ``redis-server`` for the tests: on a free port, in a temporary directory, persisting
append-only with an fsync per write, as docs/deployment.md tells deployers to run it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import free_port, stop_process


@dataclass
class RedisServer:
    """One redis-server we can kill -9 and start again on the same append-only file."""

    directory: Path
    port: int = field(default_factory=free_port)
    appendonly: bool = True
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is installed by .ci/run (apt-get install redis-server)"
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [
            binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
            "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "always",
            "--save", "", "--daemonize", "no", "--protected-mode", "yes",
            "--maxmemory-policy", "noeviction", "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start: {self.log()}")

    def log(self) -> str:
        path = self.directory / "redis.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(5)

    def stop(self) -> None:
        stop_process(self.proc)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> RedisServer:
    """One Redis for the whole session; tests keep apart by key prefix."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def make_redis(tmp_path):
    """``make_redis()`` → a Redis of this test's own, to kill -9 and restart."""
    servers: list[RedisServer] = []

    def make(**kwargs) -> RedisServer:
        server = RedisServer(tmp_path / f"redis-{len(servers)}", **kwargs).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
