"""Importing a weights file into a training session (File › Import weights in the window)."""

import json
from dataclasses import replace

import numpy as np
import pytest
from support.service_thread import receive, start_service

from nnstudio.engine.data.datasets import Dataset, Normalizer
from nnstudio.engine.io.formats import ModelFile, load_weights, save_weights
from nnstudio.engine.io.model_fit import output_problem
from nnstudio.engine.io.sessionfile import load_session, save_session
from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession


def _houses(columns=("rooms", "area")) -> Dataset:
    """House prices in dollars: targets far from the standardised scale the network learns on."""
    rng = np.random.default_rng(7)
    rooms, area = rng.uniform(1, 6, 120), rng.uniform(40, 200, 120)
    price = 60_000 * rooms + 1_500 * area + rng.normal(0, 10_000, 120)
    by_name = {"rooms": rooms, "area": area}
    return Dataset("houses", np.column_stack([by_name[c] for c in columns]), price, "regression", tuple(columns),
                   "price")


def _points(columns=("a", "b")) -> Dataset:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=150), rng.normal(size=150)
    by_name = {"a": a, "b": b}
    return Dataset("points", np.column_stack([by_name[c] for c in columns]), (a > 0.3).astype(np.int64),
                   "classification", tuple(columns), "label", ("low", "high"))


def _trained_file(tmp_path, name="w.npz", config=None, dataset=None, cycles=60) -> tuple:
    """A session trained a little and exported: (path, session, its raw predictions of its own rows)."""
    session = TrainingSession(config or SessionConfig(hidden=(5,)), dataset)
    session.step("cycle", cycles)
    path = tmp_path / name
    session.export(str(path))
    return path, session, session.experiment.predict_raw(session.dataset.X)


def _unchanged(session):
    """What a refused import must leave as it was."""
    return (session.network.spec, session.network.flat.copy(), session.trainer.cycle, session.config,
            session.dataset.feature_names, session.snapshot().timeline)


def _same(before, after):
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_an_imported_classifier_predicts_exactly_as_the_model_that_was_exported(tmp_path, suffix):
    """Export, reset to another network, import: the file's architecture and bit-for-bit predictions."""
    path, trained, expected = _trained_file(tmp_path, "w" + suffix)
    session = TrainingSession(SessionConfig(hidden=(5,)))
    session.set_network((3, 3), ("tanh", "tanh", "sigmoid"))
    session.step("cycle", 7)
    session.import_weights(str(path))
    X = session.dataset.X
    assert session.network.spec == trained.network.spec
    assert session.config.hidden == (5,) and session.config.activations == ("sigmoid", "sigmoid")
    assert np.array_equal(session.experiment.predict_raw(X), expected)
    assert np.array_equal(session.experiment.predict_raw(X), load_weights(path).predict(X))
    assert np.array_equal(session.experiment.normalizer.mean, trained.experiment.normalizer.mean)
    snap = session.snapshot()
    assert snap.spec == trained.network.spec and snap.cycle == 7
    assert all(np.array_equal(a, b) for a, b in zip(snap.weights, trained.network.weights))
    assert "Imported w" + suffix in snap.message and "cycle 7" in snap.message


def test_an_imported_price_model_is_unfolded_onto_standardised_targets(tmp_path):
    """A regression file holds dollars (scaling folded in); the session learns standardised targets again."""
    path, trained, expected = _trained_file(tmp_path, dataset=_houses(), cycles=80,
                                            config=SessionConfig(hidden=(4,), activations=("tanh", "linear")))
    assert np.abs(expected).max() > 1e5  # the exported model speaks dollars
    session = TrainingSession(SessionConfig(hidden=(2, 2), activations=("relu", "relu", "linear")), _houses())
    session.import_weights(str(path))
    got = session.experiment.predict_raw(session.dataset.X)
    assert np.allclose(got, expected, rtol=1e-12, atol=0)
    scaling = session.experiment.target_scaling
    assert scaling.std > 1e4 and scaling == trained.experiment.target_scaling
    for ours, theirs in zip(session.network.weights + session.network.biases,
                            trained.network.weights + trained.network.biases):
        assert np.allclose(ours, theirs, rtol=1e-12, atol=1e-12)  # back on the scale it trained on
    # Training goes on where the file left off: the loss is the trained session's, not a fresh net's.
    assert session.trainer.evaluate(record=False).train_loss == pytest.approx(
        trained.trainer.evaluate(record=False).train_loss, rel=1e-9)


