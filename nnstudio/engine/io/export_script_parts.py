"""What the exported numpy and PyTorch scripts share: hostile names escaped, the docstring, the weights.

Names come from a user's data (CSV headers, class names) and are hostile: they reach the
scripts only as ``repr()`` literals of plain strings (the constants), and the docstring
holds them as their ``repr`` too, written through ``docstring_literal``, which escapes every
quote, backslash and unprintable character. Comments and code never hold a name.
"""

from __future__ import annotations

import keyword
import os
from pathlib import Path

import numpy as np

from nnstudio import __version__
from nnstudio.engine.io.fileio import atomic_write_text
from nnstudio.engine.io.formats import FormatError, ModelFile
from nnstudio.engine.nn.network import NetworkSpec

LINE_WIDTH = 100


def write_script(path: str | os.PathLike, text: str) -> None:
    """``text`` written to ``path`` atomically; FormatError names the file if it cannot be."""
    path = Path(path)
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise FormatError(f"{path.name}: cannot write the file ({exc.strerror or exc})") from None


def checked_layout(model: ModelFile) -> tuple[NetworkSpec, int, int, tuple[str, ...]]:
    """(spec, inputs, outputs, input names) of ``model``; FormatError if its weights are not finite."""
    if not model.network.is_finite():
        raise FormatError("the weights hold NaN or infinity; refusing to write them")
    spec = model.network.spec
    return spec, spec.sizes[0], spec.sizes[-1], feature_names(model)


def import_lines(file_name: str, names: str) -> list[str]:
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


def feature_names(model: ModelFile) -> tuple[str, ...]:
    """The input column names, as ``nnstudio predict`` reads them: x1..xn when unnamed."""
    n_in = model.network.spec.sizes[0]
    return model.feature_names or tuple(f"x{i + 1}" for i in range(n_in))


def class_names(model: ModelFile) -> tuple[str, ...]:
    if model.task != "classification":
        return ()
    n_out = model.network.spec.sizes[-1]
    return model.class_names or tuple(str(i) for i in range(2 if n_out == 1 else n_out))


def docstring_literal(text: str) -> str:
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


def short_list(names, limit: int = 6) -> str:
    """The first names as Python literals, so quotes, commas and line breaks in them show as such."""
    names = [repr(str(name)) for name in names]
    shown = ", ".join(names[:limit])
    return shown + (f", ... {len(names)} in all" if len(names) > limit else "")


def script_docstring(model: ModelFile, *, title: str, needs: str, usage: list[str], extra: list[str] = ()) -> str:
    spec = model.network.spec
    features = feature_names(model)
    lines = [
        title,
        "",
        f"Exported by NN Studio (nnstudio {__version__}).",
        needs,
        "",
        "Architecture",
        f"    inputs    {spec.sizes[0]} raw values ({short_list(features)}), standardised inside as (x - MEAN) / STD",
    ]
    for index, name in enumerate(spec.activations):
        lines.append(f"    layer {index:<3} {spec.sizes[index]} -> {spec.sizes[index + 1]}, {name}")
    lines.append(f"    loss      {spec.loss}")
    if model.task == "classification":
        classes = class_names(model)
        lines.append(f"    task      classification of {str(model.target_name)!r} into {short_list(classes)}")
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
    return docstring_literal("\n".join(lines) + "\n") + "\n"


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


def constants_source(model: ModelFile) -> str:
    spec = model.network.spec
    out = [
        f"N_INPUTS, N_OUTPUTS = {spec.sizes[0]}, {spec.sizes[-1]}\n",
        f"FEATURE_NAMES = {_names(feature_names(model))}\n",
        f"TARGET_NAME = {str(model.target_name)!r}\n",
        f"TASK = {model.task!r}\n",
        f"CLASS_NAMES = {_names(class_names(model))}\n",
        f"LOSS = {spec.loss!r}\n",
        "\n# Input standardisation, from the training rows: the network sees (x - MEAN) / STD.\n",
        f"MEAN = {_vector(model.normalizer.mean, '')}\n",
        f"STD = {_vector(model.normalizer.std, '')}\n",
    ]
    for layer, (W, b, name) in enumerate(zip(model.network.weights, model.network.biases, spec.activations)):
        fan_in, fan_out = spec.sizes[layer], spec.sizes[layer + 1]
        out.append(
            f"\n# Layer {layer}: {fan_in} -> {fan_out}, {name}. "
            f"W{layer}[i][j] is the weight from neuron i below to neuron j.\n"
        )
        out.append(f"W{layer} = {_matrix(W)}\n")
        out.append(f"b{layer} = {_vector(b, '')}\n")
    return "".join(out)


CSV_MAIN = '''

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
