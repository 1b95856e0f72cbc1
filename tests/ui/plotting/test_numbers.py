"""Numbers a person can read: significant figures, scientific when large or tiny."""

import math

import pytest

from nnstudio.ui.plotting.numbers import MINUS, format_number, format_percent, format_short, format_value


@pytest.mark.parametrize(("value", "text"), [
    (1e300, "1e300"),            # a diverged loss: not 300 digits
    (1e-7, "1e−7"),              # a small non-zero loss: not 0.0000
    (-0.0, "0"),                 # no minus sign on nothing
    (0.0, "0"),
    (123456, "1.235e5"),
    (float("nan"), "–"),
    (float("inf"), "∞"),
    (-float("inf"), "−∞"),
    (0.25, "0.25"),
    (-0.374, "−0.374"),
    (0.10424, "0.1042"),
    (3.2e-9, "3.2e−9"),
    (-2.5e-12, "−2.5e−12"),
    (1234.4, "1234"),
    (0.0001, "0.0001"),
])
def test_format_number(value, text):
    assert format_number(value) == text


def test_a_non_zero_value_never_reads_as_zero_and_round_trips_to_four_figures():
    """Across 600 decades each text, read back, is within half a unit of the 4th figure."""
    for exponent in range(-300, 300, 7):
        for mantissa in (1.0, 2.5, -3.14159, 9.9996):
            value = mantissa * 10.0 ** exponent
            text = format_number(value)
            assert text != "0" and "-" not in text and len(text) <= len("−3.142e−300")
            back = float(text.replace(MINUS, "-"))
            assert math.isclose(back, value, rel_tol=5.01e-4)


@pytest.mark.parametrize(("value", "text"), [
    (0.961, "96.1%"), (1.0, "100.0%"), (0.0, "0.0%"), (-0.0, "0.0%"), (float("nan"), "–"),
    (0.99996, "99.9%"),  # not everything right: never shown as 100.0%
])
def test_format_percent(value, text):
    assert format_percent(value) == text


def test_the_status_bar_reads_a_diverged_loss_in_a_few_characters(make_window):
    """A loss of 1e300 and a tiny one show as 1e300 and 2.5e−9, leaving room for the message."""
    from dataclasses import replace

    window = make_window()
    s = window.latest
    diverged = replace(s.evaluation, train_loss=1e300, test_loss=2.5e-9, train_accuracy=0.5, test_accuracy=-0.0)
    window.draw(replace(s, evaluation=diverged, message="Training diverged: try a smaller learning rate."))
    assert window.metrics_label.text() == "train loss 1e300 · test loss 2.5e−9 · train acc 50.0% · test acc 0.0%"
    assert window.metrics_label.sizeHint().width() < window.width() // 2  # the message keeps its room
    assert "smaller learning rate" in window.statusBar().currentMessage()


@pytest.mark.parametrize("value, short, signed", [
    (0.0, "0", "0"), (0.31, "0.31", "+0.31"), (-0.5, "-0.50", "-0.50"), (0.0234, "0.023", "+0.023"),
    (-0.00012, "-1e-4", "-1e-4"), (12.3, "12", "+12"), (1234.0, "1e3", "+1e3"), (float("nan"), "nan", "nan"),
])
def test_short_numbers_fit_in_a_neuron(value, short, signed):
    """Neuron and colour-bar numbers stay about six characters long."""
    assert format_short(value) == short
    assert format_short(value, signed=True) == signed


def test_precise_numbers_have_four_decimals_or_an_exponent():
    """Read-outs and tooltips: 0.1234, +0.0040, -2.000e-05."""
    assert format_value(0.12344) == "0.1234"
    assert format_value(0.004, signed=True) == "+0.0040"
    assert format_value(-2e-5, signed=True) == "-2.000e-05"
    assert format_value(float("inf")) == "inf"
