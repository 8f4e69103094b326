"""A site protocol file written to hurt: wrong types, missing sections, huge numbers,
NaN and inf, unknown keys, a table where a number goes or a number where a table goes,
and values that would make an alarm never fire, never come back, stay paused for
years or overflow the rules' clock. Each is refused with a message naming the file and
the key, and the shipped presets stay in force."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monitor.clinical.protocols import load_protocols, shipped
from monitor.clinical.protocols.bounds import BOUNDS

SHIPPED = shipped()


def _load(tmp_path: Path, text: str):
    site = tmp_path / "protocols.toml"
    site.write_text(text, encoding="utf-8")
    return site, load_protocols(site)


def _shipped_in_force(result) -> None:
    for pid, proto in SHIPPED.items():
        assert result.get(pid).data == proto.data, pid


@pytest.mark.hazard("H-340")
@pytest.mark.parametrize(("text", "needle"), [
    # an audio pause of 31 years: every alarm silent
    ("[protocols.chronic-pain-iv.alarms]\naudio_pause_s = 1e9\n", "'alarms.audio_pause_s'"),
    # a device value must persist for years before its limit alarm
    ("[protocols.chronic-pain-iv.alarms]\npersistence_s = 1e9\n", "'alarms.persistence_s'"),
    # a silent monitor never says "no data"
    ("[protocols.chronic-pain-iv.alarms]\nstale_device_s = 1e300\n",
     "'alarms.stale_device_s'"),
    # an acknowledged alarm never comes back (and timedelta overflows: the tick dies)
    ("[protocols.chronic-pain-iv.alarms]\nreannounce_min = 100000000000000000000000\n",
     "'alarms.reannounce_min'"),
    ("[protocols.chronic-pain-iv.alarms]\nescalate_medium_min = 1e12\n",
     "'alarms.escalate_medium_min'"),
    # observations never overdue
    ("[protocols.chronic-pain-iv.cadence]\ninfusing = 1e300\n", "'cadence.infusing'"),
    ("[protocols.chronic-pain-iv.cadence]\nsedation_recovery = 100000\n",
     "'cadence.sedation_recovery'"),
    ("[protocols.chronic-pain-iv.cadence]\noverdue_grace_min = 1e12\n",
     "'cadence.overdue_grace_min'"),
    # discharge never allowed, or the clock overflows
    ("[protocols.chronic-pain-iv.protocol]\nmin_observation_min = 1e300\n",
     "'protocol.min_observation_min'"),
    # rate-of-change and NEWS2 windows of zero: nothing is ever inside them
    ("[protocols.chronic-pain-iv.rate_of_change.sbp]\nwindow_min = 0\nrise = 20\n",
     "'rate_of_change.sbp.window_min'"),
    ("[protocols.chronic-pain-iv.news2]\nwindow_min = 0\n", "'news2.window_min'"),
    # the REMS form's due date overflows the calendar
    ("[protocols.esketamine-nasal.rems]\nfiling_days = 1000000000000000000\n",
     "'rems.filing_days'"),
    # CLINICAL §7: the low-dose ceilings may not be raised out of sight
    ("[protocols.chronic-pain-iv.dose_plan]\nanaesthetic_rate_mg_kg_h = 1e6\n",
     "'dose_plan.anaesthetic_rate_mg_kg_h'"),
    ("[protocols.chronic-pain-iv.dose_plan]\nbolus_ceiling_mg_kg = 5\n",
     "'dose_plan.bolus_ceiling_mg_kg'"),
    # any other number far past any dose or score
    ("[protocols.chronic-pain-iv.dose_plan]\nrate_max = 1e300\n", "'dose_plan.rate_max'"),
])
def test_a_time_or_ceiling_that_would_silence_alarms_is_refused(tmp_path, text, needle):
    site, result = _load(tmp_path, text)
    assert len(result.problems) == 1, result.problems
    assert str(site) in result.problems[0] and needle in result.problems[0]
    assert "allowed" in result.problems[0] and "using the shipped presets" in result.problems[0]
    _shipped_in_force(result)


@pytest.mark.hazard("H-341")
@pytest.mark.parametrize(("text", "needle"), [
    ("[protocols.chronic-pain-iv]\nprotocol = 5\n", "key 'protocol' must be a table"),
    ("[protocols.newone]\nprotocol = \"x\"\n", "key 'protocol' must be a table"),
    ("[protocols.chronic-pain-iv]\nlimits = [1, 2]\n", "key 'limits' must be a table"),
    ("[protocols.chronic-pain-iv]\nalarms = 3\n", "key 'alarms' must be a table"),
    ("protocols = 3\n", "key 'protocols' must be a table"),
    ("[protocols]\nchronic-pain-iv = 3\n", "must be a table"),
    ("version = true\n[protocols.chronic-pain-iv.alarms]\naudio_pause_s = 60\n",
     "key 'version' is True; allowed: 1"),
    ("version = 1.0\n", "key 'version' is 1.0; allowed: 1"),
    ("[protocols.chronic-pain-iv.alarms]\nreannounce_min = \"3\"\n",
     "key 'alarms.reannounce_min' must be int or float"),
    ("[protocols.chronic-pain-iv.alarms]\ncombine_two_medium = 1\n",
     "key 'alarms.combine_two_medium' must be bool"),
    ("[protocols.chronic-pain-iv.alarms]\nsnooze = 5\n", "unknown key 'alarms.snooze'"),
    ("[protocols.chronic-pain-iv.alarms]\naudio_pause_s = nan\n", "is nan"),
    ("[protocols.chronic-pain-iv.cadence]\nrecovery = -inf\n", "is -inf"),
    ("[protocols.chronic-pain-iv.limits]\nsbp = { medium_high = 400, high_high = 500 }\n",
     "key 'limits.sbp': medium_high is 400; allowed 10 to 300"),
    ("[protocols.chronic-pain-iv.limits]\nspo2 = { high_low = 101 }\n", "key 'limits.spo2'"),
    ("[protocols.brandnew.protocol]\nname = \"x\"\nsedation_scale = \"moaas\"\n"
     "dose_mode = \"single\"\nmin_observation_min = 60\n", "missing key 'cadence.infusing'"),
    ("[protocols.chronic-pain-iv.alarms\n", "TOML syntax error"),
])
def test_a_malformed_site_file_is_refused_naming_file_and_key(tmp_path, text, needle):
    """Before the fix a table's place holding a number crashed the start (TypeError)."""
    site, result = _load(tmp_path, text)
    assert len(result.problems) == 1, result.problems
    assert str(site) in result.problems[0] and needle in result.problems[0], result.problems
    _shipped_in_force(result)


