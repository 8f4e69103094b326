"""The chair's writer lease on the clinic server: one ketamine-monitor process
records for a chair at a time, whatever computer it runs on.

The lease is a row per chair (``km_leases``) that only the owner functions touch.
A second process is refused at connect with the first one named (computer,
process id, since when). The same process (its token) takes the lease over after
a reconnect, when its old server connection may not have ended yet; the chain
trigger accepts rows only from the connection holding the lease.
"""

from __future__ import annotations

import os
import secrets
import socket
from typing import Any

import psycopg

from monitor.errors import StoreLockedError


def new_token() -> str:
    """One per log object: identifies this process's claim across reconnects."""
    return secrets.token_hex(16)


def take(conn: psycopg.Connection[Any], token: str) -> None:
    """Take the lease of the connection's chair, or raise ``StoreLockedError`` naming
    the process that holds it."""
    try:
        conn.execute("SELECT km_take_lease(%s, %s, %s)",
                     (socket.gethostname(), os.getpid(), token))
    except psycopg.errors.ObjectInUse as exc:
        text = (exc.diag.message_primary or str(exc)).strip()
        raise StoreLockedError(f"Cannot record here: {text}. Close it there first; one "
                               "process records per chair.") from exc


def release(conn: psycopg.Connection[Any], token: str) -> None:
    """Give the lease back (at close), so the next process need not wait for the
    server to notice this connection is gone."""
    conn.execute("SELECT km_release_lease(%s)", (token,))
