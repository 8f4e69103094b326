"""Device data in the FHIR bundle: which samples are a continuous stream, and the
Device resources the Observations point at.

The R4 vital-signs profiles require ``valueQuantity`` for heart rate, respiratory
rate, SpO2 and temperature, and a panel with both components for blood pressure.
A device's spot and episodic values (a cuff cycle, a value sent now and then) are
therefore ordinary vital-signs Observations with a Device reference. Only a true
continuous stream becomes SampledData, coded with its IEEE 11073 MDC code and
outside the vital-signs category, so no profile claims it:

- a parameter the registry marks as streamed (HR, SpO2, RR, EtCO2; never NIBP or
  temperature),
- from one device,
- at least ``STREAM_MIN_SAMPLES`` samples evenly spaced at a period of at most
  ``STREAM_MAX_PERIOD_S`` seconds (a 1 Hz monitor numeric is one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from monitor.model.parameters import PARAMETERS, VITAL, keys
from monitor.model.session import Entry

STREAM_MIN_SAMPLES = 10
STREAM_MAX_PERIOD_S = 5.0
MAX_RUN = 3600  # samples per SampledData Observation (an hour at 1 Hz)
TIMING_TOLERANCE_S = 1e-3
STREAMABLE = tuple(k for k in keys(group=VITAL) if PARAMETERS[k].streamed)
MDC_SYSTEM = "urn:iso:std:iso:11073:10101"
DEVICE_ID_SYSTEM = "urn:ketamine-monitor:device-id"


@dataclass(frozen=True)
class Stream:
    """An evenly spaced run of one parameter's samples from one device."""

    device: str
    key: str
    period_s: float
    entries: tuple[Entry, ...]

    @property
    def start(self) -> datetime:
        return self.entries[0].observed_at

    @property
    def end(self) -> datetime:
        return self.entries[-1].observed_at


def _even_runs(samples: list[Entry]) -> list[tuple[float, list[Entry]]]:
    """Maximal runs of samples spaced by one constant period (time order kept)."""
    runs: list[tuple[float, list[Entry]]] = []
    run: list[Entry] = []
    period = 0.0
    for e in samples:
        if run:
            gap = (e.observed_at - run[-1].observed_at).total_seconds()
            if len(run) == 1:
                period = gap
            if period <= 0 or abs(gap - period) > TIMING_TOLERANCE_S:
                # A pair that breaks at once was no run: its second sample may
                # start the next one (a lone spot value just before a stream).
                keep = run[1:] if len(run) == 2 else []
                runs.append((period, run[:1] if keep else run))
                run = keep
                period = (e.observed_at - keep[0].observed_at).total_seconds() if keep else 0.0
                if period <= 0:
                    period = 0.0
        run.append(e)
    if run:
        runs.append((period, run))
    return runs


def find_streams(entries: Iterable[Entry]) -> list[Stream]:
    """The continuous streams among device vitals entries (in time order), each cut
    into pieces of at most ``MAX_RUN`` samples. Every other device value is a spot
    value."""
    by_source: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        for key in STREAMABLE:
            if e.payload.get(key) is not None:
                by_source.setdefault((e.event.author, key), []).append(e)
    streams: list[Stream] = []
    for (device, key), samples in by_source.items():
        for period, run in _even_runs(samples):
            if len(run) < STREAM_MIN_SAMPLES or not 0 < period <= STREAM_MAX_PERIOD_S:
                continue
            for i in range(0, len(run), MAX_RUN):
                streams.append(Stream(device, key, period, tuple(run[i:i + MAX_RUN])))
    return streams


def streamed_keys(streams: Iterable[Stream]) -> dict[int, set[str]]:
    """For each entry (by sequence number) the parameters its streams carry."""
    out: dict[int, set[str]] = {}
    for s in streams:
        for e in s.entries:
            out.setdefault(e.seq, set()).add(s.key)
    return out


def mdc_code(key: str) -> dict[str, object]:
    """The stream's code: the parameter's first-ranked MDC code (no LOINC, so the
    vital-signs profiles do not apply to SampledData)."""
    p = PARAMETERS[key]
    mdc = min(p.mdc, key=lambda m: m.rank)
    return {"coding": [{"system": MDC_SYSTEM, "code": str(mdc.code)}],
            "text": f"{p.name} (continuous device stream)"}


def device_names(authors: Iterable[str], deidentify: bool) -> dict[str, str]:
    """How each device is named in the file: its id, or when de-identified a
    pseudonym (``device-1`` heard first): a serial number is an identifier too."""
    names: dict[str, str] = {}
    for a in authors:
        if a not in names:
            names[a] = f"device-{len(names) + 1}" if deidentify else a
    return names


def device_resource(name: str, deidentify: bool) -> dict[str, object]:
    res: dict[str, object] = {"resourceType": "Device",
                              "deviceName": [{"name": name, "type": "other"}],
                              "type": {"text": "bedside monitor (HL7 device feed)"}}
    if not deidentify:
        res["identifier"] = [{"system": DEVICE_ID_SYSTEM, "value": name}]
    return res
