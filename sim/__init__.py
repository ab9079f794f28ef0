"""alliance-sim: a Monte Carlo agent-based model of alliance cohesion and splits."""

import sys

__version__ = "0.1.0"

if sys.argv[:1] == ["-m"]:  # `python -m sim.<entry point>` is starting (sim/interrupts.py)
    from sim.interrupts import install_at_startup

    install_at_startup()
