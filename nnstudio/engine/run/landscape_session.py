"""The loss landscape of a training session, as the trainer's process computes it for the window.

The window asks for a map of the loss around the weights shown (``start_landscape``); the
trainer's loop computes it a few rows at a time between other commands
(``LandscapeJob.advance``, see ``service.py``), so training and Step go on meanwhile, and a
new request simply replaces the job of the old one. The answer, a ``LandscapeMap``, holds
the map, the plane it lies in and the run's path on it; the window projects the weights of
each later snapshot onto the same plane (``plane_coordinates``) to move the current point
and grow the path without asking again.

The path is the run's own timeline: the parameters of its full keyframes (one every 16
cycles near the latest cycle, thinned further back) up to the cycle shown, then the weights
now. So it follows a rewind, Continue from here, a reset, new data or imported weights with
no bookkeeping of its own, and it is thinned to at most ``MAX_TRAJECTORY`` points spread
evenly over the cycles.

``landscape_cut`` is the 1-D view: the loss along the last update, the loss the step "saw".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from nnstudio.engine.explain.landscape import (
    LandscapePlane,
    LandscapeSpec,
    iter_landscape,
    losses_at,
    pca_plane,
    random_plane,
    update_cut,
)
from nnstudio.engine.nn.network import Network

if TYPE_CHECKING:  # only passed in
    from nnstudio.engine.run.session import TrainingSession
    from nnstudio.engine.run.timeline import Timeline

__all__ = ["MAX_TRAJECTORY", "RANDOM_SPAN", "AHEAD", "CUT_TS", "LandscapeCut", "LandscapeMap", "LandscapeJob",
           "trajectory", "plane_coordinates", "flat_parameters", "start_landscape", "landscape_cut"]

Array = npt.NDArray[np.floating]

#: Points of the path a map is made from (its PCA) and drawn with.
MAX_TRAJECTORY = 200
#: Random directions are filter-normalised: α = 1 moves every neuron's weights by their own norm.
RANDOM_SPAN = 1.0
#: Room a PCA map keeps ahead of the weights along PC1, as a share of the path's extent along it.
AHEAD = 0.5
#: Positions along the last update: t = 0 before it, t = 1 after it (multiples of 1/20, so 0 and 1 are exact).
CUT_TS = np.arange(-20, 61) / 20.0


def _frozen(array, dtype=np.float64) -> np.ndarray:
    array = np.array(array, dtype=dtype)
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class LandscapeCut:
    """The loss at ``before + t·update`` for each t in ``ts``, on the training split.

    ``update`` is the last update Δθ: t = 0 is the weights before it, t = 1 the weights of
    cycle ``cycle``. ``update_norm`` is ‖Δθ‖ (0 before the first cycle: the cut is flat).
    """

    request: int
    generation: int
    cycle: int
    ts: Array
    losses: Array
    update_norm: float


@dataclass(frozen=True)
class LandscapeMap:
    """A map of the loss around the weights of cycle ``cycle``, answering request ``request``.

    ``losses[i, j]`` is the training loss at ``origin + alphas[j]·axes[0] + betas[i]·axes[1]``
    (inf or NaN where the outputs overflow). ``kind`` is the directions used ("pca" or
    "random"; ``note`` says why when PCA was asked for and impossible). ``path`` (T, 2) is
    the run's path on the plane, at ``path_cycles`` (T,), its last point (0, 0) = ``origin``;
    ``explained`` (2,) the share of the path's variance along each PCA axis (None for
    random directions). ``loss`` is the loss at ``origin``.
    """

    request: int
    generation: int
    cycle: int
    kind: str
    alphas: Array
    betas: Array
    losses: Array
    origin: Array
    axes: Array
    path: Array
    path_cycles: np.ndarray
    explained: Array | None
    note: str
    loss: float

    def contains(self, point) -> bool:
        """Whether (α, β) lies on the map."""
        alpha, beta = (float(v) for v in point)
        return (self.alphas[0] <= alpha <= self.alphas[-1]) and (self.betas[0] <= beta <= self.betas[-1])


def trajectory(timeline: Timeline, cycle: int, params: Array,
               limit: int = MAX_TRAJECTORY) -> tuple[np.ndarray, Array]:
    """(cycles (T,), parameters (T, P)): the run's path up to ``cycle``, ending at ``params``.

    The timeline's full keyframes before ``cycle`` and then ``params`` (the weights of
    ``cycle``), at most ``limit`` points: when there are more keyframes, those nearest to
    evenly spaced cycles, the first always among them.
    """
    if limit < 2:
        raise ValueError(f"a trajectory needs room for at least 2 points, got {limit}")
    kept = [(c, p) for c, p in timeline.parameter_keyframes(cycle) if c < cycle]
    if len(kept) > limit - 1:
        kept_cycles = np.array([c for c, _ in kept], dtype=np.float64)
        marks = np.linspace(kept_cycles[0], kept_cycles[-1], limit - 1)
        nearest = np.unique(np.rint(np.interp(marks, kept_cycles, np.arange(len(kept)))).astype(np.intp))
        kept = [kept[i] for i in nearest]
    cycles = np.array([c for c, _ in kept] + [cycle], dtype=np.int64)
    points = np.empty((len(kept) + 1, params.size), dtype=np.float64)
    for row, (_, p) in zip(points, kept):
        row[:] = p
    points[-1] = params
    return cycles, points


def plane_coordinates(origin, axes, params) -> Array:
    """(α, β) of ``params`` (P,) or (T, P) on the plane through ``origin`` (P,) along ``axes`` (2, P).

    The least-squares fit ``params ≈ origin + α·axes[0] + β·axes[1]``: for orthonormal
    (PCA) axes the plain projection; random axes are not quite orthogonal.
    """
    axes = np.asarray(axes, dtype=np.float64)
    offsets = np.asarray(params, dtype=np.float64) - np.asarray(origin, dtype=np.float64)
    return (offsets @ axes.T) @ np.linalg.pinv(axes @ axes.T).T


def flat_parameters(weights, biases) -> Array:
    """One vector laid out like ``Network.flat`` (W0, b0, W1, b1, …) from per-layer weights and biases."""
    parts = []
    for W, b in zip(weights, biases):
        parts.append(np.ravel(W))
        parts.append(np.ravel(b))
    return np.concatenate(parts).astype(np.float64, copy=False)


class LandscapeJob:
    """A map being computed: ``advance`` adds rows for a while; once ``done``, ``result`` is the answer."""

    def __init__(self, request: int, generation: int, cycle: int, spec: LandscapeSpec, network: Network, X, Y,
                 plane: LandscapePlane, path: Array, path_cycles: np.ndarray, note: str, loss: float) -> None:
        self.request = request
        self._answer = dict(request=request, generation=generation, cycle=cycle, kind=plane.kind,
                            alphas=_frozen(spec.alphas), betas=_frozen(spec.betas), origin=plane.origin,
                            axes=plane.axes, path=_frozen(path), path_cycles=_frozen(path_cycles, np.int64),
                            explained=plane.explained, note=note, loss=loss)
        self._losses = np.empty((spec.resolution, spec.resolution))
        self._rows_done = 0
        self._blocks = iter_landscape(spec, network, X, Y, plane)

    @property
    def done(self) -> bool:
        return self._rows_done == len(self._losses)

    def advance(self, seconds: float) -> bool:
        """Compute blocks of rows until ``seconds`` have passed (at least one block); returns ``done``."""
        deadline = time.perf_counter() + seconds
        for first, block in self._blocks:
            self._losses[first : first + len(block)] = block
            self._rows_done = first + len(block)
            if time.perf_counter() >= deadline:
                break
        return self.done

    def result(self) -> LandscapeMap:
        if not self.done:
            raise RuntimeError(f"the landscape has {self._rows_done} of {len(self._losses)} rows so far")
        return LandscapeMap(losses=_frozen(self._losses), **self._answer)


def _no_pca_note(reason: str, points: int, interval: int) -> str:
    if points < 3:
        plural = "s" if points != 1 else ""
        reason = f"the path has {points} point{plural} so far (one every {interval} cycles), PCA needs 3"
    return f"No PCA directions yet: {reason.replace(' (use random directions)', '')}. Random directions instead."


def start_landscape(session: TrainingSession, request: int, directions: str = "pca", resolution: int = 41,
                    seed: int = 0) -> LandscapeJob:
    """A job mapping the loss around the session's weights now, on its training split.

    ``directions`` "pca": the two principal components of the path (see ``trajectory``),
    the map covering the path with a quarter of its extent around it and ``AHEAD`` of its
    extent along PC1 beyond the weights, where the path heads; where PCA is
    impossible (fewer than 3 points, a path along one line), random directions with a
    note. "random": two filter-normalised directions from ``seed``, over [−1, 1] (wider
    if the path's projection reaches further). ValueError for a bad resolution or kind.
    """
    LandscapeSpec(resolution, directions=directions, seed=seed)  # checks the request before any work
    trainer, network = session.trainer, session.network
    cycles, points = trajectory(session.timeline, trainer.cycle, network.flat)
    plane, note = None, ""
    if directions == "pca":
        try:
            plane = pca_plane(points)
        except ValueError as exc:
            note = _no_pca_note(str(exc), len(points), session.timeline.interval)
    if plane is None:
        plane = random_plane(network.spec.sizes, network.flat, seed)
        path = plane_coordinates(plane.origin, plane.axes, points)
        covering = LandscapeSpec.covering(path, resolution)
        alphas, betas = ((min(-RANDOM_SPAN, low), max(RANDOM_SPAN, high))
                         for low, high in (covering.alpha_range, covering.beta_range))
        spec = LandscapeSpec(resolution, alphas, betas, "random", seed)
    else:
        path = plane.path
        covering = LandscapeSpec.covering(path, resolution)
        # The path ends at (0, 0) heading to positive α: room ahead, so a running descent stays on the map a while.
        ahead = AHEAD * float(np.ptp(path[:, 0]))
        alphas = (covering.alpha_range[0], max(covering.alpha_range[1], ahead))
        spec = replace(covering, alpha_range=alphas, seed=seed)
    X, Y = trainer.X_train, trainer.Y_train
    loss = float(losses_at(network, X, Y, plane.origin[None])[0])
    return LandscapeJob(request, session.generation, trainer.cycle, spec, network, X, Y, plane, path, cycles, note,
                        loss)


def landscape_cut(session: TrainingSession, request: int) -> LandscapeCut:
    """The loss along the session's last update, at ``CUT_TS``, on its training split.

    From the weights before the update (``Trainer.previous_params``, the trainer's own
    bits) when they and the update make the weights now; otherwise (a weight edited since,
    the earliest cycle of a rewind) from the weights now minus the update.
    """
    trainer, network = session.trainer, session.network
    update, params = trainer.optimizer.updates, network.flat
    before = trainer.previous_params
    if not np.array_equal(before + update, params):
        before = params - update
    losses = update_cut(network, trainer.X_train, trainer.Y_train, before, update, CUT_TS)
    return LandscapeCut(request, session.generation, trainer.cycle, _frozen(CUT_TS), _frozen(losses),
                        float(np.linalg.norm(update)))
