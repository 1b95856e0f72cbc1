"""What a trained network's numbers mean: one neuron inspected, a layer's view of the plane, the loss landscape."""
