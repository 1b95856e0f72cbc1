"""The data panel: dataset choice, draw mode, the decision boundary, the data table and the CSV import dialog."""
