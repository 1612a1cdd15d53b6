"""The servers a benchmark run starts and stops: PostgreSQL and Redis when a profile needs them, and
gunicorn as in production (for our app, and for the programs we compare with) on a free loopback port."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_services(database: str):
    """Start PostgreSQL (when the profile is on it) and Redis (the city's cache and huey queue, and the scale-out
    scenario's on any database) when they are down, as .ci/run does."""
    if database == "postgresql" and subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode:
        for version in Path("/etc/postgresql").iterdir():
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version.name, "main", "start"])
        for _ in range(30):
            if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode == 0:
                break
            time.sleep(1)
    if subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True).returncode != 0:
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
                        "--save", "", "--appendonly", "no"], check=True)
        time.sleep(1)


class Servers:
    """Every process this run starts, stopped on exit whatever happens (also on Ctrl-C or TERM)."""

    def __init__(self):
        self.processes: list[subprocess.Popen] = []
        signal.signal(signal.SIGTERM, self._signal)
        signal.signal(signal.SIGINT, self._signal)

    def _signal(self, signum, frame):
        self.stop()
        sys.exit(128 + signum)

    def start(self, args, env, **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(args, env={**os.environ, **env}, cwd=kwargs.pop("cwd", ROOT),
                                   start_new_session=True, **kwargs)
        self.processes.append(process)
        return process

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()


def gunicorn(servers: Servers, env: dict, *, app="minsheng.wsgi:application", python_bin=None, cwd=ROOT,
             log: Path | None = None, workers=2, extra=()) -> int:
    """gunicorn as bin/serve starts it (gthread, 2 workers × 4 threads) on a free port; `extra` arguments added."""
    port = free_port()
    binary = python_bin or str(ROOT / ".venv" / "bin")
    # Django logs every 409 of the claim race as a warning: the server's output goes to a file.
    log = open(log or ROOT / "var" / "bench" / "gunicorn.log", "a")  # noqa: SIM115 (closed with the process)
    servers.start([f"{binary}/gunicorn", app, "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread",
                   "--workers", str(workers), "--threads", "4", "--log-level", "warning", *extra], env, cwd=cwd,
                  stdout=log, stderr=subprocess.STDOUT)
    return listening(port, "gunicorn")


def listening(port: int, what: str) -> int:
    """The port, once a server listens on it (within 40 s)."""
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return port
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not start")
