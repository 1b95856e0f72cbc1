"""The loss landscape: the loss over a 2-D slice of weight space, and along the last update.

The seed says gradient descent follows the gradient of the loss, the path of least
resistance, and that noise lets it jump up out of suboptima. A map shows that ground: the
loss at ``θ + α·d1 + β·d2`` on an n×n grid of (α, β), centred on the weights θ (Li et al.
2018, "Visualizing the Loss Landscape of Neural Nets"). The two directions are either

- ``"pca"``: the two principal components of the run's path so far (Li et al. §7): the SVD
  of the parameter vectors' differences from the last one, which is θ; the path itself is
  drawn on the map as its projection onto them, ending at (0, 0); or
- ``"random"``: two Gaussian directions from a seed, filter-normalised (Li et al. §4): each
  neuron's incoming weights (a column of W) and each bias get the norm of θ's own, so the
  map's scale means the same in every layer whatever the weights' sizes.

The loss is the network's own (the data loss of the loss curves, without L1/L2) on the data
given (the training split, normalised inputs). Grid points are stacked and go through each
layer as a batch of networks, one matmul for all; ``iter_landscape`` yields a few rows at a
time, so a trainer can answer other commands between them. Each point is still computed
alone (the stacked matmul multiplies each network by itself, the loss is taken per point):
any chunking gives the same bits, and so does ``Network.loss_value`` at that point.

``update_cut`` is the 1-D view: the loss at ``θ + t·Δθ`` along the last update Δθ, the loss
the step "saw" (t = 0 before it, t = 1 after it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.layer_passes import parameter_views
from nnstudio.engine.nn.network import Network
from nnstudio.engine.nn.value_checks import whole_number

__all__ = ["DIRECTION_KINDS", "LandscapeSpec", "LandscapePlane", "Landscape", "pca_plane", "random_plane",
           "landscape_plane", "losses_at", "iter_landscape", "compute_landscape", "update_cut", "finite_range"]

Array = npt.NDArray[np.floating]

DIRECTION_KINDS = ("pca", "random")
MAX_RESOLUTION = 1001
#: Numbers one chunk's widest layer activations may hold by default: 1 MB in float64 stays in
#: cache (a 2-16-16-1 map took 31 ms in one-row chunks, 70 ms in one 41-row chunk).
CHUNK_ELEMENTS = 1 << 17


def finite_range(value, what: str) -> tuple[float, float]:
    """``value`` as two finite floats ``(low, high)`` with low < high, or ValueError naming ``what``."""
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be two numbers (low, high), got {value!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{what} must be two finite numbers with low < high, got ({low}, {high})")
    return low, high


def _finite(array, what: str, shape: tuple[int | None, ...]) -> Array:
    """``array`` as float64 of ``shape`` (None: any length), or ValueError naming ``what``."""
    try:
        array = np.asarray(array, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be an array of numbers") from None
    if array.ndim != len(shape) or any(n is not None and n != m for n, m in zip(shape, array.shape)):
        wanted = "(" + ", ".join("n" if n is None else str(n) for n in shape) + ")"
        raise ValueError(f"{what} has shape {array.shape}; expected {wanted}")
    if not np.isfinite(array).all():
        raise ValueError(f"{what} holds NaN or infinity")
    return array


@dataclass(frozen=True)
class LandscapeSpec:
    """Which map: ``resolution``×``resolution`` points over ``alpha_range`` × ``beta_range``.

    ``directions`` is one of ``DIRECTION_KINDS``; ``seed`` draws the random ones.
    """

    resolution: int = 41
    alpha_range: tuple[float, float] = (-1.0, 1.0)
    beta_range: tuple[float, float] = (-1.0, 1.0)
    directions: str = "pca"
    seed: int = 0

    def __post_init__(self) -> None:
        whole_number(self.resolution, "landscape resolution", 2, MAX_RESOLUTION)
        object.__setattr__(self, "alpha_range", finite_range(self.alpha_range, "alpha range"))
        object.__setattr__(self, "beta_range", finite_range(self.beta_range, "beta range"))
        if self.directions not in DIRECTION_KINDS:
            raise ValueError(f"landscape directions {self.directions!r} are not one of {', '.join(DIRECTION_KINDS)}")
        whole_number(self.seed, "landscape seed", 0)

    @property
    def alphas(self) -> Array:
        """(resolution,): the grid's α, the map's columns."""
        return np.linspace(*self.alpha_range, self.resolution)

    @property
    def betas(self) -> Array:
        """(resolution,): the grid's β, the map's rows."""
        return np.linspace(*self.beta_range, self.resolution)

    @classmethod
    def covering(cls, path, resolution: int = 41, margin: float = 0.25) -> LandscapeSpec:
        """A PCA map whose ranges hold the path (T, 2) and (0, 0), widened by ``margin`` of their span."""
        path = _finite(path, "path", (None, 2))
        ranges = []
        for column in path.T:
            low, high = float(column.min(initial=0.0)), float(column.max(initial=0.0))
            pad = margin * (high - low) if high > low else 1.0
            ranges.append((low - pad, high + pad))
        return cls(resolution, ranges[0], ranges[1], "pca")


@dataclass(frozen=True)
class LandscapePlane:
    """The slice: ``origin`` θ (P,), ``axes`` (2, P) = d1, d2 (read-only float64 copies).

    For PCA directions, ``path`` (T, 2) is the trajectory's (α, β), its last row (0, 0),
    and ``explained`` (2,) the share of the path's squared distance from θ along each axis;
    both None for random directions.
    """

    kind: str
    origin: Array
    axes: Array
    path: Array | None = None
    explained: Array | None = None


@dataclass(frozen=True)
class Landscape:
    """``losses[i, j]`` is the loss at ``origin + alphas[j]·d1 + betas[i]·d2``: (n, n), rows β.

    Points where the network's outputs overflow hold inf or NaN.
    """

    alphas: Array
    betas: Array
    losses: Array
    plane: LandscapePlane


def _frozen(array: Array) -> Array:
    array = np.array(array, dtype=np.float64)
    array.setflags(write=False)
    return array


def pca_plane(trajectory) -> LandscapePlane:
    """The plane of the path's two principal components, through its last point θ.

    ``trajectory`` (T, P): flat parameter vectors in order (keyframes, say), the current
    weights last. The SVD ``D = U S Vᵀ`` of the differences ``D[t] = θ_t − θ`` (T, P) gives
    the axes as Vᵀ's first two rows (orthonormal) and the path as ``D Vᵀ[:2]ᵀ`` (T, 2)
    (Li et al. 2018, §7). Each axis points so the path starts at negative coordinates.
    """
    trajectory = _finite(trajectory, "trajectory", (None, None))
    if len(trajectory) < 3:
        raise ValueError(f"PCA directions need a trajectory of at least 3 points, got {len(trajectory)}")
    origin = trajectory[-1]
    differences = trajectory - origin
    _, singular, rows = np.linalg.svd(differences, full_matrices=False)
    if singular[0] == 0:
        raise ValueError("the trajectory has not moved: PCA directions need a path (use random directions)")
    if singular.size < 2 or singular[1] <= singular[0] * max(differences.shape) * np.finfo(np.float64).eps:
        raise ValueError("the trajectory moves along one line: PCA needs two directions (use random directions)")
    axes = rows[:2].copy()
    path = differences @ axes.T
    for k in range(2):
        # SVD leaves each axis's sign open: fix it by where the path starts (or the axis's largest entry).
        lead = path[0, k] if path[0, k] != 0 else -axes[k, np.argmax(np.abs(axes[k]))]
        if lead > 0:
            axes[k] *= -1
            path[:, k] *= -1
    explained = singular[:2] ** 2 / np.sum(singular**2)
    return LandscapePlane("pca", _frozen(origin), _frozen(axes), _frozen(path), _frozen(explained))


def random_plane(sizes: tuple[int, ...], params, seed: int = 0) -> LandscapePlane:
    """Two filter-normalised Gaussian directions through ``params`` θ (P,), laid out like ``Network.flat``.

    Each direction is drawn N(0, 1) (2, P) from ``seed``, then each filter is rescaled to
    θ's norm for it (Li et al. 2018, §4): a column W[l][:, j] (neuron j's incoming weights)
    to ‖θ's W[l][:, j]‖, each bias b[l][j] to |θ's b[l][j]|. A zero filter of θ gives a zero
    direction there. The two directions are not orthogonalised (that would undo the
    normalisation); the map's axes are then slightly skewed, as in the paper.
    """
    sizes = tuple(sizes)
    size = sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))
    origin = _finite(params, "parameters", (size,))
    whole_number(seed, "landscape seed", 0)
    axes = np.random.default_rng(seed).standard_normal((2, size))
    weights, biases = parameter_views(origin, sizes)
    for axis in axes:
        axis_weights, axis_biases = parameter_views(axis, sizes)
        for W, d in zip(weights, axis_weights):
            norms = np.linalg.norm(d, axis=0)
            d *= np.divide(np.linalg.norm(W, axis=0), norms, out=np.zeros_like(norms), where=norms > 0)
        for b, d in zip(biases, axis_biases):
            np.copysign(b, d, out=d)
    return LandscapePlane("random", _frozen(origin), _frozen(axes))


def landscape_plane(spec: LandscapeSpec, network: Network, trajectory=None) -> LandscapePlane:
    """The plane ``spec`` asks for: PCA of ``trajectory`` (T, P), through its last point, or
    random directions through the network's weights."""
    if spec.directions == "pca":
        if trajectory is None:
            raise ValueError("PCA directions need the trajectory of the run")
        plane = pca_plane(trajectory)
    else:
        plane = random_plane(network.spec.sizes, network.flat, spec.seed)
    if plane.origin.shape != network.flat.shape:
        raise ValueError(
            f"the trajectory's points have {plane.origin.size} parameters; the network has {network.flat.size}"
        )
    return plane


