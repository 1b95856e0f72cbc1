"""The window's own lines of text, from numbers worked out here: no window, no QApplication."""

import math

from nnstudio.engine.nn.evaluation import Evaluation
from nnstudio.ui.window.network_area import network_summary
from nnstudio.ui.window.status_bar import gradient_check_text, metrics_text


def test_the_network_summary_counts_every_weight_and_bias():
    # 2·4 + 4, 4·4 + 4, 4·1 + 1
    assert network_summary((2, 4, 4, 1), "mse") == "2-4-4-1 · MSE · 37 parameters"
    # 64·32 + 32, 32·10 + 10
    assert network_summary((64, 32, 10), "cross_entropy") == "64-32-10 · cross-entropy · 2410 parameters"


def test_the_metrics_name_accuracy_only_for_classification():
    classification = Evaluation(cycle=5, train_loss=0.125, test_loss=0.25, train_accuracy=0.9375, test_accuracy=1.0)
    assert metrics_text(classification) == "train loss 0.125 · test loss 0.25 · train acc 93.8% · test acc 100.0%"
    regression = Evaluation(cycle=5, train_loss=1.5, test_loss=2.0, train_accuracy=math.nan, test_accuracy=math.nan)
    assert metrics_text(regression) == "train loss 1.5 · test loss 2"


def test_a_gradient_check_disagrees_if_any_layer_is_off():
    agreeing = [(0, 1.6e-9, 12, 12), (1, 1.1e-10, 5, 5)]
    verdict, text = gradient_check_text(agreeing)
    assert verdict == "agree"
    assert text.splitlines()[2:] == ["W0: relative error 1.60e-09 (12 of 12 weights checked)",
                                     "W1: relative error 1.10e-10 (5 of 5 weights checked)"]
    verdict, text = gradient_check_text([(0, 1.6e-9, 12, 12), (1, 2e-6, 40, 160)])
    assert verdict == "DISAGREE" and text.startswith("Backprop and finite differences DISAGREE")
