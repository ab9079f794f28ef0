"""Scenarios: the schema of a scenario file, its validation, and the library of files."""
