"""Datasets: the generated toy problems, the shipped real datasets, CSV files and drawn digits."""
