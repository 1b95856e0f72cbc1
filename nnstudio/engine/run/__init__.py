"""A run of training: experiments, the session behind the window, its snapshots, timeline, history and process."""