def _data(network: Network, X, Y) -> tuple[Array, Array]:
    n_in, n_out = network.spec.sizes[0], network.spec.sizes[-1]
    X = _finite(X, "landscape inputs", (None, n_in)).astype(network.dtype)
    Y = _finite(Y, "landscape targets", (len(X), n_out)).astype(network.dtype)
    if len(X) == 0:
        raise ValueError("the landscape needs at least one data row")
    return X, Y


def _buffers(network: Network, points: int, rows: int) -> list[tuple[Array, Array]]:
    """(z, a) arrays (points, rows, fan_out) per layer; a map's chunks reuse them (fresh ones cost page faults)."""
    return [(np.empty((points, rows, n), network.dtype), np.empty((points, rows, n), network.dtype))
            for n in network.spec.sizes[1:]]


def _losses(network: Network, X: Array, Y: Array, params: Array, buffers=None) -> Array:
    """(G,) losses of the networks ``params`` (G, P) on checked data: one matmul per layer for all G."""
    count, sizes, start = len(params), network.spec.sizes, 0
    buffers = buffers or _buffers(network, count, len(X))
    a = X
    with np.errstate(over="ignore", invalid="ignore"):
        for index, (layer, (z, out)) in enumerate(zip(network.layers, buffers)):
            fan_in, fan_out = sizes[index], sizes[index + 1]
            stop = start + fan_in * fan_out
            W = params[:, start:stop].reshape(count, fan_in, fan_out)
            # (G, N, fan_out); X (N, fan_in) broadcasts over the G networks.
            z = np.matmul(a, W, out=z[:count])
            z += params[:, None, stop : stop + fan_out]
            start = stop + fan_out
            # Row-wise activations (softmax) see one sample a row: fold the networks into the rows.
            a = out[:count]
            layer.activation.forward(z.reshape(-1, fan_out), out=a.reshape(-1, fan_out))
        err = a - Y
        # The network's own loss, one point at a time: the same bits as Network.loss_value.
        value = network.loss.value
        return np.array([value(a[g], Y, z[g], err[g]) for g in range(count)], dtype=np.float64)


