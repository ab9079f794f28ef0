"""The same seed gives the same numbers: three runs against fingerprints taken earlier.

The fingerprints (tests/golden/fingerprints.json) were first taken before the engine was
restructured into processes; a change that alters the numbers on purpose regenerates them
(`python -m tests.golden.fingerprint`) in a commit that says why.
"""

import json

import pytest

from tests.golden.fingerprint import GOLDEN, RUNS, run_and_fingerprint

EXPECTED = json.loads(GOLDEN.read_text())


@pytest.mark.slow
@pytest.mark.parametrize(("scenario", "overrides"), RUNS, ids=[name for name, _ in RUNS])
def test_numbers_match_the_golden_file(scenario, overrides, tmp_path):
    got = run_and_fingerprint(scenario, overrides, tmp_path / scenario)
    want = EXPECTED[scenario]
    assert got["outcomes"] == want["outcomes"]
    assert sorted(got["columns"]) == sorted(want["columns"])
    changed = [c for c in want["columns"] if got["columns"][c] != want["columns"][c]]
    assert not changed, f"columns whose values changed: {changed}"
