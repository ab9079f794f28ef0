"""alliance-sim: a Monte Carlo agent-based model of alliance cohesion and splits."""

__version__ = "0.1.0"
