"""File › Record animation: a run written as an animated GIF or MP4."""
