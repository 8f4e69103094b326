"""One colour per charted series, for the window and the PDF alike (Okabe-Ito
colour-blind-safe hues). Each has a variant for a dark background and one for
a light background or paper; the hue is the same, only the lightness differs."""

from __future__ import annotations

from monitor.model.parameters import REGISTRY

# parameter: (on dark, on light / paper), from the parameter registry; and the rate.
SERIES_COLOUR: dict[str, tuple[str, str]] = {
    **{p.key: (p.colour, p.print_colour) for p in REGISTRY}, "rate": ("#9AD0F5", "#2F6690")}


def colour(name: str, *, dark: bool) -> str:
    on_dark, on_light = SERIES_COLOUR[name]
    return on_dark if dark else on_light
