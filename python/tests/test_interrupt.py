"""A long run gives the interpreter back: Ctrl-C (SIGINT) raises KeyboardInterrupt at once,
progress reaches a callable, and an exception in the callable stops the run."""

import os
import signal
import threading
import time

import pytest

import ranksense


def test_ctrl_c_interrupts_a_long_run():
    index = ranksense.embedded("ieci2022")
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            # 10^10 samples: hours of work.
            ranksense.uncertainty(index, samples=10**10, seed=1, progress=False)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 10
    # The interpreter and the library still work, and the next run is not slowed by the
    # cancelled one (it stopped taking work).
    result = ranksense.uncertainty(index, samples=2000, seed=1)
    assert result.summary["uncertainty"]["samples"] == 2000


def test_progress_reaches_a_callable_and_its_exception_stops_the_run():
    index = ranksense.embedded("ieci2022")
    seen = []

    def record(phase, done, total):
        seen.append((phase, done, total))

    ranksense.uncertainty(index, samples=3_000_000, seed=1, progress=record)
    assert seen, "no progress report"
    assert seen[-1][1] == seen[-1][2] == 3_000_000
    done = [d for _, d, _ in seen]
    assert done == sorted(done)

    class Stop(Exception):
        pass

    def stop(phase, done, total):
        raise Stop()

    started = time.monotonic()
    with pytest.raises(Stop):
        ranksense.uncertainty(index, samples=10**10, seed=1, progress=stop)
    assert time.monotonic() - started < 10
