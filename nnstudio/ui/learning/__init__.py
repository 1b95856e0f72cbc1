"""How learning is driven and explained: training controls, the timeline, the guide, compare runs, the loss landscape."""
