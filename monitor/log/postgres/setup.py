"""``ketamine-monitor clinic init``: create the clinic schema and its roles.

Run once by the database administrator (a superuser of the clinic's server),
again with a larger ``--chairs`` to add chairs. New login roles get random
passwords, stored on the server only as SCRAM verifiers (computed here, so the
server never sees them in clear) and written to a pgpass file for the
administrator to hand out: never printed, never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from monitor.errors import StoreError
from monitor.log.postgres.log import connect
from monitor.log.postgres.schema import (
    BOARD,
    Login,
    chair_role,
    init_statements,
    new_logins,
    server_name,
    write_pgpass,
)


@dataclass(frozen=True)
class InitReport:
    database: str
    chairs: list[str]
    new_roles: list[str]
    pgpass: Path | None
    server: str = ""  # the host name the hand-out lines give the chairs
    server_from: str = ""  # where that name came from


def _scram(conn: Any, login: Login) -> str:
    verifier = conn.pgconn.encrypt_password(login.password.encode(), login.role.encode(),
                                            b"scram-sha-256")
    return bytes(verifier).decode("ascii")


def init_clinic(url: str, chairs: int, pgpass: Path | None) -> InitReport:
    if not 1 <= chairs <= 64:
        raise StoreError(f"--chairs {chairs}: must be from 1 to 64")
    conn = connect(url, application="ketamine-monitor clinic init", timeouts=False)
    try:
        database = str(conn.info.dbname)
        superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                                 ).fetchone()
        if not superuser or not superuser[0]:
            raise StoreError(f"clinic init needs a superuser of the server (connected as "
                             f"{conn.info.user}); run it as the database administrator")
        existing = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles")}
        logins = new_logins(existing, chairs)
        if logins and pgpass is None:
            raise StoreError("clinic init creates login roles "
                             f"({', '.join(x.role for x in logins)}): give --pgpass FILE to "
                             "receive their passwords")
        with conn.transaction():
            for statement in init_statements(database, chairs):
                conn.execute(statement)
            for login in logins:
                conn.execute(f"ALTER ROLE {login.role} PASSWORD '{_scram(conn, login)}'")
        server, server_from = server_name(conn.info.host)
        if logins and pgpass is not None:
            write_pgpass(pgpass, server, int(conn.info.port), database, logins)
    except psycopg.Error as exc:
        raise StoreError(f"clinic init failed: {str(exc).strip().splitlines()[0]}") from exc
    finally:
        conn.close()
    return InitReport(database, [BOARD] + [chair_role(n) for n in range(1, chairs + 1)],
                      [x.role for x in logins], pgpass, server, server_from)
