"""An import of weights goes on with the run's place in it: counters, batch order, and where a divergence returns."""

import numpy as np

from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession

# No momentum and no noise: the fresh momentum and noise stream an import brings change nothing.
PLAIN = SessionConfig(hidden=(4,), hyper=Hyperparameters(learning_rate=2.0), batch_size=7)


def test_reimporting_the_weights_shown_then_training_on_is_the_same_run_bit_for_bit(tmp_path):
    """Batches of 7 from 160 rows: cycle 30 is inside epoch 1, so the batch order and position must carry."""
    straight = TrainingSession(PLAIN)
    straight.step("cycle", 50)
    session = TrainingSession(PLAIN)
    session.step("cycle", 30)
    path = tmp_path / "own.npz"
    session.export(str(path))
    session.import_weights(str(path))
    assert (session.trainer.cycle, session.trainer.epoch) == (30, 1)
    session.step("cycle", 20)
    assert (session.trainer.cycle, session.trainer.epoch) == (straight.trainer.cycle, straight.trainer.epoch)
    assert np.array_equal(session.network.flat, straight.network.flat)
    assert np.array_equal(session.snapshot().batch_loss, straight.snapshot().batch_loss)


def test_a_divergence_right_after_an_import_goes_back_to_the_import_not_to_cycle_zero(tmp_path):
    """No checkpoint since the import proved sane (a huge weight first): the run goes back to where the import put it.
    """
    config = SessionConfig(data=DataSpec(name="plane"), hidden=(4,), hyper=Hyperparameters(learning_rate=0.1),
                           batch_size=10)
    trained = TrainingSession(config)
    trained.step("cycle", 40)
    path = tmp_path / "w.npz"
    trained.export(str(path))
    session = TrainingSession(config)
    session.step("cycle", 25)
    session.import_weights(str(path))
    imported = session.network.flat.copy()
    session.set_weight(1, 0, 0, 1e6)  # the checkpoint taken here is not sane
    session.set_hyper(Hyperparameters(learning_rate=100.0, momentum=0.9))
    session.step("cycle", 8)
    snapshot = session.snapshot()
    assert "diverged" in snapshot.message
    assert snapshot.cycle == 25 and session.trainer.diverged_at is None
    assert np.array_equal(session.network.flat, imported)
    assert snapshot.batch_cycles.tolist() == list(range(25))  # the curves up to the import stay
