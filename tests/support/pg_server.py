"""A real PostgreSQL server for tests and benchmarks.

Debian's ``postgresql`` package (initdb, pg_ctl) runs as a non-root system user
(initdb refuses root) into a temporary folder, listening on 127.0.0.1 on a free
port, with fsync on. The superuser's password goes to a pgpass file that the
test environment points at (``PGPASSFILE``): never onto a command line.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN_ROOT = Path("/usr/lib/postgresql")
ADMIN = "clinic_admin"
DATABASE = "clinic"


def pg_bin() -> Path | None:
    """The newest installed server's bin folder, or None."""
    found = sorted(PG_BIN_ROOT.glob("*/bin/pg_ctl"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    if found:
        return found[-1].parent
    which = shutil.which("pg_ctl")
    return Path(which).parent if which else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> str | None:
    """The system user that runs the server: ourselves unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("no non-root system user to run PostgreSQL (need 'postgres')")


def require_binaries() -> None:
    """Skip a test without the server binaries; under CI fail it instead."""
    import pytest
    if pg_bin() is None:
        why = "PostgreSQL server binaries not found (Debian package: postgresql)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


class PgServer:
    """One throw-away cluster. ``url(user)`` names a role; passwords live in pgpass.

    ``port`` and ``password`` let a fresh cluster take an old one's place (a restore
    drill); ``database=False`` leaves the clinic database to be restored."""

    def __init__(self, *, port: int | None = None, password: str | None = None,
                 database: bool = True) -> None:
        bindir = pg_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found (Debian: postgresql)")
        self.bin = bindir
        self.user = _run_as()
        self.top = Path(tempfile.mkdtemp(prefix="km-pg-"))
        self.data = self.top / "data"
        self.port = port or _free_port()
        self.pgpass = self.top / "pgpass"
        self.log = self.top / "server.log"
        self.password = password or secrets.token_hex(16)
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chown(self.top, info.pw_uid, info.pw_gid)
        self.top.chmod(0o755)
        pwfile = self.top / "pw"
        pwfile.write_text(self.password + "\n")
        self._own(pwfile)
        self._run(["initdb", "-D", str(self.data), "-U", ADMIN, f"--pwfile={pwfile}",
                   "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
                   "-E", "UTF8", "--locale=C.UTF-8"])
        pwfile.unlink()
        conf = self.data / "postgresql.conf"
        with conf.open("a") as fh:
            fh.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                     f"unix_socket_directories = '{self.top}'\nfsync = on\n"
                     "synchronous_commit = on\nmax_connections = 60\n")
        # the socket directory: what libpq matches for a connection through it
        self.pgpass.write_text(f"127.0.0.1:{self.port}:*:{ADMIN}:{self.password}\n"
                               f"{self.top}:{self.port}:*:{ADMIN}:{self.password}\n")
        self.pgpass.chmod(0o600)
        self.start()
        if database:
            self.admin_sql(f"CREATE DATABASE {DATABASE}")

    def _own(self, path: Path) -> None:
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chown(path, info.pw_uid, info.pw_gid)

    def _run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        return subprocess.run(cmd, user=self.user, cwd=self.top, check=check,
                              capture_output=True, text=True, timeout=60)

    def start(self) -> None:
        self._run(["pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30",
                   "start"])

    def stop(self, mode: str = "fast") -> None:
        self._run(["pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop"], check=False)

    def url(self, user: str = ADMIN, database: str = DATABASE) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def socket_url(self, database: str = DATABASE) -> str:
        """The administrator through the server's socket directory (no TCP host)."""
        return f"postgresql://{ADMIN}@/{database}?host={self.top}&port={self.port}"

    def client(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        """A client program (pg_dump, psql, ...) as the administrator over TCP."""
        cmd = [str(self.bin / tool), "-h", "127.0.0.1", "-p", str(self.port), "-U", ADMIN,
               *args]
        return subprocess.run(cmd, env=self.env(), capture_output=True, text=True,
                              timeout=120, check=False)

    def env(self) -> dict[str, str]:
        """What a child process needs to find the passwords (PGPASSFILE)."""
        return {**os.environ, "PGPASSFILE": str(self.pgpass)}

    def add_password(self, user: str, password: str) -> None:
        with self.pgpass.open("a") as fh:
            fh.write(f"127.0.0.1:{self.port}:*:{user}:{password}\n")

    def admin_sql(self, sql: str, database: str = "postgres") -> str:
        import psycopg
        with psycopg.connect(self.url(database=database), autocommit=True,
                             passfile=str(self.pgpass)) as conn:
            cur = conn.execute(sql)
            return str(cur.fetchone()[0]) if cur.description else ""

    def fresh_database(self, name: str) -> str:
        self.admin_sql(f"CREATE DATABASE {name}")
        return self.url(database=name)

    def close(self) -> None:
        if not self.top.exists():
            return
        self.stop("immediate")
        shutil.rmtree(self.top, ignore_errors=True)
