"""What the listener lets in: who may connect, for how long, how many at once,
and whether a device may change its address.

Each limit is a setting with a safe default; each one that trips says so in
one log line (through the diagnostics), so a clinic can tell a refused
monitor from a silent one.
"""

from __future__ import annotations

import ipaddress
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from monitor.errors import MonitorError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Exposure:
    """The listener's limits. ``allow`` empty: any address may connect (the default
    host is 127.0.0.1, so only this computer can)."""

    frame_timeout: float = 30.0     # s: a started message must end within this
    idle_timeout: float = 3600.0    # s: a connection silent this long is closed
    max_connections: int = 64       # open connections at once; more are closed at once
    allow: tuple[Network, ...] = ()  # addresses or networks that may connect
    pin_devices: bool = True        # a device id stays with the address first heard from
    tls: ssl.SSLContext | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in ("frame_timeout", "idle_timeout"):
            value = getattr(self, name)
            if not value > 0:
                raise MonitorError(f"{_option(name)} {value!r}: must be a number of seconds "
                                   "above 0")
        if self.max_connections < 1:
            raise MonitorError(f"{_option('max_connections')} {self.max_connections!r}: "
                               "must be at least 1")

    def allows(self, host: str) -> bool:
        if not self.allow:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in net for net in self.allow)


def _option(name: str) -> str:
    """A setting as the command line names it: max_connections -> --max-connections."""
    return "--" + name.replace("_", "-")


def parse_allow(items: Iterable[str]) -> tuple[Network, ...]:
    """``10.1.2.3``, ``10.1.2.0/24`` or ``::1``; a bad one is named."""
    out = []
    for item in items:
        try:
            out.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError as exc:
            raise MonitorError(f"--allow {item!r}: write an address or a network, for example "
                               "10.1.2.3 or 10.1.2.0/24") from exc
    return tuple(out)


def server_tls(cert: Path, key: Path | None = None) -> ssl.SSLContext:
    """A TLS server context (TLS 1.2 or later) from a PEM certificate and key."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise MonitorError(f"--tls-cert {cert}: cannot load the certificate and key "
                           f"({exc})") from exc
    return context


class DevicePins:
    """A device id belongs to the host it was first heard from (until the listener
    restarts): another host naming the same device is refused, not recorded."""

    MAX = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hosts: dict[str, str] = {}

    def check(self, device_id: str, host: str) -> str:
        """'' when ``host`` may speak for ``device_id``; else the reason."""
        with self._lock:
            first = self._hosts.get(device_id)
            if first is None:
                if len(self._hosts) >= self.MAX:
                    self._hosts.pop(next(iter(self._hosts)))
                self._hosts[device_id] = host
                return ""
        if first == host:
            return ""
        return (f"device {device_id} was first heard from {first}, not {host}: refused "
                "(another host cannot speak for a device; restart the listener after "
                "moving a monitor)")
