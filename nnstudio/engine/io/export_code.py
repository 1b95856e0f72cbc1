"""Export a trained model as code a person can read and run without NN Studio.

``export_numpy_script(model, path)`` writes one standalone ``.py`` file that needs only
numpy. Its layout, top to bottom:

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

``export_torch_script(model, path)`` writes a ``.py`` file that rebuilds the network as a
``torch.nn.Sequential`` (a fixed ``Standardize`` module, then ``Linear`` + activation per
layer), loads the same exact weights in float64, and defines ``build_model()``,
``predict(X)``, ``loss_fn`` (the app's loss in torch terms) and
``train_more(X, Y, epochs, lr)`` (plain ``torch.optim.SGD``, to carry on training there).

Both writes are atomic. Neither function imports torch: only the written file does.

Names come from a user's data (CSV headers, class names) and are hostile: they reach the
scripts only as ``repr()`` literals of plain strings (the constants), and the docstring
holds them as their ``repr`` too, written through ``_docstring_literal``, which escapes every
quote, backslash and unprintable character. Comments and code never hold a name.
"""

from __future__ import annotations

import keyword
import os
import shlex
import textwrap
from pathlib import Path

import numpy as np

from nnstudio import __version__
from nnstudio.engine.io.fileio import atomic_write_text
from nnstudio.engine.io.formats import FormatError, ModelFile

__all__ = ["export_numpy_script", "export_torch_script", "numpy_script_source", "torch_script_source"]

