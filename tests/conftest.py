import os

# Qt tests draw offscreen so that CI needs no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
