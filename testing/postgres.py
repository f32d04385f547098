"""A throwaway PostgreSQL server for tests and benchmarks: initdb in a temporary folder, pg_ctl start on
127.0.0.1 at a free port, stopped and removed at the end.

initdb and pg_ctl refuse to run as root, so when we are root (CI, containers) the cluster belongs to an
unprivileged user (`nobody`) and every server command runs as that user; as anyone else it is our own.
The binaries are found with `pg_config --bindir` (or PG_BINDIR), then on PATH.
"""
from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

USER = "archive"  # the database superuser's name; connections over TCP need its password (scram-sha-256)
START_WAIT = 60.0  # seconds the server may take to accept connections


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server programs are not installed here."""


PROGRAMS = ("initdb", "pg_ctl", "pg_isready")  # all from one folder: a folder of links to some is passed over


def bindir() -> Path:
    """The folder of initdb, pg_ctl and pg_isready."""
    explicit = os.environ.get("PG_BINDIR")
    candidates = [Path(explicit)] if explicit else []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            candidates.append(Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                                  check=True).stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).parent)
    for folder in candidates:
        if all((folder / program).is_file() for program in PROGRAMS):
            return folder
    raise PostgresUnavailable("the PostgreSQL server programs (initdb, pg_ctl) are not installed: "
                              "apt-get install postgresql, or set PG_BINDIR")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> str | None:
    """Who runs the server: `nobody` when we are root (the programs refuse root), else ourselves (None)."""
    return pwd.getpwnam("nobody").pw_name if os.geteuid() == 0 else None


@dataclass
class PostgresServer:
    """One running cluster. `url` reaches its `postgres` database as the superuser."""

    folder: Path
    port: int
    bin: Path
    user: str | None
    password: str
    durable: bool = False  # fsync as a production server does (benchmarks); tests need no crash safety
    _created: int = 0

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bin / args[0]), *args[1:]], user=self.user, capture_output=True, text=True,
                              check=check, cwd=self.folder, timeout=START_WAIT)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-t",
                  str(int(START_WAIT)), "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                  + ("" if self.durable else "-c fsync=off -c full_page_writes=off"), "start")
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_WAIT
        while True:
            done = self._run("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, check=False)
            if done.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not accept connections within {START_WAIT:g} s: "
                                   f"{self.log_tail()}")
            time.sleep(0.1)

    def create_database(self) -> str:
        """A new empty database; its URL."""
        self._created += 1
        name = f"test_{self._created}"
        self._run("psql", "-h", str(self.folder), "-p", str(self.port), "-U", USER, "-d", "postgres", "-q",
                  "-c", f"CREATE DATABASE {name}")
        return self.url_for(name)

    def stop(self) -> None:
        """Stop at once (connections are cut, as when a server goes away)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)

    @property
    def running(self) -> bool:
        """Something accepts connections on the server's port."""
        with socket.socket() as probe:
            probe.settimeout(2)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.folder / "server.log").read_text(errors="replace")[-2000:]
        return ""


@contextlib.contextmanager
def postgres_server(durable: bool = False) -> Iterator[PostgresServer]:
    """A fresh cluster, running until the block ends; then stopped and its folder removed. `durable`: with
    PostgreSQL's default fsync, for figures comparable with a real server's."""
    programs = bindir()
    user = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="archive-bot-pg-"))

    def give(path: Path) -> None:  # to the server's user, who must own its folder and read the password
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    try:
        give(folder)
        server = PostgresServer(folder, _free_port(), programs, user, secrets.token_hex(12), durable)
        pwfile = folder / "password"
        pwfile.write_text(server.password)
        give(pwfile)
        server._run("initdb", "-D", str(server.data), "-U", USER, f"--pwfile={pwfile}", "--auth-local=trust",
                    "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C")
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
