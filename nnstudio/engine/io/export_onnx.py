"""Export a trained model to ONNX, for onnxruntime and every other ONNX runtime.

The graph takes raw (un-normalised) inputs and gives the same outputs as
``ModelFile.predict``, in float32 (the default) or float64 throughout::

    input  float32|float64 ['batch', n_inputs]
      Sub(input, norm_mean)         -> input_centered      the training rows' mean
      Div(input_centered, norm_std) -> input_normalized    and std, as initializers
      Gemm(a, W0, b0)               -> z0                  z = a @ W + b, W (fan_in, fan_out)
      Sigmoid|Tanh|Relu|LeakyRelu(alpha=0.01)|Identity|Softmax(axis=1)(z0) -> a1
                                                           (float64: Max(Mul(z0, 0.01), z0)
                                                           for leaky_relu, as the engine)
      ... one Gemm and one activation per layer; the last activation writes ...
    output float32|float64 ['batch', n_outputs], the input's type

float32 holds 24 significant bits: a raw value near 1.7e9 (a unix time in seconds) is
rounded to a multiple of 128 before the standardisation sees it, so rows that close to a
decision boundary can change class. ``input_dtype="float64"`` keeps every step in float64,
as the engine computes.

Opset 17 and IR version 8, so runtimes from onnxruntime 1.13 on load the file. The model's
``metadata_props`` hold ``nnstudio_version``, ``task``, ``loss``, ``target_name`` and, as JSON
lists, ``feature_names``, ``class_names``, ``sizes`` and ``activations``. Names from the user's
data appear only there, as data: the JSON lists are ASCII-escaped and ``target_name`` has
any lone surrogate written as its backslash escape (protobuf strings must be UTF-8); graph,
node and tensor names and the doc strings are NN Studio's own.

``onnx`` is an optional dependency (``pip install 'nnstudio[onnx]'``), imported only when
an export runs, never when the app or the CLI starts.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from nnstudio import __version__
from nnstudio.engine.io.fileio import atomic_write_bytes
from nnstudio.engine.io.formats import FormatError, ModelFile
from nnstudio.engine.nn.activations import LEAKY_RELU_ALPHA

__all__ = [
    "OPSET", "IR_VERSION", "INPUT_NAME", "OUTPUT_NAME", "INPUT_DTYPES", "MISSING_ONNX", "require_onnx",
    "check_input_dtype", "build_onnx", "export_onnx",
]

OPSET = 17
IR_VERSION = 8  # the IR of opset 17 (onnx 1.12): what older runtimes still read
INPUT_NAME, OUTPUT_NAME = "input", "output"
MISSING_ONNX = "ONNX export needs the onnx package: pip install 'nnstudio[onnx]'"
#: The input (and so graph) types offered; float32 first: the default, and what most runtimes expect.
INPUT_DTYPES = ("float32", "float64")
#: protobuf refuses messages of 2 GiB or more; keep a margin for the graph itself.
MAX_ONNX_BYTES = (1 << 31) - (1 << 24)

#: nnstudio activation -> (ONNX operator, its attributes)
ONNX_OPS: dict[str, tuple[str, dict]] = {
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
    "relu": ("Relu", {}),
    "leaky_relu": ("LeakyRelu", {"alpha": LEAKY_RELU_ALPHA}),
    "linear": ("Identity", {}),
    "softmax": ("Softmax", {"axis": 1}),
}


def require_onnx():
    """The ``onnx`` module; ``FormatError`` with the pip hint when it is not installed."""
    try:
        import onnx
    except ImportError:
        raise FormatError(MISSING_ONNX) from None
    return onnx


def check_input_dtype(input_dtype: str) -> None:
    """FormatError unless ``input_dtype`` is one of ``INPUT_DTYPES``."""
    if input_dtype not in INPUT_DTYPES:
        raise FormatError(f"unknown ONNX input type {input_dtype!r}; use {' or '.join(INPUT_DTYPES)}")


def build_onnx(model: ModelFile, input_dtype: str = "float32"):
    """The ``onnx.ModelProto`` of ``model`` with ``input_dtype`` input (see the module docstring), checked."""
    check_input_dtype(input_dtype)
    onnx = require_onnx()
    from onnx import TensorProto, helper, numpy_helper

    network = model.network
    if not network.is_finite():
        raise FormatError("the weights hold NaN or infinity; refusing to write them")
    spec = network.spec
    dtype = np.dtype(input_dtype)
    elem_type = TensorProto.DOUBLE if dtype == np.float64 else TensorProto.FLOAT
    n_bytes = dtype.itemsize * (network.n_parameters() + 2 * spec.sizes[0])
    if n_bytes > MAX_ONNX_BYTES:
        raise FormatError(f"the network's {network.n_parameters()} parameters exceed ONNX's 2 GB file limit")

    def initializer(name: str, values) -> object:
        return numpy_helper.from_array(np.asarray(values, dtype=dtype), name=name)

    initializers = [initializer("norm_mean", model.normalizer.mean), initializer("norm_std", model.normalizer.std)]
    nodes = [
        helper.make_node("Sub", [INPUT_NAME, "norm_mean"], ["input_centered"], name="normalize_sub"),
        helper.make_node("Div", ["input_centered", "norm_std"], ["input_normalized"], name="normalize_div"),
    ]
    if dtype == np.float64 and "leaky_relu" in spec.activations:
        initializers.append(initializer("leaky_relu_alpha", LEAKY_RELU_ALPHA))
    a = "input_normalized"
    last = spec.n_layers - 1
    for index, (W, b, name) in enumerate(zip(network.weights, network.biases, spec.activations)):
        initializers += [initializer(f"W{index}", W), initializer(f"b{index}", b)]
        nodes.append(helper.make_node("Gemm", [a, f"W{index}", f"b{index}"], [f"z{index}"], name=f"layer{index}_gemm"))
        a = OUTPUT_NAME if index == last else f"a{index + 1}"
        if name == "leaky_relu" and dtype == np.float64:
            # LeakyRelu's alpha is a float32 attribute (0.00999999977...): scale by a float64 0.01
            # and take the max, as the engine does.
            nodes += [
                helper.make_node(
                    "Mul",
                    [f"z{index}", "leaky_relu_alpha"],
                    [f"z{index}_scaled"],
                    name=f"layer{index}_leaky_relu_scale",
                ),
                helper.make_node("Max", [f"z{index}_scaled", f"z{index}"], [a], name=f"layer{index}_{name}"),
            ]
            continue
        op, attributes = ONNX_OPS[name]
        nodes.append(helper.make_node(op, [f"z{index}"], [a], name=f"layer{index}_{name}", **attributes))

    architecture = _architecture(model)
    graph = helper.make_graph(
        nodes,
        "nnstudio_network",
        [helper.make_tensor_value_info(INPUT_NAME, elem_type, ["batch", spec.sizes[0]])],
        [helper.make_tensor_value_info(OUTPUT_NAME, elem_type, ["batch", spec.sizes[-1]])],
        initializers,
        doc_string=f"{architecture}. Input: raw features; normalisation (x - mean) / std is part of the graph.",
    )
    proto = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="nnstudio",
        producer_version=__version__,
        doc_string=f"NN Studio network: {architecture}",
    )
    proto.ir_version = IR_VERSION
    helper.set_model_props(proto, {
        "nnstudio_version": __version__,
        "task": model.task,
        "loss": spec.loss,
        "target_name": _utf8(model.target_name),
        "feature_names": json.dumps(list(model.feature_names)),
        "class_names": json.dumps(list(model.class_names)),
        "sizes": json.dumps(list(spec.sizes)),
        "activations": json.dumps(list(spec.activations)),
    })
    onnx.checker.check_model(proto)
    return proto


def export_onnx(model: ModelFile, path: str | os.PathLike, input_dtype: str = "float32") -> None:
    """Write ``model`` as an ONNX file with ``input_dtype`` input at ``path``, atomically.

    Raises ``FormatError`` when onnx is missing (the message says how to install it), when
    ``input_dtype`` is not one of ``INPUT_DTYPES``, when the weights are not finite, or when
    the file cannot be written.
    """
    path = Path(path)
    data = build_onnx(model, input_dtype).SerializeToString()
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise FormatError(f"{path.name}: cannot write the file ({exc.strerror or exc})") from None


def _utf8(text: str) -> str:
    """``text`` with any lone surrogate as its backslash escape: protobuf strings must be UTF-8."""
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def _architecture(model: ModelFile) -> str:
    """'2 inputs -> 4 tanh -> 3 softmax, loss cross_entropy, classification'."""
    spec = model.network.spec
    layers = " -> ".join(f"{n} {name}" for n, name in zip(spec.sizes[1:], spec.activations))
    return f"{spec.sizes[0]} inputs -> {layers}, loss {spec.loss}, {model.task}"
