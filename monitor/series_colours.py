"""One colour per charted series, for the window and the PDF alike (Okabe-Ito
colour-blind-safe hues). Each has a variant for a dark background and one for
a light background or paper; the hue is the same, only the lightness differs."""

from __future__ import annotations

# parameter: (on dark, on light / paper)
SERIES_COLOUR: dict[str, tuple[str, str]] = {
    "sbp": ("#E69F00", "#B86E00"),
    "dbp": ("#56B4E9", "#0072B2"),
    "map": ("#B8B8B8", "#666666"),
    "hr": ("#2BC48F", "#007A5A"),
    "spo2": ("#56B4E9", "#0072B2"),
    "rr": ("#CC79A7", "#A0457D"),
    "temp": ("#F08A4B", "#B34700"),
    "moaas": ("#56B4E9", "#0072B2"),
    "rass": ("#56B4E9", "#0072B2"),
    "pain": ("#F0E442", "#7A6A00"),
    "dissociation": ("#CC79A7", "#A0457D"),
    "cadss6_total": ("#F08A4B", "#B34700"),
    "rate": ("#9AD0F5", "#2F6690"),
    "etco2": ("#F0E442", "#7A6A00"),
}


def colour(name: str, *, dark: bool) -> str:
    on_dark, on_light = SERIES_COLOUR[name]
    return on_dark if dark else on_light
