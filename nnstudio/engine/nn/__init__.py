"""The network and how it learns: activations, losses, forward and backward passes, gradient descent, the trainer."""
