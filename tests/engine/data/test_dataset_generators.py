"""Tests for nnstudio.engine.data.datasets: the eight generators, their shapes, seeds, noise and geometry."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnstudio.engine.data.datasets import (
    GENERATOR_NAMES,
    GENERATOR_TASKS,
    DatasetError,
    generate,
)

CLASSIFIERS = [name for name in GENERATOR_NAMES if GENERATOR_TASKS[name] == "classification"]
REGRESSORS = [name for name in GENERATOR_NAMES if GENERATOR_TASKS[name] == "regression"]



# ------------------------------------------------------------------ generators

def test_generator_names_and_tasks():
    """The eight generators come in the documented order, six classification then two regression."""
    assert GENERATOR_NAMES == ("xor", "circle", "gaussians", "spiral", "moons", "checkerboard", "plane", "multigauss")
    assert tuple(GENERATOR_TASKS) == GENERATOR_NAMES
    assert REGRESSORS == ["plane", "multigauss"]
    with pytest.raises(TypeError):
        GENERATOR_TASKS["xor"] = "regression"  # read-only


@pytest.mark.parametrize("name", GENERATOR_NAMES)
@pytest.mark.parametrize("n", [4, 7, 200])
def test_generator_shape_dtype_and_task(name, n):
    """Every generator gives (n, 2) float64 inputs x1, x2 and one output of its task.

    Classification: int64 labels "0" and "1", exactly balanced. Regression: a float64 target "y", no classes.
    """
    d = generate(name, n_samples=n)
    task = GENERATOR_TASKS[name]
    assert d.X.shape == (n, 2) and d.X.dtype == np.float64
    assert d.y.shape == (n,) and d.y.dtype == (np.int64 if task == "classification" else np.float64)
    assert d.feature_names == ("x1", "x2") and d.task == task and d.n_outputs == 1
    if task == "classification":
        assert d.class_names == ("0", "1")
        assert np.count_nonzero(d.y == 1) == n // 2
        assert np.count_nonzero(d.y == 0) == n - n // 2
    else:
        assert d.class_names == () and d.target_name == "y"


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_generator_same_seed_is_bit_identical(name):
    """The same arguments reproduce the data bit for bit."""
    a, b = generate(name, 50, 0.2, seed=3), generate(name, 50, 0.2, seed=3)
    assert a.X.tobytes() == b.X.tobytes() and a.y.tobytes() == b.y.tobytes()


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_generator_seed_and_noise_change_data(name):
    """A different seed or a different noise level gives different inputs."""
    base = generate(name, 50, 0.1, seed=0)
    assert not np.array_equal(base.X, generate(name, 50, 0.1, seed=1).X)
    assert not np.array_equal(base.X, generate(name, 50, 0.3, seed=0).X)


@pytest.mark.parametrize("name", REGRESSORS)
def test_regression_seed_changes_inputs_and_noise_changes_targets_only(name):
    """Another seed draws other inputs; another noise level keeps the inputs and changes y."""
    base = generate(name, 50, 0.1, seed=0)
    assert not np.array_equal(base.X, generate(name, 50, 0.1, seed=1).X)
    noisier = generate(name, 50, 0.3, seed=0)
    assert np.array_equal(base.X, noisier.X) and not np.array_equal(base.y, noisier.y)


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_generator_stays_in_plot_range(name):
    """At the default noise the inputs stay roughly inside [-6, 6]."""
    d = generate(name, 400)
    assert np.abs(d.X).max() < 7.5


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_generated_data_is_read_only(name):
    """X and y cannot be modified in place."""
    d = generate(name, 8)
    with pytest.raises(ValueError):
        d.X[0, 0] = 1.0
    with pytest.raises(ValueError):
        d.y[0] = 1


def test_xor_noise_zero_four_samples_is_truth_table():
    """xor with noise 0 and 4 samples is exactly the XOR truth table in ±1 coordinates."""
    d = generate("xor", n_samples=4, noise=0.0)
    rows = {(float(x1), float(x2), int(y)) for (x1, x2), y in zip(d.X, d.y)}
    assert rows == {(1.0, 1.0, 0), (-1.0, -1.0, 0), (1.0, -1.0, 1), (-1.0, 1.0, 1)}


def test_xor_labels_follow_sign_rule():
    """With small noise every xor label is 1 exactly where the signs of x1 and x2 differ."""
    d = generate("xor", 200, noise=0.1)
    assert np.array_equal(d.y, (np.sign(d.X[:, 0]) != np.sign(d.X[:, 1])).astype(np.int64))


def test_circle_radii_without_noise():
    """Without noise, class 1 lies in the disc r <= 2 and class 0 in the ring 3 <= r <= 5."""
    d = generate("circle", 300, noise=0.0)
    r = np.hypot(d.X[:, 0], d.X[:, 1])
    assert r[d.y == 1].max() <= 2.0
    assert r[d.y == 0].min() >= 3.0 and r[d.y == 0].max() <= 5.0


def test_gaussians_centres():
    """The gaussian blobs are centred near (+1.5, +1.5) for class 1 and (-1.5, -1.5) for class 0."""
    d = generate("gaussians", 2000, noise=0.1)
    assert np.allclose(d.X[d.y == 1].mean(axis=0), [1.5, 1.5], atol=0.1)
    assert np.allclose(d.X[d.y == 0].mean(axis=0), [-1.5, -1.5], atol=0.1)


def test_spiral_radius_up_to_five():
    """Without noise the spiral arms stay within radius 5."""
    r = np.hypot(*generate("spiral", 200, noise=0.0).X.T)
    assert r.max() <= 5.0 and r.max() > 4.5


def test_moons_are_two_half_circles_of_radius_three():
    """Without noise class 0 is the upper half circle of radius 3 about (-1.5, -0.75), class 1 the lower one about (1.5,
    0.75).
    """
    d = generate("moons", 200, noise=0.0)
    upper, lower = d.X[d.y == 0], d.X[d.y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0] + 1.5, upper[:, 1] + 0.75), 3.0, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.5, lower[:, 1] - 0.75), 3.0, rtol=1e-12)
    assert np.all(upper[:, 1] >= -0.75 - 1e-12) and np.all(lower[:, 1] <= 0.75 + 1e-12)
    assert np.abs(d.X[:, 0]).max() == pytest.approx(4.5)


def test_moons_interleave_so_no_straight_line_splits_them():
    """Each moon's tip lies in the half disc the other moon bounds, so the classes' convex hulls overlap."""
    d = generate("moons", 200, noise=0.0)
    upper, lower = d.X[d.y == 0], d.X[d.y == 1]
    tip0, tip1 = upper[np.argmax(upper[:, 0])], lower[np.argmin(lower[:, 0])]
    np.testing.assert_allclose([tip0, tip1], [[1.5, -0.75], [-1.5, 0.75]], atol=1e-12)
    # The lower moon's hull is the half disc below y = 0.75 about (1.5, 0.75); the upper's mirrors it.
    assert np.hypot(tip0[0] - 1.5, tip0[1] - 0.75) < 3 and tip0[1] < 0.75
    assert np.hypot(tip1[0] + 1.5, tip1[1] + 0.75) < 3 and tip1[1] > -0.75


def test_checkerboard_without_noise_alternates_on_a_4x4_grid():
    """Without noise every point lies in [-5, 5]² and its class is (column + row) % 2 of its 2.5-wide square."""
    d = generate("checkerboard", 400, noise=0.0)
    assert np.all(np.abs(d.X) <= 5.0)
    cells = np.floor((d.X + 5.0) / 2.5).astype(int)
    assert np.array_equal(cells.sum(axis=1) % 2, d.y)
    counts = np.bincount(cells[:, 0] * 4 + cells[:, 1], minlength=16)
    assert counts.tolist() == [25] * 16  # 200 per class dealt evenly over its 8 squares


def test_checkerboard_near_the_origin_follows_the_xor_sign_rule():
    """In the four central squares class 1 is where the signs of x1 and x2 differ, as in xor."""
    d = generate("checkerboard", 400, noise=0.0)
    central = np.all(np.abs(d.X) < 2.5, axis=1)
    assert np.count_nonzero(central) == 100
    signs_differ = (np.sign(d.X[central, 0]) != np.sign(d.X[central, 1])).astype(np.int64)
    assert np.array_equal(d.y[central], signs_differ)


def test_plane_target_is_a_tenth_of_x1_plus_x2():
    """Without noise plane's y is (x1 + x2) / 10 exactly, with inputs uniform in [-6, 6]²."""
    d = generate("plane", 500, noise=0.0)
    assert np.array_equal(d.y, (d.X[:, 0] + d.X[:, 1]) / 10.0)
    assert np.all(np.abs(d.X) <= 6.0) and np.abs(d.X).max() > 5.9
    assert np.abs(d.y).max() <= 1.2


