"""The errors that reach the person running the program as one line and a non-zero exit."""


class InputError(ValueError):
    """Bad input, with a message that names the problem and what is allowed instead."""


class ScenarioError(InputError):
    """A scenario that cannot be run."""


class SettingsError(InputError):
    """Run or study settings that cannot work (runs, seed, executor, a study's target...)."""
