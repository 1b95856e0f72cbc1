"""``nnstudio landscape``: train as ``train`` does, then map the loss on a plane through the final weights."""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from nnstudio.cli.errors import EXIT_DIVERGED, EXIT_OK, CliError
from nnstudio.cli.training import (
    check_folder,
    finish_training,
    json_number,
    prepare,
    report_divergence,
    train_cycles,
    write_figure,
)
from nnstudio.engine.explain import landscape as loss_landscape
from nnstudio.engine.explain.landscape import MAX_RESOLUTION, Landscape, LandscapePlane, LandscapeSpec
from nnstudio.engine.io.fileio import atomic_write_text
from nnstudio.engine.io.png_encoding import write_png
from nnstudio.engine.io.raster_charts import heat_map
from nnstudio.engine.run.experiment import Experiment
from nnstudio.engine.run.single_run import RunOutcome

#: Parameter snapshots kept along a run for the PCA directions.
TRAJECTORY_SNAPSHOTS = 100
#: Where the cut along the last update is printed (t = 0 before it, t = 1 after it), and how finely it is searched.
CUT_PRINTED = (-1.0, -0.5, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
CUT_SEARCHED = np.linspace(-1.0, 3.0, 401)


def _landscape_plane(args, experiment: Experiment, outcome: RunOutcome) -> LandscapePlane:
    """The PCA plane of the run's path, or random directions (with a note on stderr) where PCA is impossible."""
    network = experiment.network
    if args.directions == "pca":
        try:
            return loss_landscape.pca_plane(outcome.trajectory)
        except ValueError as exc:
            reason = str(exc).replace(" (use random directions)", "")
            print(f"nnstudio landscape: note: no PCA directions: {reason}; using random directions from seed "
                  f"{args.seed} instead", file=sys.stderr)
    return loss_landscape.random_plane(network.spec.sizes, network.flat, args.seed)


def _landscape_spec(args, plane: LandscapePlane) -> LandscapeSpec:
    try:
        if args.span is not None:
            return LandscapeSpec(args.grid, (-args.span, args.span), (-args.span, args.span), plane.kind, args.seed)
        if plane.kind == "pca":
            covering = LandscapeSpec.covering(plane.path, args.grid)
            return replace(covering, seed=args.seed)
        return LandscapeSpec(args.grid, directions="random", seed=args.seed)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _check_landscape_flags(args) -> None:
    if not 2 <= args.grid <= MAX_RESOLUTION:
        raise CliError(f"--grid must be from 2 to {MAX_RESOLUTION}, got {args.grid}")
    for option, path in (("--csv", args.csv), ("--png", args.png)):
        check_folder(option, path)


def _write_landscape_csv(path: Path, landscape: Landscape) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["alpha", "beta", "loss"])
    for i, beta in enumerate(landscape.betas):
        for j, alpha in enumerate(landscape.alphas):
            writer.writerow([repr(float(alpha)), repr(float(beta)), repr(float(landscape.losses[i, j]))])
    atomic_write_text(path, buffer.getvalue())


