"""NN Studio: build a small neural network and watch it learn, one cycle at a time."""

__version__ = "0.1.0"