def test_columns_in_another_order_are_matched_by_name(tmp_path):
    """Data with columns b, a and a model of a, b: each weight meets its own feature; the session reopens."""
    path, _trained, expected = _trained_file(tmp_path, dataset=_points(("a", "b")))
    session = TrainingSession(SessionConfig(hidden=(5,)), _points(("b", "a")))
    session.import_weights(str(path))
    assert session.dataset.feature_names == ("a", "b") and session.config.data.custom
    assert np.array_equal(session.experiment.predict_raw(session.dataset.X), expected)
    assert "file's order: a, b" in session.pop_message()
    session.step("cycle", 3)
    saved = tmp_path / "s.nnstudio"
    save_session(saved, session)
    reopened = load_session(saved)
    assert np.array_equal(reopened.network.flat, session.network.flat)
    assert reopened.dataset.feature_names == ("a", "b")


def _write_model(path, spec, task="classification", features=("x1", "x2"), classes=("0", "1")):
    network = Network.from_spec(spec, seed=1)
    save_weights(path, ModelFile(network, Normalizer.identity(spec.sizes[0]), task, classes, features, "label"))
    return path


@pytest.mark.parametrize("make, words", [
    (lambda p: _write_model(p, NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid")), features=("a", "c")),
     ["no column 'a', 'c'", "extra column(s) 'x1', 'x2'"]),
    (lambda p: _write_model(p, NetworkSpec((3, 3, 1), ("sigmoid", "sigmoid")), features=()),
     ["3 inputs", "2 features"]),
    (lambda p: _write_model(p, NetworkSpec((2, 3, 3), ("sigmoid", "softmax")), classes=("a", "b", "c")),
     ["3 outputs", "needs 1"]),
    (lambda p: _write_model(p, NetworkSpec((2, 3, 1), ("sigmoid", "linear")), task="regression", classes=()),
     ["regression model", "classification"]),
    (lambda p: _write_model(p, NetworkSpec((2, 3, 1), ("sigmoid", "tanh"))),
     ["output layer is tanh", "probability"]),
    (lambda p: p.write_bytes(b"PK\x03\x04 not a zip") and p, ["not a readable .npz"]),
    (lambda p: p.parent / "missing.npz", ["missing.npz: no such file"]),
])
def test_a_file_that_does_not_fit_is_refused_by_name_and_nothing_changes(tmp_path, make, words):
    path = make(tmp_path / "m.npz")
    session = TrainingSession(SessionConfig(hidden=(4,)))
    session.step("cycle", 12)
    session.pop_message()
    before = _unchanged(session)
    with pytest.raises(ValueError) as refused:
        session.import_weights(str(path))
    text = str(refused.value)
    assert path.name in text and all(word in text for word in words), text
    _same(before, _unchanged(session))
    assert session.pop_message() == ""
    session.step("cycle", 1)  # and training goes on as before
    assert session.trainer.cycle == 13


def test_output_rules_say_what_the_session_would_revert():
    """Every output choice output_problem allows is kept by fitted_to, and every one it refuses is changed."""
    datasets = {
        ("classification", 1): Dataset("two", np.zeros((4, 2)), np.array([0, 1, 0, 1]), "classification",
                                       ("x1", "x2"), "y", ("a", "b")),
        ("classification", 3): Dataset("three", np.zeros((3, 2)), np.array([0, 1, 2]), "classification",
                                       ("x1", "x2"), "y", ("a", "b", "c")),
        ("regression", 1): Dataset("real", np.zeros((3, 2)), np.arange(3.0), "regression", ("x1", "x2"), "y"),
    }
    for (task, n_outputs), dataset in datasets.items():
        assert dataset.n_outputs == n_outputs
        for output in ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"):
            for loss in ("mse", "cross_entropy"):
                config = SessionConfig(activations=("sigmoid", output), loss=loss)
                kept = config.fitted_to(dataset)[0] == config
                assert kept == (output_problem(task, n_outputs, output, loss) == ""), (task, output, loss)


def _reference_weights(config, cycles):
    """The weights after 0..cycles cycles of an untouched run (one cycle at a time)."""
    session = TrainingSession(config)
    weights = [session.network.flat.copy()]
    for _ in range(cycles):
        session.step("cycle", 1)
        weights.append(session.network.flat.copy())
    return weights


def test_undo_and_rewind_cross_an_import_to_the_network_it_replaced(tmp_path):
    """Import at cycle 20, train to 25: Undo reaches cycle 19 of the old network, bit for bit, and back."""
    path, _trained, _ = _trained_file(tmp_path)
    config = SessionConfig(hidden=(3, 2), activations=("tanh", "tanh", "sigmoid"))
    reference = _reference_weights(config, 21)
    session = TrainingSession(config)
    session.step("cycle", 20)
    session.import_weights(str(path))
    imported = session.network.flat.copy()
    session.step("cycle", 5)
    head = session.network.flat.copy()
    assert session.snapshot().timeline == (0, 25)
    for _ in range(6):
        session.undo()
    snap = session.snapshot()
    assert snap.cycle == 19 and snap.rewound and snap.timeline == (0, 25)
    assert snap.spec.sizes == (2, 3, 2, 1) and np.array_equal(session.network.flat, reference[19])
    assert snap.data is not None  # the old network's normalisation goes with it
    session.rewind(20)
    assert session.network.spec.sizes == (2, 5, 1) and np.array_equal(session.network.flat, imported)
    session.rewind(3)
    assert np.array_equal(session.network.flat, reference[3])
    session.rewind(25)
    assert not session.snapshot().rewound and np.array_equal(session.network.flat, head)
    # Training on from before the import drops it: the old run goes on as if it never happened.
    session.rewind(12)
    session.continue_from_here()
    session.step("cycle", 9)
    snap = session.snapshot()
    assert snap.cycle == 21 and snap.spec.sizes == (2, 3, 2, 1) and snap.timeline == (0, 21)
    assert np.array_equal(session.network.flat, reference[21])


def test_the_loss_curves_and_counters_go_on_across_an_import(tmp_path):
    path, trained, _ = _trained_file(tmp_path)
    session = TrainingSession(SessionConfig(hidden=(2,)))
    session.step("cycle", 10)
    session.import_weights(str(path))
    session.step("cycle", 10)
    snap = session.snapshot()
    # 160 training rows in batches of 10: the epoch begun before the import ends at cycle 16.
    assert snap.cycle == 20 and snap.epoch == 1
    assert snap.batch_cycles.tolist() == list(range(20))
    # The imported network's first batch is the one the old run would have drawn next.
    first = TrainingSession(SessionConfig(hidden=(2,)))
    first.step("cycle", 11)
    batch_rows = first.trainer.last_workspace.acts[0]
    again = TrainingSession(SessionConfig(hidden=(2,)))
    again.step("cycle", 10)
    again.import_weights(str(path))
    again.step("cycle", 1)
    assert np.array_equal(again.trainer.last_workspace.acts[0], batch_rows)


def test_an_import_while_rewound_goes_on_from_the_cycle_shown(tmp_path):
    path, _trained, _ = _trained_file(tmp_path)
    session = TrainingSession(SessionConfig(hidden=(3,)))
    session.step("cycle", 30)
    session.rewind(10)
    session.import_weights(str(path))
    snap = session.snapshot()
    assert snap.cycle == 10 and not snap.rewound and snap.timeline == (0, 10)
    assert snap.batch_cycles.max() == 9


def test_the_trainer_process_imports_weights_and_refuses_a_bad_file(tmp_path):
    """Over the pipe: a snapshot of the imported network, or an error and the network as it was."""
    path, trained, _ = _trained_file(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"meta": {"format": "something else"}}))
    ours, thread = start_service(SessionConfig(hidden=(2,)))
    first = receive(ours, "snapshot")
    ours.send(("import_weights", (str(bad),)))
    assert "bad.json" in receive(ours, "error")
    assert receive(ours, "snapshot").spec == first.spec
    ours.send(("import_weights", (str(path),)))
    snap = receive(ours, "snapshot")
    assert snap.spec == trained.network.spec and "Imported w.npz" in snap.message
    ours.send(("quit", ()))
    receive(ours, "bye")
    thread.join(5)


def test_generated_data_with_extra_features_keep_their_plane(tmp_path):
    """A model of x1, x2 and x1² imported on the same generated data: the decision plane still draws."""
    config = SessionConfig(data=DataSpec("circle", features=("x1_squared",)), hidden=(4,))
    path, _trained, expected = _trained_file(tmp_path, config=config)
    session = TrainingSession(replace(config, hidden=(6,)))
    session.import_weights(str(path))
    assert not session.config.data.custom
    assert np.array_equal(session.experiment.predict_raw(session.dataset.X), expected)
    assert session.snapshot().boundary is not None

