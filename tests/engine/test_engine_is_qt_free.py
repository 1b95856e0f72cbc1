"""The engine must import and train with every Qt binding made unimportable."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import importlib
    import importlib.abc
    import pkgutil
    import sys

    BLOCKED = ("PySide6", "shiboken6", "pyqtgraph", "PyQt")

    class BlockQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.startswith(BLOCKED):
                raise ImportError(f"blocked for this test: {name}")
            return None

    sys.meta_path.insert(0, BlockQt())
    for name in list(sys.modules):
        if name.startswith(BLOCKED):
            del sys.modules[name]

    try:
        import PySide6  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("the blocker did not block PySide6")

    import numpy as np
    import nnstudio.engine

    modules = [info.name for info in pkgutil.walk_packages(nnstudio.engine.__path__, "nnstudio.engine.")]
    for name in modules:
        importlib.import_module(name)
    modules = [name.rsplit(".", 1)[-1] for name in modules]

    from nnstudio.engine.nn.network import Network, NetworkSpec
    from nnstudio.engine.nn.optim import Hyperparameters
    from nnstudio.engine.nn.trainer import Trainer

    net = Network.from_spec(NetworkSpec((2, 4, 1), ("sigmoid", "sigmoid")), seed=0)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = np.array([[0.0], [1.0], [1.0], [0.0]])
    trainer = Trainer(net, X, Y, hyper=Hyperparameters(learning_rate=0.5, momentum=0.5, noise=0.01))
    trainer.step_cycle(5)
    trainer.step_phases(6)
    trainer.step_epoch(2)
    assert trainer.cycle == 8 and net.is_finite()

    leaked = sorted(m for m in sys.modules if m.startswith(BLOCKED))
    if leaked:
        raise SystemExit(f"Qt modules loaded: {leaked}")
    print("imported", len(modules), "engine modules:", " ".join(modules))
    """
)


def test_engine_imports_and_trains_without_any_qt_binding():
    """Importing every nnstudio.engine module and training works when Qt imports raise ImportError."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    result = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "imported" in result.stdout
    for name in ("activations", "losses", "network", "optim", "trainer", "history", "datasets"):
        assert name in result.stdout.split(), result.stdout
