"""Where the chart's event labels go: each on the first free row, or, when no row has
room, counted into the label before it ("Nausea +2", every text on hover). Pure
arithmetic on pixels, so the same events give the same labels however they arrived
(live one by one, or all at once in a window reopened on the same database)."""

from __future__ import annotations

from dataclasses import dataclass, field

GAP = 4.0  # pixels kept between two labels on a row


@dataclass(frozen=True)
class Box:
    """One event label: where its line is and how wide its text is (pixels)."""

    x: float
    width: float


@dataclass
class Placement:
    """Where one label goes: ``row`` (None when it is counted into ``group``'s label),
    drawn to the left of its line when ``flip``; ``members`` are the indices of the
    labels a shown label stands for (itself first)."""

    row: int | None = None
    flip: bool = False
    group: int | None = None
    members: list[int] = field(default_factory=list)


def place(boxes: list[Box], rows: int, taken: list[list[tuple[float, float]]],
          edge: float, mark_width: float) -> list[Placement]:
    """Place ``boxes`` (in x order) on ``rows`` rows; ``taken`` are each row's stretches
    held by other labels (the limits'), ``edge`` the view's right end, ``mark_width``
    the room a "+N" needs (kept on every label so a count never runs into the next).

    A label that finds no row joins the nearest shown label before it; labels before
    the first shown one join that one. When no row is free anywhere, the first label
    goes on the top row regardless: a line is never left without a label or a count."""
    out = [Placement() for _ in boxes]
    ends = [-1e18] * rows
    anchor: int | None = None
    waiting: list[int] = []
    for i, box in enumerate(boxes):
        width = box.width + mark_width
        start = box.x
        flip = start + width > edge  # near the right edge: left of its line
        if flip:
            start -= width
        row = next((r for r in range(rows) if start > ends[r] + GAP and all(
            start + width < a or start > b for a, b in taken[r])), None)
        if row is None:
            if anchor is None:
                waiting.append(i)
            else:
                _join(out, anchor, i)
            continue
        ends[row] = start + width
        out[i] = Placement(row=row, flip=flip, members=[i])
        anchor = i
        for w in waiting:
            _join(out, i, w)
        waiting = []
    if waiting:  # nothing fitted anywhere: the first carries the rest
        first = waiting[0]
        out[first] = Placement(row=0, flip=boxes[first].x + boxes[first].width > edge,
                               members=[first])
        for w in waiting[1:]:
            _join(out, first, w)
    return out


def _join(out: list[Placement], anchor: int, i: int) -> None:
    out[i] = Placement(group=anchor)
    out[anchor].members.append(i)


def shown_text(short: str, count: int) -> str:
    """A label's text with the count of the labels it stands for besides itself."""
    return short if count <= 0 else f"{short} +{count}"
