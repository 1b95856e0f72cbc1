"""What File › Record animation records: the panel choices and the checked settings of one recording."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LAST_FRAME_MS", "MAX_WAITING_FRAMES", "PANELS", "RecordSettings"]

#: Panel choices: key -> what the learner reads.
PANELS: dict[str, str] = {
    "all": "Network, decision boundary and loss, side by side",
    "network": "Network",
    "data": "Decision boundary (or the data view)",
    "loss": "Loss",
}
#: Frames drawn but not yet encoded before the recorder waits for the encoder.
MAX_WAITING_FRAMES = 4
#: How long the last frame stays before the animation loops.
LAST_FRAME_MS = 2000


@dataclass(frozen=True)
class RecordSettings:
    """What to record: ``cycles`` cycles, a frame every ``every``, played at ``fps``, ``height`` pixels high."""

    panels: str = "all"
    cycles: int = 300
    every: int = 10
    fps: int = 10
    height: int = 360

    def __post_init__(self) -> None:
        if self.panels not in PANELS:
            raise ValueError(f"unknown panel choice {self.panels!r}; use one of {', '.join(PANELS)}")
        for name, low, high in (("cycles", 1, 10_000_000), ("every", 1, 10_000_000), ("fps", 1, 50),
                                ("height", 120, 2160)):
            value = getattr(self, name)
            if not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")

    @property
    def frames(self) -> int:
        """Frames a whole recording holds: the first state, then one every ``every`` cycles and one at the end."""
        return -(-self.cycles // self.every) + 1

    @property
    def frame_ms(self) -> int:
        return round(1000 / self.fps)
