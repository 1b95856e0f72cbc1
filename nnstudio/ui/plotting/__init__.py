"""Plots and heatmaps, the one colour scale and number format they share, and figure export."""
