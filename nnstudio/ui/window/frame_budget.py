"""Which of the window's optional panels draw in a frame, so that drawing keeps within a budget.

The window draws at most ~30 frames a second. The network, the counters and the rewind
bar draw in every frame; the other panels (the loss curves, the data's views, the
heatmaps) are optional: each is *due* when a snapshot brings something new for it, and
draws when it is visible and the frame has room. A frame's cost is measured whole (the
panels' setters and Qt's repaint that follows); while frames cost more than the budget,
fewer optional panels draw per frame, the longest-waiting first, so each still draws
every few frames and none waits forever; while they cost well under it, more do again.
A panel may also ask to be drawn at most every n-th frame while snapshots stream (the
loss curves, which move by a pixel or less between two frames).

No Qt here: the window measures and asks, this decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["FrameBudget", "FRAME_BUDGET_SECONDS"]

#: Drawing one frame should take at most this long (setters and repaint together).
FRAME_BUDGET_SECONDS = 0.015
#: Below this share of the budget a frame has room for one more optional panel.
ROOM_SHARE = 0.6


class FrameBudget:
    """Chooses the optional panels drawn in each frame and adapts how many to the frames' cost.

    Parameters
    ----------
    panels
        The optional panels' names, in their order of preference when equally stale.
    budget
        Seconds one frame's drawing should take at most.
    every
        Panel name -> n: while snapshots stream, draw that panel at most every n-th frame.

    Attributes
    ----------
    allowance
        How many due panels the next frame may draw (1 to all of them).
    frame
        Frames counted so far.
    """

    def __init__(self, panels: Sequence[str], budget: float = FRAME_BUDGET_SECONDS,
                 every: dict[str, int] | None = None) -> None:
        if not panels:
            raise ValueError("a frame budget needs at least one optional panel")
        if not budget > 0:
            raise ValueError(f"the budget must be positive, got {budget}")
        self.panels = tuple(panels)
        self.budget = float(budget)
        self.allowance = len(self.panels)
        self.frame = 0
        self._due_since: dict[str, int] = {}  # panel -> the frame it became due in
        self._drawn_in: dict[str, int] = {}  # panel -> the frame it was last drawn in
        self.every = dict(every or {})
        unknown = set(self.every) - set(self.panels)
        if unknown:
            raise KeyError(f"unknown panel {sorted(unknown)[0]!r}")

    def mark_due(self, names: Iterable[str] | None = None) -> None:
        """Something new to show in ``names`` (all panels by default); the wait counts from the first mark."""
        for name in self.panels if names is None else names:
            if name not in self.panels:
                raise KeyError(f"unknown panel {name!r}")
            self._due_since.setdefault(name, self.frame)

    def is_due(self, name: str) -> bool:
        return name in self._due_since

    def any_due(self) -> bool:
        return bool(self._due_since)

    def choose(self, visible: Iterable[str]) -> list[str]:
        """The due panels among ``visible`` to draw in this frame (snapshots streaming).

        At most ``allowance`` of them, the longest waiting first, none drawn fewer than
        its ``every`` frames ago.
        """
        shown = set(visible)
        candidates = [name for name in self.panels if name in self._due_since and name in shown
                      and self.frame - self._drawn_in.get(name, -1 << 30) >= self.every.get(name, 1)]
        candidates.sort(key=lambda name: self._due_since[name])  # stable: ties keep the panels' order
        return candidates[: self.allowance]

    def drawn(self, name: str) -> None:
        """``name`` shows the newest snapshot now."""
        self._due_since.pop(name, None)
        self._drawn_in[name] = self.frame

    def frame_done(self, seconds: float) -> None:
        """The frame just drawn took ``seconds``: fewer optional panels next time if over budget, more if well under."""
        self.frame += 1
        if seconds > self.budget:
            self.allowance = max(1, self.allowance - 1)
        elif seconds < ROOM_SHARE * self.budget:
            self.allowance = min(len(self.panels), self.allowance + 1)
