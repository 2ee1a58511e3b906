"""The ``cohesion`` command line: a few lines per command over the library.

Commands live in modules by group (``run``, ``info``, ``report``,
``experiments``, ``measure``). Bad input of any kind ends in one ``error: ...`` line on
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
    # Plain help: flags read as flags (--report, not --report <bool>), examples keep their lines, -h works.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from cohesion import __version__

        print(f"cohesion {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True, callback=_print_version),
) -> None:
    """Simulate how well NATO holds together under stress (as of 27 January 2022).

    Example: cohesion run all --report
    """


def _register() -> None:
    from cohesion.cli import (  # noqa: F401  (commands register on import)
        compare, experiments, explain, explore, info, measure, report, run, validate,
    )


# Typer may vendor its own click; take the exception classes from typer itself.
_UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_NoArgsIsHelp = getattr(sys.modules[_UsageError.__module__], "NoArgsIsHelpError", None) or type("_Never", (Exception,), {})


def fail(message: str) -> None:
    """Print one ``error:`` line and exit with code 2."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


#: The exit code Typer returns (instead of raising) when a command was interrupted by Ctrl-C.
_TYPER_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the ``cohesion`` console script).

    This is the one place that turns failures into an ``error:`` line and
    exit code 2, and Ctrl-C (SIGINT) into ``error: interrupted``, for every
    command: a command raises :class:`~cohesion.errors.InputError` for bad
    input, and lets ``KeyboardInterrupt`` propagate (or turns it into an
    ``InputError`` that says what was saved, as ``experiment`` does).
    """
    _register()
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="cohesion", standalone_mode=False)
        if code == _TYPER_INTERRUPTED:  # Typer caught KeyboardInterrupt and returned its exit code
            fail("interrupted")
        if isinstance(code, int) and code:
            raise SystemExit(code)
    except InputError as exc:
        fail(str(exc))
    except _NoArgsIsHelp:
        raise SystemExit(0)
    except _UsageError as exc:
        fail(" ".join(exc.format_message().split()))
    except UnicodeDecodeError as exc:
        fail(f"a file is not UTF-8 text ({exc.reason} at byte {exc.start})")
    except UnicodeEncodeError:
        fail("a path or name is not UTF-8 text; rename it or choose a UTF-8 name")
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        fail(f"{exc.strerror or exc}{where}")
    except (typer.Abort, KeyboardInterrupt):
        fail("interrupted")
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code)
