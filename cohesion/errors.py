"""The one exception type for bad user input, and how validation errors read.

The command line turns it into a single ``error: ...`` line on stderr and exit
code 2; library users can catch it.
"""

from pydantic import ValidationError


class InputError(ValueError):
    """Bad user input: unknown names, malformed files, out-of-range values."""


def validation_message(exc: ValidationError, unknown: str = "unknown key") -> str:
    """One line for the first error of a pydantic validation: ``where: what``."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    message = unknown if err["type"] == "extra_forbidden" else err["msg"]
    return f"{where}: {message}" if where else message
