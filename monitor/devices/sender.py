"""A plain MLLP client: sends messages as a bedside monitor would and reads
each ACK. Used by ``replay``, the simulated monitor and the benchmarks."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from pathlib import Path

from monitor.devices.ack import unescape
from monitor.errors import MonitorError

START, END = b"\x0b", b"\x1c\r"
_ACK = re.compile(r"(?:^|\r)MSA\|([A-Z]{2})\|([^|\r]*)(?:\|([^|\r]*))?")


@dataclass(frozen=True)
class Ack:
    code: str          # AA, AE, AR
    control_id: str
    text: str
    raw: str


def parse_ack(raw: str) -> Ack:
    m = _ACK.search(raw)
    if not m:
        raise MonitorError(f"the answer is not an HL7 ACK: {raw[:80]!r}")
    return Ack(m.group(1), unescape(m.group(2)), unescape(m.group(3) or ""), raw)


class MllpSender:
    """One connection to an MLLP listener; ``send`` waits for the ACK."""

    def __init__(self, host: str, port: int, *, timeout: float = 10.0) -> None:
        try:
            self._sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            raise MonitorError(f"Cannot connect to {host}:{port}: {exc}") from exc
        self._buf = bytearray()

    def send(self, message: str | bytes) -> Ack:
        data = message.encode("utf-8") if isinstance(message, str) else message
        self.send_raw(START + data + END)
        return self.read_ack()

    def send_raw(self, data: bytes) -> None:
        self._sock.sendall(data)

    def read_ack(self) -> Ack:
        while True:
            end = self._buf.find(END)
            if end >= 0:
                frame = bytes(self._buf[:end])
                del self._buf[:end + len(END)]
                return parse_ack(frame[frame.find(START) + 1:].decode("utf-8", "replace"))
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError as exc:
                raise MonitorError("no ACK from the listener in time") from exc
            if not chunk:
                raise MonitorError("the listener closed the connection without an ACK")
            self._buf += chunk

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> MllpSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_messages(path: Path) -> list[str]:
    """Messages from a recorded file: MLLP-framed, or plain text where every line
    that begins with MSH starts a new message (segments end with CR or LF)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MonitorError(f"Cannot read {path}: {exc.strerror}") from exc
    text = data.decode("utf-8", "replace")
    if START.decode() in text:
        parts = [p.split(END.decode())[0] for p in text.split(START.decode())[1:]]
        return [p for p in parts if p.strip()]
    messages: list[list[str]] = []
    for line in re.split(r"\r\n|\r|\n", text):
        if line.startswith("MSH"):
            messages.append([line])
        elif line.strip() and messages:
            messages[-1].append(line)
    if not messages:
        raise MonitorError(f"{path} holds no HL7 message (no line begins with MSH)")
    return ["\r".join(m) + "\r" for m in messages]
