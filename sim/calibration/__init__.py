"""Calibration by rejection (ABC) against the record, and counterfactuals of the worlds kept."""
