"""Files: atomic writes, weights, session files, exports (code, ONNX), PNG figures and the error log."""
