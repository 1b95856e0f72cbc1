"""The panel's spec dict is DataSpec's plain form: a spec shown in the panel comes back the same."""

import pytest

from nnstudio.engine.run.config import DataSpec
from nnstudio.engine.run.seeds import MAX_SEED
from nnstudio.ui.data.dataset_panel import panel_spec


@pytest.mark.parametrize("data", [
    DataSpec("moons", n_samples=150, noise=0.25, seed=MAX_SEED, test_fraction=0.3, features=("x1_squared", "sin_x2")),
    DataSpec("circle", n_samples=4, noise=0.0, seed=5_000_000, test_fraction=0.0),
])
def test_a_data_spec_shown_in_the_panel_comes_back_as_it_was(panel, data):
    """What the window shows of a run's data is what the panel hands back for the next one."""
    panel.set_data_spec(panel_spec(data))
    assert DataSpec(**panel.data_spec()) == data


def test_the_spec_is_the_plain_form_without_custom_and_with_features_a_tuple():
    data = DataSpec("spiral", features=("x1_x2",))
    assert panel_spec(data) == {"name": "spiral", "n_samples": 200, "noise": 0.1, "seed": 0, "test_fraction": 0.2,
                                "features": ("x1_x2",)}
