"""A divergence goes back to a sane checkpoint's weights, never to its learning settings.

The window shows the learning rate, momentum and batch size the learner set; after a
rollback the trainer must still use exactly those, or the controls and the trainer
disagree (seen as "the controls show learning rate 100 while the trainer uses 0").
"""

from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession


def _diverged_after_new_settings() -> tuple[TrainingSession, Hyperparameters]:
    """Plane at learning rate 0 for 95 cycles, a huge weight, then rate 100 and batch 7: it diverges."""
    session = TrainingSession(SessionConfig(data=DataSpec(name="plane"), hyper=Hyperparameters(learning_rate=0.0),
                                            batch_size=10))
    session.step("cycle", 49)
    session.step("cycle", 46)
    session.set_weight(1, 0, 0, 1e6)  # the checkpoint taken here is not sane: the rollback goes further back
    wanted = Hyperparameters(learning_rate=100.0, momentum=0.9)
    session.set_hyper(wanted)
    session.set_batch_size(7)
    session.step("cycle", 8)
    return session, wanted


def test_a_rollback_to_a_checkpoint_older_than_the_last_settings_keeps_the_new_settings():
    session, wanted = _diverged_after_new_settings()
    snapshot = session.snapshot()
    assert "diverged" in snapshot.message
    assert snapshot.cycle < 95, "the rollback went back past the change of settings"
    assert session.trainer.hyper == wanted and session.config.hyper == wanted
    assert snapshot.hyper == wanted
    assert session.trainer.batch_size == 7 and snapshot.batch_size == 7
    assert "(now 100)" in snapshot.message


def test_roll_back_keeps_the_settings_of_the_divergence_even_when_before_rewinds_them():
    """``before`` (the window's timeline cut) may put back an old cycle's settings; the rollback ignores them.

    One weight, target 0: lr 1.5 gives e·(−5) a cycle and diverges at cycle 5, rolling back to cycle 1.
    """
    net = Network(NetworkSpec((1, 1), ("linear",)), [[[0.5]]], [[0.0]])
    trainer = Trainer(net, [[1.0]], [[0.0]], hyper=Hyperparameters(learning_rate=1.5), classification=False,
                      eval_every=0)
    for _ in range(10):
        trainer.checkpoint()
        trainer.step_cycle(1)
    stale = Hyperparameters(learning_rate=0.0)

    def rewind_settings(cycle: int) -> None:
        trainer.set_hyperparameters(stale)

    rollback = trainer.roll_back(before=rewind_settings)
    assert rollback.cycle == 1
    assert trainer.hyper == Hyperparameters(learning_rate=1.5)
