"""Ctrl-C (and SIGTERM) wherever it lands: remembered, so that no library can swallow it.

Python turns SIGINT into a KeyboardInterrupt raised wherever the interpreter happens to be. If
that is inside a destructor or a weakref callback (matplotlib creates and frees thousands of
objects while it draws), the exception is printed as "Exception ignored in ..." and dropped,
and the run would carry on and finish as if nothing had happened; inside some C callbacks it
surfaces as an unrelated error (matplotlib's "Invalid bounding box"). The handler installed
here also records the signal, and the pipeline calls `checkpoint()` between its stages, so a
swallowed interrupt is raised again at the next stage at the latest, and an unrelated error
raised by an interrupt is recognised as the interrupt it was (`requested`).
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

_received: int | None = None
"""The signal received (SIGINT or SIGTERM), or None."""


def _handler(signum, frame):
    global _received
    _received = signum
    raise KeyboardInterrupt


def _at_startup(signum, frame):
    import os
    import sys

    sys.stderr.write("interrupted: nothing was run\n")
    sys.stderr.flush()
    os._exit(128 + signum)


def install_at_startup() -> None:
    """For an entry point, before its imports: Ctrl-C while the program starts (nothing is
    written yet) ends it at once with one line, not a traceback from whichever import was
    running; `install` then takes over."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _at_startup)
        signal.signal(signal.SIGTERM, _at_startup)


def install() -> None:
    """Install the handler for SIGINT and SIGTERM (from the main thread; elsewhere a no-op)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _handler)
        signal.signal(signal.SIGTERM, _handler)


def requested() -> int | None:
    """The signal that asked the program to stop, or None."""
    return _received


def reset() -> None:
    """Forget a received signal (for tests that interrupt on purpose)."""
    global _received
    _received = None


def checkpoint() -> None:
    """Raise KeyboardInterrupt if a stop was asked for, even if the first one was swallowed."""
    if _received is not None:
        raise KeyboardInterrupt


def exit_code() -> int:
    """The conventional exit status of a program stopped by the signal received: 130 for
    Ctrl-C, 143 for SIGTERM."""
    return 128 + (_received or signal.SIGINT)


@contextmanager
def shielded():
    """Let a cleanup finish even if Ctrl-C is pressed again while it runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def held_back():
    """Hold Ctrl-C back in this thread while the body runs, then deliver it.

    Processes and threads started meanwhile inherit the blocked signal, so the workers of a
    pool or a Dask cluster started here never see a Ctrl-C meant for the program (the whole
    terminal group receives it): the parent, which does see it, stops them (SIGTERM, which
    they still obey). Nothing is lost: a Ctrl-C that arrives in the body is delivered when it
    ends.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def ignore_in_worker() -> None:
    """For a worker process: leave Ctrl-C to the parent, which stops the pool (a worker that
    raised KeyboardInterrupt itself would print its own traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
