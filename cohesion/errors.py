"""The one exception type for bad user input.

The command line turns it into a single ``error: ...`` line on stderr and exit
code 2; library users can catch it.
"""


class InputError(ValueError):
    """Bad user input: unknown names, malformed files, out-of-range values."""
