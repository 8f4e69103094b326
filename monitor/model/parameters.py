"""The one registry of measured parameters.

Each parameter is defined once here: its plausible range and decimals, unit and
UCUM code, LOINC coding, IEEE 11073 MDC code(s), whether a nurse types it (a field
of the vitals row, or of the assessment) or only a device sends it, whether it takes
alarm limits, its chart lane, right-hand axis and colour, its label and short label,
whether the clinic board's tile shows it, and its place in the display order (the
order of ``REGISTRY``: the vitals row's fields are in it). Validation, the session
fold, the alarm rules, the value rail, the charts and their key, the vitals row, the
amendment form, the limit editor, the board, the four exporters and the HL7 device
mapping all derive their lists from it: a parameter added here reaches every one of
them (tests/added_parameter follows one).
"""

from __future__ import annotations

from dataclasses import dataclass, field

VITAL = "vital"  # recorded in a vitals set (typed by a nurse, or sent by a device)
SCORE = "score"  # recorded in an assessment (typed by a nurse)
BODY = "body"    # recorded once on the opening (weight)


@dataclass(frozen=True)
class Mdc:
    """One IEEE 11073 code that gives a parameter over HL7 (matched by number)."""

    code: int
    rank: int = 0           # lower wins when two codes give the parameter at one time
    episodic: bool = False  # NIBP: one reading per cuff cycle, repeated in every message


@dataclass(frozen=True)
class Lane:
    """A chart lane: its title, scale, the parameter whose limits it draws, its ticks."""

    key: str
    title: str
    scale: tuple[float, float]
    limits_from: tuple[str, ...] = ()  # the parameters whose alarm limits it draws
    ticks: tuple[float, ...] = ()


