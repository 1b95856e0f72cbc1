"""The data NN Studio ships: ``datasets/`` (real data, CSV) and ``examples/`` (sessions).

Installed, this folder is the package ``nnstudio.resources`` (see ``pyproject.toml``), so
``importlib.resources`` finds the files in an editable install and in a wheel alike.
"""