LINE_WIDTH = 100

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
    "leaky_relu": '''def leaky_relu(z):
    """z for z > 0, else 0.01 * z"""
    return np.maximum(0.01 * z, z)
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

TORCH_MODULES = {
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU(0.01)",
    "linear": "nn.Identity()",
    "softmax": "nn.Softmax(dim=1)",
}


# -- public ------------------------------------------------------------------------------
def export_numpy_script(model: ModelFile, path: str | os.PathLike) -> None:
    """Write ``model`` as a standalone numpy script at ``path`` (see the module docstring), atomically."""
    path = Path(path)
    _write(path, numpy_script_source(model, path.name))


def export_torch_script(model: ModelFile, path: str | os.PathLike) -> None:
    """Write ``model`` as a PyTorch script at ``path`` (see the module docstring), atomically."""
    path = Path(path)
    _write(path, torch_script_source(model, path.name))


def numpy_script_source(model: ModelFile, file_name: str = "model.py") -> str:
    """The text of the numpy script for ``model``, to be saved as ``file_name``."""
    _check_finite(model)
    spec = model.network.spec
    n_in, n_out = spec.sizes[0], spec.sizes[-1]
    features = _feature_names(model)
    used = list(dict.fromkeys(spec.activations))
    doc = _docstring(
        model,
        title="A trained NN Studio network as a standalone numpy script.",
        needs="Needs only numpy (no nnstudio).",
        usage=[
            "In Python:",
            *_import_lines(file_name, "predict" + (", predict_labels" if model.task == "classification" else "")),
            f"    predict(X)          # X: raw inputs, shape (n, {n_in}) -> outputs, shape (n, {n_out})",
            *(["    predict_labels(X)   # -> the predicted class name of each row"] if model.task == "classification" else []),
            "From a shell: print the predictions for the rows of a CSV file whose header names",
            f"the inputs ({_short_list(features)}), in any column order:",
            f"    python {shlex.quote(file_name)} data.csv > predictions.csv",
            "    # columns y0..y{k-1}" + (" and label" if model.task == "classification" else "") + ", as `nnstudio predict` writes them",
        ],
    )
    layers = ",\n".join(f"    (np.array(W{l}), np.array(b{l}), {name})" for l, name in enumerate(spec.activations))
    parts = [
        "#!/usr/bin/env python3\n",
        doc,
        "\nimport csv\nimport sys\n\nimport numpy as np\n\n",
        _constants(model),
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
        _CSV_MAIN,
    ]
    return "".join(parts)


def torch_script_source(model: ModelFile, file_name: str = "model_torch.py") -> str:
    """The text of the PyTorch script for ``model``, to be saved as ``file_name``."""
    _check_finite(model)
    spec = model.network.spec
    n_in, n_out = spec.sizes[0], spec.sizes[-1]
    features = _feature_names(model)
    loss_doc, loss_body, loss_comment = _torch_loss(spec.loss, spec.activations[-1])
    doc = _docstring(
        model,
        title="A trained NN Studio network as a PyTorch script.",
        needs="Needs torch and numpy (no nnstudio); the weights load in float64, exactly as trained.",
        usage=[
            "In Python:",
            *_import_lines(file_name, "build_model, predict, train_more"),
            "    model = build_model()   # nn.Sequential in float64; build_model(torch.float32) for float32",
            f"    predict(X)              # X: raw inputs, shape (n, {n_in}) -> numpy outputs, shape (n, {n_out})",
            "    model = train_more(X, Y, epochs=100, lr=0.5)   # carry on training (see below)",
            f"From a shell, for a CSV file whose header names the inputs ({_short_list(features)}):",
            f"    python {shlex.quote(file_name)} data.csv > predictions.csv",
            "    # columns y0..y{k-1}" + (" and label" if model.task == "classification" else "") + ", as `nnstudio predict` writes them",
        ],
        extra=[
            "Continuing training here",
            *textwrap.wrap(
                f"train_more runs torch.optim.SGD on the same loss as the app ({loss_comment}). "
                f"Y holds the targets as NN Studio encodes them: {_target_encoding(model)}. "
                "Pass momentum=... or weight_decay=... to torch.optim.SGD (the app's --momentum and "
                "--l2) to match those settings. The Standardize module has buffers, not parameters, "
                "so the input standardisation stays fixed while the weights learn.",
                width=88, initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False,
                break_long_words=False,
            ),
        ],
    )
    modules = ['        ("standardize", Standardize()),']
    for l, name in enumerate(spec.activations):
        fan_in, fan_out = spec.sizes[l], spec.sizes[l + 1]
        modules.append(f'        ("dense{l}", nn.Linear({fan_in}, {fan_out})),')
        module_name = f"{'identity' if name == 'linear' else name}{l}"
        modules.append(f"        ({module_name!r}, {TORCH_MODULES[name]}),")
    parts = [
        "#!/usr/bin/env python3\n",
        doc,
        "\nimport csv\nimport sys\nfrom collections import OrderedDict\n\nimport numpy as np\nimport torch\nfrom torch import nn\n\n",
        _constants(model),
        "WEIGHTS = [" + ", ".join(f"W{l}" for l in range(spec.n_layers)) + "]\n",
        "BIASES = [" + ", ".join(f"b{l}" for l in range(spec.n_layers)) + "]\n",
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
''' + "\n".join(modules) + '''
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
    """''' + loss_doc + '''"""
''' + loss_body + '''

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
        _CSV_MAIN,
    ]
    return "".join(parts)


# -- pieces ------------------------------------------------------------------------------
def _write(path: Path, text: str) -> None:
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise FormatError(f"{path.name}: cannot write the file ({exc.strerror or exc})") from None


def _check_finite(model: ModelFile) -> None:
    if not model.network.is_finite():
        raise FormatError("the weights hold NaN or infinity; refusing to write them")


def _import_lines(file_name: str, names: str) -> list[str]:
    """How the docstring tells to import ``names`` from the file."""
    stem = Path(file_name).stem
    if stem.isidentifier() and not keyword.iskeyword(stem):
        return [f"    from {stem} import {names}"]
    return [
        "    import importlib.util   # the file name is not a module name: load it by path",
        f"    spec = importlib.util.spec_from_file_location('model', {str(file_name)!r})",
        "    script = importlib.util.module_from_spec(spec); spec.loader.exec_module(script)",
        f"    {names} = " + ", ".join(f"script.{name}" for name in names.split(", ")),
    ]


def _feature_names(model: ModelFile) -> tuple[str, ...]:
    """The input column names, as ``nnstudio predict`` reads them: x1..xn when unnamed."""
    n_in = model.network.spec.sizes[0]
    return model.feature_names or tuple(f"x{i + 1}" for i in range(n_in))


def _class_names(model: ModelFile) -> tuple[str, ...]:
    if model.task != "classification":
        return ()
    n_out = model.network.spec.sizes[-1]
    return model.class_names or tuple(str(i) for i in range(2 if n_out == 1 else n_out))


def _docstring_literal(text: str) -> str:
    """A triple-quoted literal that reads back as exactly ``text``, whatever ``text`` holds.

    Every backslash and double quote is escaped, so no run of quotes can end the literal
    and no escape sequence (``\\N{...}``, ``\\x``) is formed; every unprintable character but
    the newline (``\\r``, NUL, lone surrogates, U+2028, ...) is written as its escape, so the
    file stays valid UTF-8 source with the lines laid out here.
    """
    out = []
    for char in text:
        if char == "\n":
            out.append(char)
        elif char in '\\"':
            out.append("\\" + char)
        elif not char.isprintable():
            out.append(repr(char)[1:-1])
        else:
            out.append(char)
    return '"""' + "".join(out) + '"""'


def _short_list(names, limit: int = 6) -> str:
    """The first names as Python literals, so quotes, commas and line breaks in them show as such."""
    names = [repr(str(name)) for name in names]
    shown = ", ".join(names[:limit])
    return shown + (f", ... {len(names)} in all" if len(names) > limit else "")


def _label_rule(model: ModelFile) -> str:
    if model.network.spec.sizes[-1] == 1:
        return "CLASS_NAMES[1] where the output is >= 0.5, else CLASS_NAMES[0]"
    return "the class of the largest output"


def _target_encoding(model: ModelFile) -> str:
    n_out = model.network.spec.sizes[-1]
    if model.task == "regression":
        return "the target values themselves (not standardised)"
    if n_out == 1:
        return f"one column, 0 for {_class_names(model)[0]!r} and 1 for {_class_names(model)[1]!r}"
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


def _docstring(model: ModelFile, *, title: str, needs: str, usage: list[str], extra: list[str] = ()) -> str:
    spec = model.network.spec
    features = _feature_names(model)
    lines = [
        title,
        "",
        f"Exported by NN Studio (nnstudio {__version__}).",
        needs,
        "",
        "Architecture",
        f"    inputs    {spec.sizes[0]} raw values ({_short_list(features)}), standardised inside as (x - MEAN) / STD",
    ]
    for l, name in enumerate(spec.activations):
        lines.append(f"    layer {l:<3} {spec.sizes[l]} -> {spec.sizes[l + 1]}, {name}")
    lines.append(f"    loss      {spec.loss}")
    if model.task == "classification":
        classes = _class_names(model)
        lines.append(f"    task      classification of {str(model.target_name)!r} into {_short_list(classes)}")
    else:
        lines.append(f"    task      regression of {str(model.target_name)!r}")
    lines += [
        "",
        "Each layer computes a = f(a @ W + b), W shaped (fan_in, fan_out): row i of W holds the",
        "weights leaving neuron i of the layer below. The numbers below are the trained weights,",
        "exactly: every float literal reads back to the same float64 value.",
        "",
        "Use it",
        *("    " + line for line in usage),
    ]
    if extra:
        lines += ["", *extra]
    return _docstring_literal("\n".join(lines) + "\n") + "\n"


def _float(x) -> str:
    return repr(float(x))


def _vector(values, indent: str) -> str:
    """A list literal of float literals, wrapped to LINE_WIDTH."""
    items = [_float(v) for v in np.asarray(values, dtype=np.float64).reshape(-1)]
    lines, line = [], ""
    for item in items:
        piece = item + ", "
        if line and len(indent) + 4 + len(line) + len(piece) > LINE_WIDTH:
            lines.append(line.rstrip())
            line = ""
        line += piece
    lines.append(line.rstrip().rstrip(","))
    if len(lines) == 1:
        return "[" + lines[0] + "]"
    inner = indent + "    "
    return "[\n" + "".join(inner + part + "\n" for part in lines) + indent + "]"


def _matrix(W, indent: str = "") -> str:
    rows = np.asarray(W, dtype=np.float64)
    inner = indent + "    "
    return "[\n" + "".join(inner + _vector(row, inner) + ",\n" for row in rows) + indent + "]"


def _names(values) -> str:
    return "[" + ", ".join(repr(str(v)) for v in values) + "]"


def _constants(model: ModelFile) -> str:
    spec = model.network.spec
    out = [
        f"N_INPUTS, N_OUTPUTS = {spec.sizes[0]}, {spec.sizes[-1]}\n",
        f"FEATURE_NAMES = {_names(_feature_names(model))}\n",
        f"TARGET_NAME = {str(model.target_name)!r}\n",
        f"TASK = {model.task!r}\n",
        f"CLASS_NAMES = {_names(_class_names(model))}\n",
        f"LOSS = {spec.loss!r}\n",
        "\n# Input standardisation, from the training rows: the network sees (x - MEAN) / STD.\n",
        f"MEAN = {_vector(model.normalizer.mean, '')}\n",
        f"STD = {_vector(model.normalizer.std, '')}\n",
    ]
    for l, (W, b, name) in enumerate(zip(model.network.weights, model.network.biases, spec.activations)):
        fan_in, fan_out = spec.sizes[l], spec.sizes[l + 1]
        out.append(f"\n# Layer {l}: {fan_in} -> {fan_out}, {name}. W{l}[i][j] is the weight from neuron i below to neuron j.\n")
        out.append(f"W{l} = {_matrix(W)}\n")
        out.append(f"b{l} = {_vector(b, '')}\n")
    return "".join(out)


_CSV_MAIN = '''

