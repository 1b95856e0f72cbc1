"""Export a trained model as a standalone numpy script a person can read and run without NN Studio.

``export_numpy_script(model, path)`` writes one ``.py`` file that needs only numpy. Its
layout, top to bottom:

- a docstring: what the file is, the architecture, how to use it;
- the constants: ``FEATURE_NAMES``, ``TASK``, ``CLASS_NAMES``, ``MEAN`` and ``STD`` (the input
  standardisation), then ``W0``, ``b0``, ``W1``, ``b1``, ... with ``W[l]`` shaped
  (fan_in, fan_out), all as Python float literals written with ``repr`` (exact: they read
  back to the same float64 bits);
- the activation functions the network uses, written as the engine computes them;
- ``predict(X)``: raw inputs (n, n_inputs) to outputs (n, n_outputs);
  ``predict_labels(X)``: class names, one per row (classification);
- ``main``: ``python model.py data.csv`` prints ``y0..y{k-1}`` (and ``label``) as CSV,
  like ``nnstudio predict``.

The write is atomic. Hostile names are handled by ``export_script_parts``.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from nnstudio.engine.io.export_script_parts import (
    CSV_MAIN,
    checked_layout,
    constants_source,
    import_lines,
    script_docstring,
    short_list,
    write_script,
)
from nnstudio.engine.io.formats import ModelFile
from nnstudio.engine.nn.activations import LEAKY_RELU_ALPHA

__all__ = ["export_numpy_script", "numpy_script_source"]

#: What each activation computes, as the numpy script writes it (same operations as the engine).
NUMPY_ACTIVATIONS = {
    "sigmoid": '''def sigmoid(z):
    """1 / (1 + e^-z), computed as 0.5 * (1 + tanh(z / 2)): the same function, never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))
''',
    "tanh": '''def tanh(z):
    return np.tanh(z)
''',
    "relu": '''def relu(z):
    """max(0, z)"""
    return np.maximum(z, 0.0)
''',
    "leaky_relu": f'''def leaky_relu(z):
    """z for z > 0, else {LEAKY_RELU_ALPHA!r} * z"""
    return np.maximum({LEAKY_RELU_ALPHA!r} * z, z)
''',
    "linear": '''def linear(z):
    """no squashing: the sums themselves"""
    return z
''',
    "softmax": '''def softmax(z):
    """e^z_k / sum_j e^z_j along each row; the row maximum is subtracted first (no overflow)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''',
}


def export_numpy_script(model: ModelFile, path: str | os.PathLike) -> None:
    """Write ``model`` as a standalone numpy script at ``path`` (see the module docstring), atomically."""
    write_script(path, numpy_script_source(model, Path(path).name))


def numpy_script_source(model: ModelFile, file_name: str = "model.py") -> str:
    """The text of the numpy script for ``model``, to be saved as ``file_name``."""
    spec, n_in, n_out, features = checked_layout(model)
    used = list(dict.fromkeys(spec.activations))
    doc = script_docstring(
        model,
        title="A trained NN Studio network as a standalone numpy script.",
        needs="Needs only numpy (no nnstudio).",
        usage=[
            "In Python:",
            *import_lines(file_name, "predict" + (", predict_labels" if model.task == "classification" else "")),
            f"    predict(X)          # X: raw inputs, shape (n, {n_in}) -> outputs, shape (n, {n_out})",
            *(
                ["    predict_labels(X)   # -> the predicted class name of each row"]
                if model.task == "classification"
                else []
            ),
            "From a shell: print the predictions for the rows of a CSV file whose header names",
            f"the inputs ({short_list(features)}), in any column order:",
            f"    python {shlex.quote(file_name)} data.csv > predictions.csv",
            "    # columns y0..y{k-1}"
            + (" and label" if model.task == "classification" else "")
            + ", as `nnstudio predict` writes them",
        ],
    )
    layers = ",\n".join(
        f"    (np.array(W{index}), np.array(b{index}), {name})" for index, name in enumerate(spec.activations)
    )
    parts = [
        "#!/usr/bin/env python3\n",
        doc,
        "\nimport csv\nimport sys\n\nimport numpy as np\n\n",
        constants_source(model),
        "\n\n# -- activations --------------------------------------------------------------------\n",
        "\n\n".join(NUMPY_ACTIVATIONS[name] for name in used),
        "\n\n#: (W, b, activation) of each layer, in order.\nLAYERS = [\n" + layers + ",\n]\n",
        "MEAN_ARRAY, STD_ARRAY = np.array(MEAN), np.array(STD)\n",
        f'''

# -- prediction -----------------------------------------------------------------------
def predict(X):
    """Outputs, shape (n, {n_out}), for raw inputs X, shape (n, {n_in}) (an array or a list of rows)."""
    a = np.asarray(X, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    if a.ndim != 2 or a.shape[1] != N_INPUTS:
        raise ValueError(f"X has shape {{a.shape}}; the network takes (n, {{N_INPUTS}})")
    a = (a - MEAN_ARRAY) / STD_ARRAY  # the standardisation the network was trained with
    for W, b, f in LAYERS:
        a = f(a @ W + b)
    return a


def predict_labels(X):
    """The predicted class name of each row of X: {_label_rule(model)}."""
    if TASK != "classification":
        raise ValueError("this is a regression model: it has no class labels; use predict(X)")
    outputs = predict(X)
    if outputs.shape[1] == 1:
        ids = (outputs[:, 0] >= 0.5).astype(int)
    else:
        ids = outputs.argmax(axis=1)
    return [CLASS_NAMES[i] for i in ids]
''',
        CSV_MAIN,
    ]
    return "".join(parts)


def _label_rule(model: ModelFile) -> str:
    if model.network.spec.sizes[-1] == 1:
        return "CLASS_NAMES[1] where the output is >= 0.5, else CLASS_NAMES[0]"
    return "the class of the largest output"
