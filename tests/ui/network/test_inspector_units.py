"""The inspector on a regression output: standardised values labelled, and each in the data's units beside it."""

import numpy as np
import pytest

from nnstudio.engine.explain.inspect import SampleTrace, neuron_report
from nnstudio.ui.network.inspector import NeuronInspector, format_in_units


def _price_report(name="price", scaling=(400_000.0, 50_000.0)):
    """Output 0.25, target 0.53 (standardised) of a 2-1 linear neuron: x = (0.4, 0.2), W = (0.5, −0.25), b = 0.1."""
    trace = SampleTrace(
        row=0, batch_size=1, activation_names=("linear",), loss_name="mse",
        activations=(np.array([0.4, 0.2]), np.array([0.25])), sums=(np.array([0.25]),),
        weights=(np.array([[0.5], [-0.25]]),), biases=(np.array([0.1]),), target=np.array([0.53]),
        loss=0.28 ** 2, deltas=(np.array([2 * (0.25 - 0.53)]),), weight_updates=None, learning_rate=0.1,
    )
    return neuron_report(trace, 1, 0, scaling, name)


@pytest.fixture
def inspector(qtbot):
    widget = NeuronInspector()
    qtbot.addWidget(widget)
    return widget


def test_target_output_and_error_are_labelled_standardised_with_prices_beside(inspector):
    inspector.set_report(_price_report())
    text = inspector.plain_text()
    assert "target = 0.53 (standardised) = 426,500 in price" in text
    assert "act = 0.25 = 0.25 (standardised) = 412,500 in price" in text
    assert "error = target − output = 0.53 − 0.25 = 0.28 (standardised) = 14,000 in price" in text
    assert "loss of this sample = Σ (target − output)² / outputs = 0.0784 (standardised targets)" in text
    assert "(price − 400,000) / 50,000" in text


def test_without_a_scaling_nothing_says_standardised(inspector):
    inspector.set_report(_price_report(scaling=None))
    text = inspector.plain_text()
    assert "target = 0.53\n" in text + "\n" and "standardised" not in text and "in price" not in text


def test_a_hostile_target_name_is_shown_as_text(inspector):
    inspector.set_report(_price_report(name="<b>price</b> & <img src=x>"))
    text = inspector.plain_text()
    assert "426,500 in <b>price</b> & <img src=x>" in text


@pytest.mark.parametrize("value, shown", [
    (412_500.0, "412,500"), (-16_500.0, "−16,500"), (0.0, "0"), (-0.0, "0"), (0.1234567, "0.123457"),
    (1_234_567.89, "1,234,568"), (12.5, "12.5"), (3e20, "3e20"), (2e-7, "2e−7"),
])
def test_values_in_the_datas_units_read_as_a_person_writes_them(value, shown):
    assert format_in_units(value) == shown
