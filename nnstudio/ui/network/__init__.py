"""The network diagram: neurons and weights drawn and edited in place, and the neuron inspector."""