def test_a_site_file_of_bytes_that_are_not_text_is_refused(tmp_path):
    site = tmp_path / "protocols.toml"
    site.write_bytes(b"\xff\xfe[protocols]\x00")
    result = load_protocols(site)
    assert len(result.problems) == 1 and str(site) in result.problems[0]
    _shipped_in_force(result)


@pytest.mark.hazard("H-340")
def test_the_bounds_hold_every_shipped_value_and_the_largest_allowed_keep_the_clock():
    for proto in SHIPPED.values():
        assert load_protocols(None).get(proto.id).data == proto.data
    # the widest allowed times stay far inside what the rules' clock can add
    for _key, (_low, high, _ok) in BOUNDS.items():
        assert timedelta(minutes=high) < timedelta(days=365)


def test_a_site_file_at_the_bounds_is_accepted(tmp_path):
    _site, result = _load(tmp_path, "[protocols.chronic-pain-iv.alarms]\n"
                                    "audio_pause_s = 300\nreannounce_min = 30\n"
                                    "persistence_s = 0\n")
    assert result.problems == []
    assert result.get("chronic-pain-iv").alarms.audio_pause_s == 300


def _session_with(store, clock, **alarms: object):
    """A session whose recorded protocol copy carries ``alarms`` (as an older version,
    or a forged file, might have written it): the copy is taken as it is."""
    from monitor.clinical.protocols import Protocol, ProtocolSet
    from monitor.record.recorder import Recorder
    from tests.conftest import OPENING, started
    base = SHIPPED["chronic-pain-iv"].data
    data = {**base, "alarms": {**base["alarms"], **alarms}}
    proto = Protocol("chronic-pain-iv", "Chronic pain", data)
    rec = Recorder.open_new(store, clock, ProtocolSet({"chronic-pain-iv": proto}),
                            dict(OPENING))
    return started(rec)


@pytest.mark.hazard("H-340")
def test_an_old_session_recorded_with_a_time_now_out_of_bounds_still_opens(store, clock):
    """The bounds are for files read now; a record made under an older, wider setting
    still opens with what it recorded (nothing recorded becomes unreadable)."""
    from monitor.clinical.session_protocol import protocol_in_force
    rec = _session_with(store, clock, audio_pause_s=600)
    proto = protocol_in_force(rec.session, load_protocols())
    assert proto.alarms.audio_pause_s == 600


@pytest.mark.hazard("H-340")
def test_a_recorded_copy_past_the_ceiling_is_refused_naming_the_session(store, clock):
    """A copy whose re-announce time overflows the clock (a forged file): the session
    is refused with a message naming it and the key, not opened to fail on every tick
    with an OverflowError."""
    from monitor.errors import ConfigError
    with pytest.raises(ConfigError, match=r"the protocol recorded in session .*"
                                          "'alarms.reannounce_min'"):
        _session_with(store, clock, reannounce_min=10**23)