# -- command line ---------------------------------------------------------------------
def read_csv(path):
    """The FEATURE_NAMES columns of a CSV file with a header row (any order), as (n, N_INPUTS) floats."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        lines = [line for line in handle.read().splitlines() if line.strip()]
    if not lines:
        raise ValueError(f"{path}: the file is empty")
    delimiter = max(",;\\t", key=lines[0].count)
    rows = list(csv.reader(lines, delimiter=delimiter))
    header = [cell.strip() for cell in rows[0]]
    missing = [name for name in FEATURE_NAMES if name not in header]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    columns = [header.index(name) for name in FEATURE_NAMES]
    values = []
    for number, row in enumerate(rows[1:], start=2):
        try:
            values.append([float(row[c]) for c in columns])
        except (IndexError, ValueError):
            raise ValueError(f"{path}: row {number} is short or not numeric") from None
    return np.array(values, dtype=np.float64).reshape(-1, N_INPUTS)


def main(argv=None):
    """python THIS.py data.csv: print y0..y{k-1} (and label for classification) as CSV."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        outputs = predict(read_csv(argv[0]))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    writer = csv.writer(sys.stdout, lineterminator="\\n")
    classification = TASK == "classification"
    writer.writerow([f"y{k}" for k in range(N_OUTPUTS)] + (["label"] if classification else []))
    for row in outputs:
        label = int(row[0] >= 0.5) if N_OUTPUTS == 1 else int(row.argmax())
        writer.writerow([repr(float(v)) for v in row] + ([CLASS_NAMES[label]] if classification else []))
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''
