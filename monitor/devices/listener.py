"""The MLLP listener: python-hl7's asyncio server on its own thread.

Frames are reassembled from any split of the byte stream; each message gets
exactly one ACK (AA, or AE/AR naming the reason); a bad message never drops
the connection; a message over ``max_bytes`` is refused with AR and its
bytes are skipped up to its end block. Parsed samples go to the owner thread
through an ``Inbox``: this thread never touches a recorder. A fault of ours in
handling a message (not the sender's) answers AE and is handed to
``threading.excepthook`` (the window shows it); the listener serves on.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, tzinfo
from typing import Any

import hl7.mllp

from monitor.clock import Clock
from monitor.devices.ack import AckIds, build_ack
from monitor.devices.delivery import Delivery, Outcome
from monitor.devices.diagnostics import Diagnostics
from monitor.devices.exposure import DevicePins, Exposure
from monitor.devices.pcd01 import Parsed, Rejected, header_echo, header_ids, parse_message
from monitor.errors import MonitorError, hand_on
from monitor.record.inbox import Inbox

log = logging.getLogger(__name__)

START, END = b"\x0b", b"\x1c\r"
MAX_MESSAGE = 1 << 20   # 1 MiB
DEFAULT_PORT = 2575     # the port IANA registered for HL7 over MLLP
CHUNK = 65536
IN_FLIGHT = 256      # messages parsed ahead of their ACK on one connection


class MllpListener:
    """Listens on ``host:port`` (127.0.0.1 unless a host is set) until ``stop``."""

    def __init__(self, inbox: Inbox[Delivery], diagnostics: Diagnostics, clock: Clock, *,
                 host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 max_bytes: int = MAX_MESSAGE, clinic_tz: tzinfo = UTC,
                 answer_within: float = 10.0, exposure: Exposure | None = None) -> None:
        self.inbox = inbox
        self.diagnostics = diagnostics
        self.clock = clock
        self.host = host
        self.port = port
        self.max_bytes = max_bytes
        self.clinic_tz = clinic_tz
        self.answer_within = answer_within
        self.exposure = exposure or Exposure()
        self._ack_ids = AckIds()
        self._pins = DevicePins()
        self._open = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> int:
        """Bind and serve on a background thread; returns the bound port."""
        self._thread = threading.Thread(target=self._run, name="mllp-listener", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            self._thread.join()
            raise MonitorError(f"Cannot listen on {self.host}:{self.port}: {self._failure}")
        return self.port

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = loop.run_until_complete(hl7.mllp.start_hl7_server(
                self._serve, self.host, self.port, limit=CHUNK * 2, ssl=self.exposure.tls))
            self.port = self._server.sockets[0].getsockname()[1]
        # OSError, and OverflowError for a port past 65535: start() says which, and
        # never waits for a thread that died
        except Exception as exc:  # noqa: BLE001 - handed to start() on the caller's thread
            self._failure = exc
            self._ready.set()
            loop.close()
            return
        log.info("listening for HL7 (MLLP%s) on %s:%s",
                 " over TLS" if self.exposure.tls else "", self.host, self.port)
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the server and every connection; returns when the thread has ended."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return

        async def _shutdown() -> None:
            if self._server is not None:
                self._server.close()
            # Connections first (each logs its end), then messages still waiting.
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)
            loop.stop()

        asyncio.run_coroutine_threadsafe(_shutdown(), loop)
        thread.join(timeout)

    # -- one connection ----------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        addr = writer.get_extra_info("peername")
        peer = f"{addr[0]}:{addr[1]}" if isinstance(addr, tuple) else str(addr)
        host = str(addr[0]) if isinstance(addr, tuple) else peer
        refusal = self._admit(host)
        if refusal:
            self.diagnostics.refused(peer, refusal)
            writer.close()
            if task is not None:
                self._tasks.discard(task)
            return
        self._open += 1
        self.diagnostics.connected(peer)
        why = ""
        try:
            why = await self._read_frames(peer, reader, writer)
        except asyncio.CancelledError:
            why = "listener stopped"
        except (ConnectionError, OSError) as exc:
            why = f"connection lost ({exc})"
        except Exception as exc:  # noqa: BLE001 - a fault of ours: shown, then serve on
            why = f"closed: internal error in the listener ({type(exc).__name__})"
            hand_on(exc)
        finally:
            self._open -= 1
            self.diagnostics.disconnected(peer, why)
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _read_frames(self, peer: str, reader: asyncio.StreamReader,
                           writer: asyncio.StreamWriter) -> str:
        # Messages are answered in order; a client that sends without waiting for
        # each ACK gets its messages parsed ahead and recorded in batches.
        answers: asyncio.Queue[asyncio.Future[bytes | None] | None] = asyncio.Queue(IN_FLIGHT)
        sending = asyncio.ensure_future(self._send_answers(answers, writer))
        try:
            why = await self._split(peer, reader, answers)
        except BaseException:
            sending.cancel()
            raise
        await answers.put(None)
        await sending
        return why

    async def _send_answers(self, answers: asyncio.Queue[asyncio.Future[bytes | None] | None],
                            writer: asyncio.StreamWriter) -> None:
        broken = False
        while (answer := await answers.get()) is not None:
            data = await answer
            if data is None or broken:
                continue
            try:
                writer.write(START + data + END)
                await writer.drain()
            except (ConnectionError, OSError):
                broken = True   # keep awaiting: the owner may still record what arrived

    async def _split(self, peer: str, reader: asyncio.StreamReader,
                     answers: asyncio.Queue[asyncio.Future[bytes | None] | None]) -> str:
        buf = bytearray()
        skipping = False   # inside an oversized message, waiting for its end block
        limits = self.exposure
        while True:
            partial = bool(buf.strip(b" \r\n\t")) and not skipping
            wait = limits.frame_timeout if partial else limits.idle_timeout
            try:
                chunk = await asyncio.wait_for(reader.read(CHUNK), wait)
            except TimeoutError:
                if partial:
                    return (f"message started but not ended within {wait:g} s (frame "
                            f"timeout): {len(buf)} bytes discarded, nothing recorded from them")
                return f"idle for {wait:g} s (idle timeout): closed"
            if not chunk:
                if buf.strip(b" \r\n\t") and not skipping:
                    return (f"closed mid-message: {len(buf)} bytes without an end block "
                            "discarded, nothing recorded from them")
                return ""
            search_from = max(0, len(buf) - 1)
            buf += chunk
            while True:
                end = buf.find(END, search_from)
                search_from = 0
                if end < 0:
                    if len(buf) > self.max_bytes + 1:
                        if not skipping:
                            await answers.put(self._done(self._oversized(peer, bytes(buf[:4096]))))
                            skipping = True
                        del buf[:-1]   # keep a possible first byte of the end block
                    break
                frame = bytes(buf[:end])
                del buf[:end + len(END)]
                if skipping:
                    skipping = False
                elif len(frame) > self.max_bytes + 1:
                    await answers.put(self._done(self._oversized(peer, frame[:4096])))
                else:
                    await answers.put(asyncio.ensure_future(self._frame(peer, frame)))

    @staticmethod
    def _done(data: bytes | None) -> asyncio.Future[bytes | None]:
        future: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        future.set_result(data)
        return future

    def _oversized(self, peer: str, head: bytes) -> bytes:
        data = head[head.find(START) + 1:]
        control_id, sender = header_ids(data)
        return self._refuse(peer, Rejected(
            f"message larger than {self.max_bytes} bytes: refused unread",
            control_id=control_id, sender=sender, echo=header_echo(data)))

    async def _frame(self, peer: str, frame: bytes) -> bytes | None:
        """The ACK of one frame: exactly one, even when handling it fails."""
        try:
            return await self._answer(peer, frame)
        except Exception as exc:  # noqa: BLE001 - a fault of ours, not the sender's: shown
            hand_on(exc)
            data = frame[frame.rfind(START) + 1:]
            control_id, sender = header_ids(data)
            return self._refuse(peer, Rejected(
                f"internal error in the listener ({type(exc).__name__}): this message may "
                "not be recorded; the monitor's screen is the reference",
                control_id=control_id, sender=sender, err_code="207", ack_code="AE",
                echo=header_echo(data)))

    async def _answer(self, peer: str, frame: bytes) -> bytes | None:
        start = frame.rfind(START)
        if start < 0:
            self.diagnostics.error(peer, f"{len(frame)} bytes ending in an end block but with no "
                                         "start block (0x0B): ignored, not HL7 over MLLP")
            return None
        if frame[:start].strip(b" \r\n\t"):
            self.diagnostics.error(peer, f"{start} bytes before the start block discarded "
                                         "(noise or an unfinished message)")
        try:
            parsed = parse_message(frame[start + 1:], self.clinic_tz)
        except Rejected as rejected:
            return self._refuse(peer, rejected)
        if self.exposure.pin_devices:
            moved = self._pins.check(parsed.device_id, peer.rsplit(":", 1)[0])
            if moved:
                return self._refuse(peer, Rejected(moved, control_id=parsed.control_id,
                                                   sender=parsed.sender, echo=parsed.echo))
        self.diagnostics.heard(peer, parsed)
        outcome = await self._deliver(parsed, peer)
        problems = [*outcome.problems]
        if problems:
            self.diagnostics.error(peer, f"message {parsed.control_id}: " + "; ".join(problems),
                                   parsed.device_id)
        notes = [*problems] if problems else [n for n in (outcome.note,) if n]
        unmapped = {c: lb for c, lb in parsed.unknown.items() if c != "(empty)"}
        if unmapped:
            notes.append(unmapped_note(unmapped))
        return build_ack("AE" if problems else "AA", parsed.control_id, parsed.sender,
                         self.clock.now(), self._ack_id(), "; ".join(notes),
                         echo=parsed.echo)

    def _refuse(self, peer: str, rejected: Rejected) -> bytes:
        self.diagnostics.error(peer, f"message {rejected.control_id or '(no control ID)'} "
                                     f"refused: {rejected.reason}")
        return build_ack(rejected.ack_code, rejected.control_id, rejected.sender,
                         self.clock.now(), self._ack_id(), rejected.reason, rejected.err_code,
                         rejected.echo)

    async def _deliver(self, parsed: Parsed, peer: str) -> Outcome:
        if not parsed.samples:
            return Outcome(0, list(parsed.problems), "no mapped values in this message")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Outcome] = loop.create_future()
        delivery = Delivery(parsed, peer, loop, future)
        if not self.inbox.put(delivery):
            return Outcome(0, [*parsed.problems,
                               "not recorded: the recorder is busy (inbox full); send again"])
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.answer_within)
        except TimeoutError:
            if delivery.expire():
                return Outcome(0, [*parsed.problems, "not recorded: the recorder did not answer "
                                                     f"within {self.answer_within:g} s"])
            return await future

    def _ack_id(self) -> str:
        return self._ack_ids.next()

    def _admit(self, host: str) -> str:
        """'' when ``host`` may connect now; else the reason it is turned away."""
        if not self.exposure.allows(host):
            return (f"address {host} is not in the allow-list: connection closed, "
                    "nothing read")
        if self._open >= self.exposure.max_connections:
            return (f"{self._open} connections already open (connection cap "
                    f"{self.exposure.max_connections}): connection closed, nothing read")
        return ""


def unmapped_note(unknown: dict[str, str]) -> str:
    """MSA-3 text naming codes that were not recorded because they are not mapped."""
    names = [f"{code}" + (f" {label}" if label else "") for code, label in unknown.items()]
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return f"not mapped, not recorded: {shown}"
