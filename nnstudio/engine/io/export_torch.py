"""Export a trained model as a PyTorch script: the same network and exact weights, ready to train on.

``export_torch_script(model, path)`` writes a ``.py`` file that rebuilds the network as a
``torch.nn.Sequential`` (a fixed ``Standardize`` module, then ``Linear`` + activation per
layer), loads the same exact weights in float64, and defines ``build_model()``,
``predict(X)``, ``loss_fn`` (the app's loss in torch terms) and
``train_more(X, Y, epochs, lr)`` (plain ``torch.optim.SGD``, to carry on training there).

The write is atomic and does not import torch: only the written file does. Hostile names
are handled by ``export_script_parts``.
"""

from __future__ import annotations

import os
import shlex
import textwrap
from pathlib import Path

from nnstudio.engine.io.export_script_parts import (
    CSV_MAIN,
    checked_layout,
    class_names,
    constants_source,
    import_lines,
    script_docstring,
    short_list,
    write_script,
)
from nnstudio.engine.io.formats import ModelFile
from nnstudio.engine.nn.activations import LEAKY_RELU_ALPHA

__all__ = ["export_torch_script", "torch_script_source"]

TORCH_MODULES = {
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": f"nn.LeakyReLU({LEAKY_RELU_ALPHA!r})",
    "linear": "nn.Identity()",
    "softmax": "nn.Softmax(dim=1)",
}


def export_torch_script(model: ModelFile, path: str | os.PathLike) -> None:
    """Write ``model`` as a PyTorch script at ``path`` (see the module docstring), atomically."""
    write_script(path, torch_script_source(model, Path(path).name))


def torch_script_source(model: ModelFile, file_name: str = "model_torch.py") -> str:
    """The text of the PyTorch script for ``model``, to be saved as ``file_name``."""
    spec, n_in, n_out, features = checked_layout(model)
    loss_doc, loss_body, loss_comment = _torch_loss(spec.loss, spec.activations[-1])
    doc = script_docstring(
        model,
        title="A trained NN Studio network as a PyTorch script.",
        needs="Needs torch and numpy (no nnstudio); the weights load in float64, exactly as trained.",
        usage=[
            "In Python:",
            *import_lines(file_name, "build_model, predict, train_more"),
            "    model = build_model()   # nn.Sequential in float64; build_model(torch.float32) for float32",
            f"    predict(X)              # X: raw inputs, shape (n, {n_in}) -> numpy outputs, shape (n, {n_out})",
            "    model = train_more(X, Y, epochs=100, lr=0.5)   # carry on training (see below)",
            f"From a shell, for a CSV file whose header names the inputs ({short_list(features)}):",
            f"    python {shlex.quote(file_name)} data.csv > predictions.csv",
            "    # columns y0..y{k-1}"
            + (" and label" if model.task == "classification" else "")
            + ", as `nnstudio predict` writes them",
        ],
        extra=[
            "Continuing training here",
            *textwrap.wrap(
                f"train_more runs torch.optim.SGD on the same loss as the app ({loss_comment}). "
                f"Y holds the targets as NN Studio encodes them: {_target_encoding(model)}. "
                "Pass momentum=... or weight_decay=... to torch.optim.SGD (the app's --momentum and "
                "--l2) to match those settings. The Standardize module has buffers, not parameters, "
                "so the input standardisation stays fixed while the weights learn.",
                width=88,
                initial_indent="    ",
                subsequent_indent="    ",
                break_on_hyphens=False,
                break_long_words=False,
            ),
        ],
    )
    modules = ['        ("standardize", Standardize()),']
    for index, name in enumerate(spec.activations):
        fan_in, fan_out = spec.sizes[index], spec.sizes[index + 1]
        modules.append(f'        ("dense{index}", nn.Linear({fan_in}, {fan_out})),')
        module_name = f"{'identity' if name == 'linear' else name}{index}"
        modules.append(f"        ({module_name!r}, {TORCH_MODULES[name]}),")
    parts = [
        "#!/usr/bin/env python3\n",
        doc,
        "\nimport csv\nimport sys\nfrom collections import OrderedDict\n\n"
        "import numpy as np\nimport torch\nfrom torch import nn\n\n",
        constants_source(model),
        "WEIGHTS = [" + ", ".join(f"W{index}" for index in range(spec.n_layers)) + "]\n",
        "BIASES = [" + ", ".join(f"b{index}" for index in range(spec.n_layers)) + "]\n",
        '''

# -- the model ------------------------------------------------------------------------
class Standardize(nn.Module):
    """The fixed input standardisation (x - MEAN) / STD; buffers, so training leaves it alone."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(MEAN, dtype=torch.float64))
        self.register_buffer("std", torch.tensor(STD, dtype=torch.float64))

    def forward(self, x):
        return (x - self.mean) / self.std


def build_model(dtype=torch.float64):
    """The trained network: Standardize, then one Linear and one activation per layer."""
    model = nn.Sequential(OrderedDict([
'''
        + "\n".join(modules)
        + '''
    ])).double()
    with torch.no_grad():
        linears = [module for module in model if isinstance(module, nn.Linear)]
        for linear, W, b in zip(linears, WEIGHTS, BIASES):
            # torch stores a Linear's weight as (fan_out, fan_in): the transpose of W here.
            linear.weight.copy_(torch.tensor(W, dtype=torch.float64).T)
            linear.bias.copy_(torch.tensor(b, dtype=torch.float64))
    return model.to(dtype)


def _as_tensor(X, dtype):
    x = torch.as_tensor(np.asarray(X, dtype=np.float64), dtype=dtype)
    if x.dim() == 1:
        x = x.reshape(1, -1)
    if x.dim() != 2 or x.shape[1] != N_INPUTS:
        raise ValueError(f"X has shape {tuple(x.shape)}; the network takes (n, {N_INPUTS})")
    return x


def predict(X, model=None):
    """Outputs (n, N_OUTPUTS) as a float64 numpy array for raw inputs X (n, N_INPUTS)."""
    model = build_model() if model is None else model
    dtype = next(model.parameters()).dtype
    model.eval()
    with torch.no_grad():
        return model(_as_tensor(X, dtype)).to(torch.float64).numpy()


# -- training -------------------------------------------------------------------------
def loss_fn(model, x, y):
    """'''
        + loss_doc
        + '''"""
'''
        + loss_body
        + '''

# To continue training where NN Studio stopped, on your rows X (raw) and targets Y:
#     model = train_more(X, Y, epochs=50, lr=0.5)
#     predict(X_new, model)
# It is plain PyTorch: torch.optim.SGD stepping on loss_fn. For the app's momentum or L2,
# pass momentum=... or weight_decay=... to torch.optim.SGD below.
def train_more(X, Y, epochs=100, lr=0.5, batch_size=10, model=None, seed=0):
    """Continue training with plain SGD on the app's loss; returns the trained model.

    X: raw inputs (n, N_INPUTS); Y: targets (n, N_OUTPUTS), encoded as the app does (see the
    top of this file). Each epoch shuffles the rows (seeded) and takes one SGD step per
    batch of ``batch_size`` rows; ``batch_size=None`` is one full-batch step per epoch.
    ``model``: a model to train further (default: a fresh ``build_model()``).
    """
    model = build_model() if model is None else model
    dtype = next(model.parameters()).dtype
    x_all = _as_tensor(X, dtype)
    y_all = torch.as_tensor(np.asarray(Y, dtype=np.float64), dtype=dtype).reshape(len(x_all), N_OUTPUTS)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    n = len(x_all)
    step = n if batch_size is None else batch_size
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, step):
            rows = order[start:start + step]
            optimizer.zero_grad()
            loss = loss_fn(model, x_all[rows], y_all[rows])
            loss.backward()
            optimizer.step()
    model.eval()
    return model
''',
        CSV_MAIN,
    ]
    return "".join(parts)


