"""The ``cohesion`` command line: a few lines per command over the library.

Commands live in modules by group (``run``, ``info``, ``report``,
``experiments``). Bad input of any kind ends in one ``error: ...`` line on
stderr and exit code 2, with no traceback.
"""

from __future__ import annotations

import sys

import typer

from cohesion.errors import InputError

app = typer.Typer(
    name="cohesion",
    help="Simulate how well NATO holds together under stress (as of 27 January 2022).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from cohesion.cli import experiments, explain, info, report, run, validate  # noqa: F401  (commands register on import)


# Typer may vendor its own click; take the exception classes from typer itself.
_UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_NoArgsIsHelp = getattr(sys.modules[_UsageError.__module__], "NoArgsIsHelpError", None) or type("_Never", (Exception,), {})


def fail(message: str) -> None:
    """Print one ``error:`` line and exit with code 2."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the ``cohesion`` console script)."""
    _register()
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="cohesion", standalone_mode=False)
    except InputError as exc:
        fail(str(exc))
    except _NoArgsIsHelp:
        raise SystemExit(0)
    except _UsageError as exc:
        fail(" ".join(exc.format_message().split()))
    except UnicodeDecodeError as exc:
        fail(f"a file is not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        fail(f"{exc.strerror or exc}{where}")
    except (typer.Abort, KeyboardInterrupt):
        fail("interrupted")
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code)