def _landscape_png(path: Path, landscape: Landscape, dataset_name: str) -> None:
    plane = landscape.plane
    marks = [(0.0, 0.0, (255, 255, 255))]
    if plane.path is not None:
        marks.insert(0, (float(plane.path[0, 0]), float(plane.path[0, 1]), (0, 0, 0)))
    n = len(landscape.alphas)
    kind = "PCA of the path" if plane.kind == "pca" else "random directions"
    pixels = heat_map(landscape.losses, (landscape.alphas[0], landscape.alphas[-1]),
                      (landscape.betas[0], landscape.betas[-1]), cell=max(1, 410 // n),
                      title=f"{dataset_name}: training loss, {kind}", x_label="alpha",
                      y_label="beta", path=plane.path, marks=marks, log=True)
    write_png(path, pixels)


def _landscape_summary(landscape: Landscape, final_loss: float) -> tuple[list[str], dict]:
    losses, plane = landscape.losses, landscape.plane
    finite = np.isfinite(losses)
    n = len(landscape.alphas)
    lines = [f"loss landscape: {n}×{n} points, alpha in [{landscape.alphas[0]:.4g}, {landscape.alphas[-1]:.4g}], "
             f"beta in [{landscape.betas[0]:.4g}, {landscape.betas[-1]:.4g}], "
             + ("directions: PCA of the run's path" if plane.kind == "pca"
                else "directions: random, filter-normalised")]
    summary: dict = {"directions": plane.kind, "grid": n,
                     "alpha_range": [float(landscape.alphas[0]), float(landscape.alphas[-1])],
                     "beta_range": [float(landscape.betas[0]), float(landscape.betas[-1])]}
    if plane.explained is not None:
        shares = [float(v) for v in plane.explained]
        lines.append(f"the two directions explain {100 * shares[0]:.1f}% and {100 * shares[1]:.1f}% of the path's "
                     f"variance ({len(plane.path)} snapshots)")
        summary["explained_variance"] = shares
    if finite.any():
        i, j = np.unravel_index(np.argmin(np.where(finite, losses, np.inf)), losses.shape)
        low, high = float(losses[i, j]), float(np.max(losses[finite]))
        at = (float(landscape.alphas[j]), float(landscape.betas[i]))
        lower = float(np.mean(losses[finite] < final_loss))
        lines.append(f"loss on the map: min {low:.6g} at (alpha {at[0]:.3g}, beta {at[1]:.3g}), max {high:.6g}")
        lines.append(f"final weights at (0, 0): loss {final_loss:.6g}; {100 * lower:.1f}% of the map lies lower"
                     + ("" if lower else ": no point of the map is lower"))
        summary.update(min_loss=low, min_at=list(at), max_loss=high, final_loss=final_loss, share_lower=lower)
    else:
        lines.append("every point of the map overflowed")
        summary.update(min_loss=None, min_at=None, max_loss=None, final_loss=json_number(final_loss), share_lower=None)
    if not finite.all():
        lines.append(f"{int((~finite).sum())} points overflowed (inf or NaN; magenta on the picture)")
    summary["overflowed_points"] = int((~finite).sum())
    return lines, summary


def _update_cut(experiment: Experiment) -> tuple[list[str], dict]:
    trainer = experiment.trainer
    X, Y = trainer.X_train, trainer.Y_train
    ts = np.union1d(CUT_SEARCHED, CUT_PRINTED)
    losses = loss_landscape.update_cut(experiment.network, X, Y, trainer.previous_params, trainer.optimizer.updates, ts)
    size = float(np.linalg.norm(trainer.optimizer.updates))
    lines = [f"loss along the last update (its length {size:.3g}; t = 0 before it, t = 1 after it), on the "
             "training split:"]
    for t in CUT_PRINTED:
        loss = float(losses[np.searchsorted(ts, t)])
        lines.append(f"  t {t:5.2f}  loss {loss:.6g}")
    finite = np.isfinite(losses)
    best = int(np.argmin(np.where(finite, losses, np.inf))) if finite.any() else 0
    lines.append(f"lowest along the line at t {ts[best]:.2f} (loss {float(losses[best]):.6g})")
    cut = {"t": [float(t) for t in CUT_PRINTED], "loss": [json_number(float(losses[np.searchsorted(ts, t)]))
                                                        for t in CUT_PRINTED],
           "lowest_t": float(ts[best]), "lowest_loss": json_number(float(losses[best])), "update_norm": size}
    return lines, cut


def run_landscape(args) -> int:
    _check_landscape_flags(args)
    experiment, total = prepare(args)
    trainer = experiment.trainer
    trainer.keep_previous_weights = args.cut  # the cut starts from the weights before the last update
    snapshots = TRAJECTORY_SNAPSHOTS if args.directions == "pca" else 0
    outcome, seconds = train_cycles(experiment, total, snapshots)
    if outcome.rollback is not None:
        with np.errstate(all="ignore"):
            report_divergence(args, experiment, outcome.rollback)
        return EXIT_DIVERGED
    summary = finish_training(args, experiment, seconds)
    plane = _landscape_plane(args, experiment, outcome)
    spec = _landscape_spec(args, plane)
    network = experiment.network
    X, Y = trainer.X_train, trainer.Y_train
    losses = np.empty((spec.resolution, spec.resolution))
    for first, block in loss_landscape.iter_landscape(spec, network, X, Y, plane):
        losses[first : first + len(block)] = block
    landscape = Landscape(spec.alphas, spec.betas, losses, plane)
    final_loss = float(loss_landscape.losses_at(network, X, Y, plane.origin[None])[0])
    lines, summary["landscape"] = _landscape_summary(landscape, final_loss)
    for line in lines:
        print(line)
    if args.cut:
        lines, summary["cut"] = _update_cut(experiment)
        for line in lines:
            print(line)
    if args.csv is not None:
        write_figure("--csv", args.csv, lambda: _write_landscape_csv(args.csv, landscape))
        print(f"landscape written to {args.csv}")
    if args.png is not None:
        write_figure("--png", args.png, lambda: _landscape_png(args.png, landscape, experiment.dataset.name))
        print(f"landscape drawn in {args.png}")
    if args.json:
        print(json.dumps(summary))
    return EXIT_OK
