"""The trainer's process outlives no window: it ends soon after its window's process dies, however it was left."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.processes import alive as running
from support.processes import process_state, wait_for

REPO = Path(__file__).resolve().parents[3]


# -- the trainer's process outlives no window -------------------------------------------------

# The window's stand-in: it starts the trainer as the window does, gets it into STATE, prints
# the trainer's pid and waits to be killed. A grandchild keeps the window's end of the pipe
# open, never reading it, so the trainer sees no end of file and only its watch of the
# parent process can end it. KERNEL_HELP=0 also turns off Linux's parent-death signal.
WINDOW_STAND_IN = '''
import fcntl, multiprocessing as mp, os, struct, subprocess, sys, termios, time

from nnstudio.engine.run import parent_watch
from nnstudio.engine.run.service import serve
from nnstudio.engine.run.config import SessionConfig


def trainer(conn, parent_pid, kernel_help):
    if not kernel_help:
        parent_watch.request_parent_death_signal = lambda: None
    serve(conn, SessionConfig(), parent_pid=parent_pid)


def unread_bytes(conn):
    return struct.unpack("i", fcntl.ioctl(conn.fileno(), termios.FIONREAD, b"\\0" * 4))[0]


def main():
    state, kernel_help = sys.argv[1], sys.argv[2] == "1"
    context = mp.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=trainer, args=(theirs, os.getpid(), kernel_help), daemon=True)
    process.start()
    theirs.close()
    holder = subprocess.Popen([sys.executable, "-c", "import signal; signal.pause()"], pass_fds=[ours.fileno()])
    ours.recv()  # the first snapshot: the trainer serves
    if state == "full_pipe":
        ours.send(("run", ()))
        # Blocked writing: unread snapshots pile up, then stop growing for longer than 15 would take.
        seen, since = -1, time.monotonic()
        while time.monotonic() - since < 0.5 or seen <= 0:
            now = unread_bytes(ours)
            if now != seen:
                seen, since = now, time.monotonic()
            time.sleep(0.02)
    elif state == "long_step":
        ours.send(("step", ("cycle", 10**8)))
    print(process.pid, holder.pid, flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
'''








@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and the pipe's fill (Linux)")
@pytest.mark.parametrize("kernel_help", ["0", "1"], ids=["watchdog-only", "watchdog-and-pdeathsig"])
@pytest.mark.parametrize("state", ["idle", "full_pipe", "long_step"])
def test_the_trainer_ends_within_two_seconds_of_its_window_process_dying(state, kernel_help, tmp_path):
    """Idle, blocked writing into a full pipe, or deep in Step ×10⁸: the trainer is gone 2 s after a SIGKILLed window.
    """
    script = tmp_path / "window.py"
    script.write_text(WINDOW_STAND_IN, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    window = subprocess.Popen([sys.executable, str(script), state, kernel_help], stdout=subprocess.PIPE,
                              stdin=subprocess.PIPE, env=env, text=True)
    trainer_pid = holder_pid = None
    try:
        trainer_pid, holder_pid = map(int, window.stdout.readline().split())
        if state == "long_step":  # well into the step: it has trained for a while since the snapshot
            start_cpu = process_state(trainer_pid)[1]
            assert wait_for(lambda: process_state(trainer_pid)[1] > start_cpu + 0.3, 30)
        assert running(trainer_pid)
        window.kill()
        window.wait(10)
        assert wait_for(lambda: not running(trainer_pid), 2.0), f"the trainer ({state}) outlived its window by 2 s"
    finally:
        window.kill()
        for pid in (holder_pid, trainer_pid):
            if pid is not None and running(pid):
                os.kill(pid, signal.SIGKILL)
