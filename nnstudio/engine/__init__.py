"""The learning maths of NN Studio, in numpy only (never imports Qt)."""