def _target_encoding(model: ModelFile) -> str:
    n_out = model.network.spec.sizes[-1]
    if model.task == "regression":
        return "the target values themselves (not standardised)"
    if n_out == 1:
        return f"one column, 0 for {class_names(model)[0]!r} and 1 for {class_names(model)[1]!r}"
    return f"one-hot rows over the {n_out} classes, in the order of CLASS_NAMES"


def _torch_loss(loss: str, output: str) -> tuple[str, str, str]:
    """(docstring, body, one-line summary) of the generated ``loss_fn``."""
    if loss == "mse":
        return (
            "The app's loss, mse: the mean of the squared errors over the batch and the outputs.",
            "    return nn.functional.mse_loss(model(x), y)\n",
            "mse, which is nn.MSELoss()",
        )
    if output == "softmax":
        return (
            "The app's loss, cross_entropy on a softmax: -sum_k y_k log a_k, averaged over the batch.\n\n"
            "    torch's cross_entropy applies the softmax itself, so it takes the sums of the last\n"
            "    layer: the model without its final Softmax module. y: one-hot rows.\n    ",
            "    return nn.functional.cross_entropy(model[:-1](x), y)\n",
            "cross_entropy, which is nn.CrossEntropyLoss() on the logits model[:-1](x)",
        )
    return (
        "The app's loss, cross_entropy on sigmoid outputs: binary cross-entropy averaged over\n"
        "    the batch and the outputs, computed from the sums of the last layer (the model without\n"
        "    its final Sigmoid module), as the app does, so a saturated neuron gives no log(0).\n    ",
        "    return nn.functional.binary_cross_entropy_with_logits(model[:-1](x), y)\n",
        "cross_entropy, which is nn.BCEWithLogitsLoss() on the logits model[:-1](x)",
    )
