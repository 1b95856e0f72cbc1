import os
import tempfile

# Qt tests draw offscreen so that CI needs no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Remembered window settings go to a throwaway folder, never the user's.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nnstudio-test-config-")
# So does the log of unexpected errors (the platform's state folder).
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="nnstudio-test-state-")
