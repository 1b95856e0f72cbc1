"""Write a trained model in the format its file name asks for (CLI and window alike)."""

from __future__ import annotations

from pathlib import Path

from nnstudio.engine.io.formats import FormatError, ModelFile, save_weights

__all__ = ["EXPORT_FORMATS", "export_format", "export_model"]

#: File-name ending → what is written. Order matters: ``_torch.py`` before ``.py``.
EXPORT_FORMATS = {
    "_torch.py": "a PyTorch script (torch.nn.Sequential, build_model, predict, train_more)",
    ".py": "a standalone numpy script (predict, predict_labels; run it on a CSV file)",
    ".onnx": "ONNX (opset 17, float32 or float64 input; needs pip install 'nnstudio[onnx]')",
    ".npz": "a weights file",
    ".json": "a weights file",
}


def export_format(path: Path) -> str | None:
    """The ``EXPORT_FORMATS`` key that ``path`` ends with (case-insensitive), or None."""
    name = Path(path).name.lower()
    return next((ending for ending in EXPORT_FORMATS if name.endswith(ending) and len(name) > len(ending)), None)


def export_model(path: Path, model: ModelFile, onnx_input: str | None = None) -> None:
    """Write ``model`` to ``path`` in the format its name asks for; FormatError on failure.

    ``onnx_input``: ``"float32"`` (the default) or ``"float64"``, the input type of an
    ``.onnx`` file; refused for the other formats, which have no such choice.
    """
    path = Path(path)
    kind = export_format(path)
    if kind is None:
        raise FormatError(f"{path.name}: unknown export format; use one of {', '.join(EXPORT_FORMATS)}")
    if onnx_input is not None and kind != ".onnx":
        raise FormatError(f"{path.name}: an ONNX input type applies only to an .onnx export")
    if kind == ".onnx":
        from nnstudio.engine.io.export_onnx import export_onnx

        export_onnx(model, path, onnx_input or "float32")
    elif kind == "_torch.py":
        from nnstudio.engine.io.export_torch import export_torch_script

        export_torch_script(model, path)
    elif kind == ".py":
        from nnstudio.engine.io.export_numpy import export_numpy_script

        export_numpy_script(model, path)
    else:
        save_weights(path, model)