def test_plane_noise_is_gaussian_on_the_target_with_sd_noise():
    """The residual y - (x1 + x2)/10 has mean about 0 and standard deviation about ``noise``."""
    d = generate("plane", 4000, noise=0.2, seed=5)
    residual = d.y - (d.X[:, 0] + d.X[:, 1]) / 10.0
    assert abs(residual.mean()) < 0.02 and residual.std() == pytest.approx(0.2, rel=0.05)


def test_multigauss_is_six_smooth_bumps_within_plus_minus_one():
    """Without noise multigauss's y is the sum of six Gaussian bumps (sd 1.5, heights ±1), within [-1, 1]."""
    d = generate("multigauss", 3000, noise=0.0)
    centres = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    expected = sum(h * np.exp(-((d.X[:, 0] - cx) ** 2 + (d.X[:, 1] - cy) ** 2) / (2 * 1.5**2))
                   for cx, cy, h in centres)
    np.testing.assert_allclose(d.y, expected, rtol=1e-12, atol=1e-15)
    assert np.abs(d.y).max() <= 1.0 and d.y.max() > 0.9 and d.y.min() < -0.9
    assert np.all(np.abs(d.X) <= 6.0)


@pytest.mark.parametrize("name", REGRESSORS)
def test_regression_targets_stay_in_a_sensible_range(name):
    """At the default noise regression targets stay within about [-1.5, 1.5]."""
    d = generate(name, 1000)
    assert np.abs(d.y).max() < 1.6 and d.y.std() > 0.3


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"name": "ring"}, "xor, circle, gaussians, spiral, moons, checkerboard, plane, multigauss"),
        ({"name": "xor", "n_samples": 3}, "n_samples"),
        ({"name": "xor", "noise": -0.1}, "noise"),
        ({"name": "xor", "noise": math.nan}, "noise"),
        ({"name": "xor", "seed": -1}, "seed"),
    ],
)
def test_generate_rejects_bad_arguments(kwargs, fragment):
    """Unknown names, too few samples, negative noise and bad seeds raise DatasetError."""
    with pytest.raises(DatasetError, match=fragment):
        generate(**kwargs)