@dataclass(frozen=True)
class VitalTrack:
    """How the .vital export (VitalDB format) names and scales the parameter's track."""

    name: str
    low: float
    high: float
    colour: int  # 0xAARRGGBB


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str                # short, on screens and in tables ("SpO2")
    name: str                 # long, in messages ("Respiratory rate")
    unit: str                 # shown to nurses
    low: float                # plausible range: outside it a value is refused
    high: float
    decimals: int = 0
    group: str = VITAL
    ucum: str | None = None   # FHIR unit code
    loinc: str | None = None
    loinc_display: str | None = None  # the coding's display; its text when there is no code
    required: bool = False    # a nurse's vitals set says why it is blank
    manual: bool = True       # typed by a nurse: a field of the vitals row (or assessment)
    mdc: tuple[Mdc, ...] = ()  # sent by a device under these codes
    mdc_unit: str = ""        # "266016^MDC_DIM_MMHG": the MDC unit a device sends
    ucum_aliases: tuple[str, ...] = ()  # other UCUM spellings gateways use
    limits: bool = False      # the protocol may set alarm limits on it
    streamed: bool = False    # a monitor streams it: a persistence delay applies to alarms
    lane: str | None = None   # chart lane on screen
    print_lane: str | None = None  # chart lane in the PDF report
    rail: str | None = None   # row of the value rail that shows it
    colour: str = "#BBBBBB"   # on the screen's dark background
    print_colour: str = "#777777"  # on white paper
    legend: str = ""          # chart legend text in the PDF (default: label)
    short: str = ""           # in tight places: the chart key, the read-out (default: label)
    right_axis: tuple[float, ...] = ()  # drawn against its lane's right axis, these ticks
    board: bool = False       # shown on the clinic board's tile (one rail row, one value)
    extra_codings: tuple[tuple[str, str], ...] = field(default=())  # more LOINC (code, display)
    vital: VitalTrack | None = None  # its track in the .vital export

    @property
    def device(self) -> bool:
        return bool(self.mdc)

    @property
    def mdc_units(self) -> frozenset[str]:
        return frozenset({self.mdc_unit.split("^")[0]} if self.mdc_unit else set())

    @property
    def ucum_units(self) -> frozenset[str]:
        return frozenset({u for u in (self.ucum, *self.ucum_aliases) if u})

    @property
    def legend_text(self) -> str:
        return self.legend or self.label

    @property
    def short_text(self) -> str:
        return self.short or self.label

    @property
    def titled(self) -> str:
        """Its label with its unit, as a monitor names it: "EtCO2 (mmHg)", "MOAA/S"."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


_MMHG = "266016^MDC_DIM_MMHG"
_PER_MIN = "/min"

REGISTRY: tuple[Parameter, ...] = (
    Parameter("sbp", "SBP", "Systolic BP", "mmHg", 10, 300, ucum="mm[Hg]", loinc="8480-6",
              loinc_display="Systolic blood pressure", required=True,
              mdc=(Mdc(150021, 0, True), Mdc(150301, 1, True)), mdc_unit=_MMHG, limits=True,
              lane="bp", print_lane="bp", rail="bp", colour="#E69F00", print_colour="#B86E00",
              legend="systolic", board=True,
              vital=VitalTrack("NIBP_SBP", 0, 250, 0xFFFF0000)),
    Parameter("dbp", "DBP", "Diastolic BP", "mmHg", 20, 200, ucum="mm[Hg]", loinc="8462-4",
              loinc_display="Diastolic blood pressure", required=True,
              mdc=(Mdc(150022, 0, True), Mdc(150302, 1, True)), mdc_unit=_MMHG, limits=True,
              lane="bp", print_lane="bp", rail="bp", colour="#56B4E9", print_colour="#0072B2",
              legend="diastolic", board=True,
              vital=VitalTrack("NIBP_DBP", 0, 250, 0xFFFF0000)),
    # MAP is sent, or derived from SBP and DBP (validation fills it in): the vitals row
    # does not ask for it (validation still takes one typed in an import or a script).
    Parameter("map", "MAP", "Mean BP", "mmHg", 25, 250, ucum="mm[Hg]", loinc="8478-0",
              loinc_display="Mean blood pressure", manual=False,
              mdc=(Mdc(150023, 0, True), Mdc(150303, 1, True)), mdc_unit=_MMHG,
              lane="bp", print_lane="bp", rail="bp", colour="#B8B8B8", print_colour="#666666",
              legend="mean",
              vital=VitalTrack("NIBP_MBP", 0, 250, 0xFFFF0000)),
    Parameter("hr", "HR", "Heart rate", _PER_MIN, 0, 250, ucum=_PER_MIN, loinc="8867-4",
              loinc_display="Heart rate", required=True,
              # Rank (IEEE 11073-10101, the IHE PCD Rosetta terminology): ECG rate
              # 147842; oximeter pulse 149530; cuff pulse 149546; MDC_PULS_RATE 149514;
              # pulse from the arterial line 149522 (Comen labels it MDC_PULS_RATE).
              mdc=(Mdc(147842, 0), Mdc(149530, 1), Mdc(149546, 2), Mdc(149514, 3),
                   Mdc(149522, 4)),
              mdc_unit="264864^MDC_DIM_BEAT_PER_MIN", ucum_aliases=("{beat}/min", "{beats}/min"),
              limits=True, streamed=True, lane="hr", print_lane="hr", rail="hr", colour="#2BC48F",
              print_colour="#007A5A", board=True,
              vital=VitalTrack("HR", 0, 200, 0xFF00FF00)),
    Parameter("spo2", "SpO2", "SpO2", "%", 0, 100, ucum="%", loinc="2708-6",
              loinc_display="Oxygen saturation in Arterial blood", required=True,
              mdc=(Mdc(150456),), mdc_unit="262688^MDC_DIM_PERCENT", limits=True, streamed=True,
              lane="spo2", print_lane="resp", rail="spo2", colour="#56B4E9", print_colour="#0072B2",
              board=True,
              extra_codings=(("59408-5",
                              "Oxygen saturation in Arterial blood by Pulse oximetry"),),
              vital=VitalTrack("PLETH_SPO2", 50, 100, 0xFF87CEEB)),
    Parameter("rr", "RR", "Respiratory rate", _PER_MIN, 0, 70, ucum=_PER_MIN, loinc="9279-1",
              loinc_display="Respiratory rate", required=True,
              mdc=(Mdc(151562), Mdc(151578, 1)),  # thoracic impedance second
              mdc_unit="264928^MDC_DIM_RESP_PER_MIN",
              ucum_aliases=("{breath}/min", "{breaths}/min", "{resp}/min"), limits=True,
              streamed=True,
              lane="rr", print_lane="resp", rail="rr", colour="#CC79A7", print_colour="#A0457D",
              vital=VitalTrack("RR", 0, 40, 0xFFFFFF00)),
    Parameter("temp", "Temp", "Temperature", "°C", 30.0, 43.0, 1, ucum="Cel", loinc="8310-5",
              loinc_display="Body temperature", required=True,
              # MDC_TEMP first, MDC_TEMP_BODY second, axillary third.
              mdc=(Mdc(150344), Mdc(150364, 1), Mdc(188496, 2)),
              mdc_unit="268192^MDC_DIM_DEGC", limits=True, rail="temp", colour="#F08A4B",
              print_colour="#B34700",
              vital=VitalTrack("BT", 30, 43, 0xFFFFFFFF)),
    Parameter("etco2", "EtCO2", "EtCO2", "mmHg", 0, 150, ucum="mm[Hg]", loinc="19889-5",
              loinc_display="Carbon dioxide [Partial pressure] in Exhaled gas --at end "
                            "expiration",
              mdc=(Mdc(151708),), mdc_unit=_MMHG, limits=True, streamed=True, lane="rr",
              print_lane="resp",
              rail="etco2", colour="#F0E442", print_colour="#7A6A00", right_axis=(0, 30, 60),
              vital=VitalTrack("ETCO2", 0, 60, 0xFFFFFF00)),
    Parameter("weight", "Weight", "Weight", "kg", 20, 300, 1, group=BODY, ucum="kg",
              loinc="29463-7", loinc_display="Body weight"),
    Parameter("moaas", "MOAA/S", "MOAA/S", "", 0, 5, group=SCORE, ucum="{score}",
              loinc_display="MOAA/S sedation score (0-5)", limits=True,
              lane="sed", print_lane="scores", rail="sedation", colour="#56B4E9",
              print_colour="#0072B2",
              vital=VitalTrack("MOAAS", 0, 5, 0xFFFFFFFF)),
    Parameter("rass", "RASS", "RASS", "", -5, 4, group=SCORE, ucum="{score}",
              loinc_display="RASS sedation-agitation score", limits=True,
              lane="sed", rail="sedation", colour="#56B4E9", print_colour="#0072B2",
              vital=VitalTrack("RASS", -5, 4, 0xFFFFFFFF)),
    Parameter("pain", "Pain NRS", "Pain NRS", "", 0, 10, group=SCORE, ucum="{score}",
              loinc="72514-3",
              loinc_display="Pain severity - 0-10 verbal numeric rating [Score] - Reported",
              limits=True, lane="scores", print_lane="scores", rail="pain", colour="#F0E442",
              print_colour="#7A6A00", legend="pain", short="Pain",
              vital=VitalTrack("PAIN_NRS", 0, 10, 0xFFFFFFFF)),
    Parameter("dissociation", "Dissociation 0-10", "Dissociation rating", "", 0, 10,
              group=SCORE, ucum="{score}", loinc_display="Dissociation rating (0-10)",
              limits=True, lane="scores", print_lane="scores", rail="dissociation",
              colour="#CC79A7", print_colour="#A0457D", legend="dissociation", short="Dissoc.",
              vital=VitalTrack("DISSOCIATION", 0, 10, 0xFFFFFFFF)),
    Parameter("cadss6_total", "CADSS-6", "CADSS-6 total", "", 0, 24, group=SCORE,
              ucum="{score}", loinc_display="CADSS-6 dissociation total (0-24)", manual=False,
              limits=True, lane="scores", rail="dissociation", right_axis=(0, 12, 24),
              colour="#F08A4B", print_colour="#B34700",
              vital=VitalTrack("CADSS6", 0, 24, 0xFFFFFFFF)),
)
PARAMETERS: dict[str, Parameter] = {p.key: p for p in REGISTRY}

LANES: tuple[Lane, ...] = (
    Lane("bp", "BP", (40, 220), ("sbp", "dbp"), (40, 80, 120, 160, 200)),
    Lane("hr", "HR", (30, 180), ("hr",), (50, 100, 150)),
    Lane("spo2", "SpO2", (80, 100), ("spo2",), (90, 100)),
    # RR 0–40 on the left axis; EtCO2 (capnography, when monitored) on the right.
    Lane("rr", "RR", (0, 40), ("rr",), (10, 20, 30)),
    Lane("sed", "MOAA/S", (0, 5), ("moaas", "rass"), (0, 5)),
    # Pain and dissociation 0–10 on the left axis, the CADSS-6 total on the right.
    Lane("scores", "0–10", (0, 10), (), (0, 5, 10)),
)
PRINT_LANES: tuple[Lane, ...] = (
    Lane("bp", "Blood pressure (mmHg)", (40, 220), ("sbp", "dbp")),
    Lane("hr", "Heart rate (/min)", (30, 160), ("hr",)),
    Lane("resp", "SpO2 (%), RR (/min), EtCO2 (mmHg)", (0, 100), ("spo2",)),
    Lane("scores", "Sedation, dissociation, pain", (0, 10)),
)


def keys(*, group: str | None = None, **flags: bool) -> tuple[str, ...]:
    """Parameter keys in display order, filtered by group and by flags
    (``keys(group=VITAL, required=True)``, ``keys(limits=True)``)."""
    return tuple(p.key for p in REGISTRY
                 if (group is None or p.group == group)
                 and all(getattr(p, name) == want for name, want in flags.items()))


def in_lane(lane: str, *, printed: bool = False) -> tuple[str, ...]:
    """The parameters a chart lane draws, in display order."""
    return tuple(p.key for p in REGISTRY if (p.print_lane if printed else p.lane) == lane)


def in_rail(row: str) -> tuple[str, ...]:
    return tuple(p.key for p in REGISTRY if p.rail == row)


def rail_rows() -> tuple[str, ...]:
    """The value rail's rows in display order (a row shows one or more parameters)."""
    return tuple(dict.fromkeys(p.rail for p in REGISTRY if p.rail))


def rail_row_of(key: str) -> str:
    """The rail row that shows a parameter. Parameters of one row are one measurement
    (or one scale family): they share one alarm, which colours that row."""
    p = PARAMETERS.get(key)
    return p.rail if p is not None and p.rail else key


def label(key: str) -> str:
    p = PARAMETERS.get(key)
    return p.label if p else key


def unit(key: str) -> str:
    p = PARAMETERS.get(key)
    return p.unit if p else ""


def fmt(value: float) -> str:
    """A value as a nurse would write it: 128, 36.8, -2."""
    return f"{value:g}" if value != int(value) else str(int(value))
