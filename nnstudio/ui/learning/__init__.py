"""How learning is driven and explained: training controls, timeline, guide, compare runs, loss landscape."""
