"""Open NN Studio: ``python main.py``."""

import sys

from nnstudio.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
