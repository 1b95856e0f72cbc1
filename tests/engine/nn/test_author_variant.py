"""The seed author's open question, "loss = dl/dw" versus "loss += dl/dw", as a delta rule.

Every expected number here comes from a plain-numpy 2-4-1 loop written in this file from
the rule's definition: under "accumulate", a hidden layer's δ is this cycle's
backpropagated error plus the error the layer kept from the cycles before (spread over the
batch's rows), and the layer keeps the batch's summed δ for the next cycle.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnstudio.engine.nn.network import DELTA_RULES, Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])
SPEC = NetworkSpec((2, 4, 1), ("sigmoid", "sigmoid"))


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^-z), without overflow for saturated neurons


def reference_run(weights, biases, X, Y, lr, rule, cycles=None, rows=None):
    """2-4-1 sigmoid/MSE gradient descent written out; ``rows`` lists each cycle's row indices.

    Returns (W0, b0, W1, b1, losses, kept) after the cycles.
    """
    W0, W1 = (np.array(W, dtype=np.float64) for W in weights)
    b0, b1 = (np.array(b, dtype=np.float64) for b in biases)
    kept = np.zeros(W0.shape[1])
    losses = []
    batches = rows if rows is not None else [np.arange(len(X))] * cycles
    for batch in batches:
        x, y = X[batch], Y[batch]
        h = _sigmoid(x @ W0 + b0)
        out = _sigmoid(h @ W1 + b1)
        losses.append(np.mean((out - y) ** 2))
        d_out = 2.0 * (out - y) / out.size * out * (1.0 - out)
        d_hidden = (d_out @ W1.T) * h * (1.0 - h)
        if rule == "accumulate":
            d_hidden = d_hidden + kept / len(x)
            kept = d_hidden.sum(axis=0)
        W1 = W1 - lr * (h.T @ d_out)
        b1 = b1 - lr * d_out.sum(axis=0)
        W0 = W0 - lr * (x.T @ d_hidden)
        b0 = b0 - lr * d_hidden.sum(axis=0)
    return W0, b0, W1, b1, np.array(losses), kept


def _xor_trainer(seed: int, lr: float, rule: str, batch_size=None) -> Trainer:
    network = Network.from_spec(SPEC, seed=seed)
    return Trainer(network, XOR_X, XOR_Y, hyper=Hyperparameters(learning_rate=lr), batch_size=batch_size,
                   seed=seed, delta_rule=rule, eval_every=0)


def _initial(seed: int):
    network = Network.from_spec(SPEC, seed=seed)
    return [W.copy() for W in network.weights], [b.copy() for b in network.biases]


@pytest.mark.parametrize("rule", DELTA_RULES)
def test_each_rule_trains_as_the_written_out_loop(rule):
    """300 full-batch cycles on XOR: weights and every batch loss agree with the plain loop."""
    trainer = _xor_trainer(seed=3, lr=2.0, rule=rule)
    trainer.step_cycle(300)
    W0, b0, W1, b1, losses, kept = reference_run(*_initial(3), XOR_X, XOR_Y, 2.0, rule, cycles=300)
    net = trainer.network
    for got, want in ((net.weights[0], W0), (net.biases[0], b0), (net.weights[1], W1), (net.biases[1], b1)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    _, batch_losses = trainer.history.batch_loss.arrays()
    np.testing.assert_allclose(batch_losses[:, 0], losses, rtol=1e-10)
    if rule == "accumulate":
        np.testing.assert_allclose(trainer.state()["kept_deltas"][0], kept, rtol=1e-10, atol=1e-14)


def test_one_sample_a_cycle_adds_the_new_error_to_the_last_cycles_delta():
    """Batch size 1, the seed's per-sample learning: δ(t) = δ(t−1) + (δ_out W1ᵀ) ⊙ f'(z), cycle after cycle.

    Each cycle is stepped phase by phase; the fresh error is worked out here from that
    cycle's forward numbers, and the sample from its input, so the loop follows the
    trainer's order without recomputing it.
    """
    trainer = _xor_trainer(seed=1, lr=0.5, rule="accumulate", batch_size=1)
    rows, previous = [], np.zeros(4)
    for _ in range(40):
        records = {(r.kind, r.layer): r.values for r in (trainer.step_phase() for _ in range(6))}
        h, out = records["forward", 0]["activation"], records["forward", 1]["activation"]
        d_out = 2.0 * (out - records["loss", None]["target"]) / out.size * out * (1.0 - out)
        fresh = (d_out @ records["forward", 1]["weights"].T) * h * (1.0 - h)
        delta = records["backward", 0]["delta"]
        np.testing.assert_allclose(delta, previous + fresh, rtol=1e-12, atol=1e-15)
        previous = delta[0]
        rows.append(np.flatnonzero((records["forward", 0]["input"][0] == XOR_X).all(axis=1)))
    W0, b0, W1, b1, _, kept = reference_run(*_initial(1), XOR_X, XOR_Y, 0.5, "accumulate", rows=rows)
    for got, want in zip(trainer.network.parameters(), (W0, b0, W1, b1)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(previous, kept, rtol=1e-10, atol=1e-14)


def test_accumulating_deltas_cannot_learn_xor_where_setting_them_does():
    """The seed's question answered on XOR 2-4-1 (full batch, lr 2, seed 3, 2000 cycles).

    The plain loop gives: "set" ends below loss 0.001 with every point right; "accumulate"
    is stuck at about 1/6 with one point wrong, because the kept error never goes back to
    zero: the hidden biases keep walking (past ±400), the hidden sigmoids saturate and
    f'(z) ≈ 0 stops their learning. The trainer agrees with the loop on both.
    """
    results = {}
    for rule in DELTA_RULES:
        W0, b0, W1, b1, losses, _ = reference_run(*_initial(3), XOR_X, XOR_Y, 2.0, rule, cycles=2000)
        outputs = _sigmoid(_sigmoid(XOR_X @ W0 + b0) @ W1 + b1)
        results[rule] = (float(np.mean((outputs - XOR_Y) ** 2)), float(np.mean((outputs >= 0.5) == XOR_Y)),
                         float(np.abs(b0).max()))
        trainer = _xor_trainer(seed=3, lr=2.0, rule=rule)
        trainer.step_cycle(2000)
        evaluation = trainer.evaluate(record=False)
        assert evaluation.train_loss == pytest.approx(results[rule][0], rel=1e-6)
        assert evaluation.train_accuracy == results[rule][1]
    set_loss, set_accuracy, set_bias = results["set"]
    acc_loss, acc_accuracy, acc_bias = results["accumulate"]
    assert set_loss < 1e-3 and set_accuracy == 1.0 and set_bias < 10
    assert 0.15 < acc_loss < 0.2 and acc_accuracy == 0.75 and acc_bias > 400


def test_default_rule_is_set_and_leaves_the_state_as_it_was():
    """A trainer made without a rule backprops as "set", bit for bit, and its state names no rule."""
    default = Trainer(Network.from_spec(SPEC, seed=0), XOR_X, XOR_Y, batch_size=2, seed=0)
    explicit = _xor_trainer(seed=0, lr=0.5, rule="set", batch_size=2)
    for trainer in (default, explicit):
        trainer.step_cycle(50)
    assert default.delta_rule == "set"
    assert np.array_equal(default.network.flat, explicit.network.flat)
    assert "delta_rule" not in default.state() and "kept_deltas" not in default.state()


def test_accumulate_state_round_trips_bit_for_bit():
    """state()/load_state() carries the rule and the kept error: a copy goes on exactly as the original."""
    original = _xor_trainer(seed=2, lr=1.0, rule="accumulate", batch_size=2)
    original.step_cycle(37)
    copy = _xor_trainer(seed=99, lr=1.0, rule="set", batch_size=2)
    copy.load_state(original.state())
    assert copy.delta_rule == "accumulate"
    original.step_cycle(25)
    copy.step_cycle(25)
    assert np.array_equal(original.network.flat, copy.network.flat)
    assert all(np.array_equal(a, b) for a, b in zip(original.state()["kept_deltas"], copy.state()["kept_deltas"]))


def test_a_rollback_restores_the_kept_error_of_its_checkpoint():
    """After a divergence, the trainer goes on from the checkpoint with the error kept at that cycle."""
    spec = NetworkSpec((2, 4, 1), ("sigmoid", "linear"))  # an unbounded output, so the loss can run away
    trainer = Trainer(Network.from_spec(spec, seed=0), XOR_X, XOR_Y, hyper=Hyperparameters(learning_rate=0.5),
                      delta_rule="accumulate", eval_every=0)
    kept_at = {}
    for _ in range(3):
        kept_at[trainer.cycle] = [k.copy() for k in trainer.state()["kept_deltas"]]
        trainer.checkpoint()
        trainer.step_cycle(10)
    trainer.set_hyperparameters(Hyperparameters(learning_rate=1e9))
    with np.errstate(all="ignore"):
        trainer.step_cycle(10)
    assert trainer.check_divergence() is not None
    rollback = trainer.roll_back()
    assert rollback.proven and rollback.cycle in kept_at and rollback.cycle > 0
    for got, want in zip(trainer.state()["kept_deltas"], kept_at[rollback.cycle]):
        assert np.array_equal(got, want)


def test_bad_rules_and_states_are_refused_by_name():
    with pytest.raises(ValueError, match="delta rule 'add'"):
        _xor_trainer(seed=0, lr=1.0, rule="add")
    trainer = _xor_trainer(seed=0, lr=1.0, rule="accumulate")
    state = trainer.state()
    before = trainer.network.flat.copy()
    with pytest.raises(ValueError, match="kept delta"):
        trainer.load_state({**state, "kept_deltas": [np.zeros(3), np.zeros(1)]})
    with pytest.raises(ValueError, match="delta rule"):
        trainer.load_state({**state, "delta_rule": "sometimes"})
    assert np.array_equal(trainer.network.flat, before)