def losses_at(network: Network, X, Y, params) -> Array:
    """The loss on (X (N, n_in), Y (N, n_out)) of each parameter vector in ``params`` (G, P): (G,)."""
    X, Y = _data(network, X, Y)
    params = _finite(params, "parameters", (None, network.flat.size)).astype(network.dtype)
    return _losses(network, X, Y, params)


def _chunk_rows(spec: LandscapeSpec, network: Network, n_rows: int) -> int:
    points = max(1, CHUNK_ELEMENTS // (n_rows * max(network.spec.sizes[1:])))
    return max(1, min(spec.resolution, points // spec.resolution))


def iter_landscape(spec: LandscapeSpec, network: Network, X, Y, plane: LandscapePlane,
                   rows_per_chunk: int | None = None) -> Iterator[tuple[int, Array]]:
    """Yield ``(first_row, losses)`` blocks of the map, ``losses`` (rows, resolution), in row order.

    Row i is β = ``spec.betas[i]``, column j α = ``spec.alphas[j]``. ``rows_per_chunk``
    defaults to what keeps a chunk's activations near 1 MB. Only ``network``'s shape, dtype,
    activations and loss are used: the weights are ``plane.origin``.
    """
    X, Y = _data(network, X, Y)
    if plane.origin.shape != network.flat.shape:
        raise ValueError(f"the plane has {plane.origin.size} parameters; the network has {network.flat.size}")
    if rows_per_chunk is None:
        rows_per_chunk = _chunk_rows(spec, network, len(X))
    rows_per_chunk = whole_number(rows_per_chunk, "rows per chunk", 1)
    dtype, n = network.dtype, spec.resolution
    origin, d1, d2 = (v.astype(dtype) for v in (plane.origin, *plane.axes))
    alphas, betas = spec.alphas.astype(dtype), spec.betas.astype(dtype)
    buffers = _buffers(network, min(rows_per_chunk, n) * n, len(X))
    for first in range(0, n, rows_per_chunk):
        block_betas = np.repeat(betas[first : first + rows_per_chunk], n)
        block_alphas = np.tile(alphas, len(block_betas) // n)
        with np.errstate(over="ignore", invalid="ignore"):  # far points overflow to inf: the map shows them so
            params = origin + block_alphas[:, None] * d1 + block_betas[:, None] * d2
        yield first, _losses(network, X, Y, params, buffers).reshape(-1, n)


def compute_landscape(spec: LandscapeSpec, network: Network, X, Y, trajectory=None,
                      rows_per_chunk: int | None = None) -> Landscape:
    """The whole map at once (``iter_landscape`` over ``landscape_plane``): see ``Landscape``."""
    plane = landscape_plane(spec, network, trajectory)
    losses = np.empty((spec.resolution, spec.resolution))
    for first, block in iter_landscape(spec, network, X, Y, plane, rows_per_chunk):
        losses[first : first + len(block)] = block
    return Landscape(_frozen(spec.alphas), _frozen(spec.betas), _frozen(losses), plane)


def update_cut(network: Network, X, Y, params, update, ts) -> Array:
    """The loss at ``params + t·update`` for each t in ``ts`` (k,): (k,).

    ``update`` Δθ (P,) is the last step (``SGD.updates``). From ``params`` θ (P,) = the
    weights it started from (``Trainer.previous_params``), t = 0 is the loss before the step
    and t = 1 the loss after it, the same bits as the trainer's; from the current weights,
    the cut shows where the same step would lead next.
    """
    size = network.flat.size
    origin = _finite(params, "parameters", (size,)).astype(network.dtype)
    update = _finite(update, "update", (size,)).astype(network.dtype)
    ts = _finite(ts, "cut positions t", (None,))
    if ts.size == 0:
        raise ValueError("the cut needs at least one position t")
    X, Y = _data(network, X, Y)
    with np.errstate(over="ignore", invalid="ignore"):
        params = origin + ts.astype(network.dtype)[:, None] * update
    return _losses(network, X, Y, params)
