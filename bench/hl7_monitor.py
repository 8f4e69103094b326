"""A bedside monitor for the HL7 benchmarks, in its own process (as on the ward):
sends PCD-01 messages to a listener on 127.0.0.1 and prints what it measured.

  python -m bench.hl7_monitor PORT COUNT FIRST_TIME_ISO DEVICE wait|pipelined|paced [FROM]

wait: each message waits for its ACK; pipelined: 1000 at a time, then their
ACKs; paced: one message a second stamped with the wall clock, as at the bedside;
ids: as wait, each message from another device id (DEVICE's first 12 digits and
the message's number). FROM: the number of the first message (default 0), so that
several runs continue one stream.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta

from monitor.devices.messages import pcd01_message
from monitor.devices.sender import END, START, MllpSender

BATCH = 1000   # pipelined mode: messages written before their ACKs are read


def main() -> int:
    port, count, first, device, mode = (int(sys.argv[1]), int(sys.argv[2]),
                                        datetime.fromisoformat(sys.argv[3]), sys.argv[4],
                                        sys.argv[5])
    offset = int(sys.argv[6]) if len(sys.argv) > 6 else 0

    def message(i: int) -> str:
        i += offset
        when = datetime.now(UTC) if mode == "paced" else first + timedelta(milliseconds=250 * i)
        sender_id = f"{device[:12]}{i:04X}" if mode == "ids" else device
        return pcd01_message(sender_id, f"B{i}", when,
                             {147842: 60 + i % 40, 150456: 95 + i % 5})

    codes: dict[str, int] = {}
    latencies: list[float] = []
    t0 = time.perf_counter()
    with MllpSender("127.0.0.1", port, timeout=60) as sender:
        if mode in ("wait", "paced", "ids"):
            for i in range(count):
                if mode == "paced":
                    time.sleep(max(0.0, t0 + i - time.perf_counter()))
                text = message(i)
                t = time.perf_counter()
                ack = sender.send(text)
                latencies.append((time.perf_counter() - t) * 1000)
                codes[ack.code] = codes.get(ack.code, 0) + 1
        else:
            for start in range(0, count, BATCH):
                n = min(BATCH, count - start)
                sender.send_raw(b"".join(START + message(start + k).encode() + END
                                         for k in range(n)))
                for _ in range(n):
                    code = sender.read_ack().code
                    codes[code] = codes.get(code, 0) + 1
    print(json.dumps({"seconds": time.perf_counter() - t0, "codes": codes,
                      "latencies_ms": latencies}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
