"""Studies over many runs: sweeps, variants of a world on the same seed, and their charts."""
