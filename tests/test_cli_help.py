"""The command line as people use it: -h, --version, flags, an example in every command's help, readable tables."""

from __future__ import annotations

import re
import subprocess

import pytest

from cohesion import __version__
from cohesion.cli import _register, app

_register()
COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)


def call(cli, *args):
    return subprocess.run([*cli, *args], capture_output=True, text=True, timeout=120)


def test_version_and_short_help(cli):
    assert call(cli, "--version").stdout.strip() == f"cohesion {__version__}"
    short, long = call(cli, "-h"), call(cli, "--help")
    assert short.returncode == 0 and short.stdout == long.stdout and "Commands:" in short.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_an_example_and_flags_read_as_flags(cli, command):
    done = call(cli, command, "-h")
    assert done.returncode == 0, done.stderr
    assert re.search(rf"Example: cohesion {command}\b", done.stdout), done.stdout
    assert "<bool>" not in done.stdout  # --report, not --report <bool>


def test_member_codes_are_case_insensitive_and_unknown_ones_list_the_valid_codes(cli, tmp_path):
    done = call(cli, "run", "baseline", "--runs", "2", "--steps", "5", "--quiet", "--set", "deu.energy_weight=0.5",
                "--out", str(tmp_path / "r"))
    assert done.returncode == 0, done.stderr
    assert "baseline [deu.energy_weight=0.5]" in (tmp_path / "r" / "summary.csv").read_text()
    bad = call(cli, "run", "baseline", "--runs", "2", "--set", "XYZ.energy_weight=1", "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "unknown member code 'XYZ'" in bad.stderr and "DEU" in bad.stderr and "USA" in bad.stderr
    explain = call(cli, "explain", "xyz", "--results", str(tmp_path / "r"))
    assert explain.returncode == 2 and "valid: ALB" in explain.stderr


def test_positions_takes_member_codes_in_any_case_as_its_example_does(cli):
    done = call(cli, "positions", "--member", "deu", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = done.stdout.strip().splitlines()[1:]
    assert rows and all(",DEU," in row for row in rows)


def test_members_prints_readable_numbers(cli):
    done = call(cli, "members")
    assert done.returncode == 0
    assert "nan" not in done.stdout and not re.search(r"\de[+-]\d", done.stdout)
    assert "1,17" in done.stdout or re.search(r"\d,\d{3}", done.stdout)  # thousands grouped (U.S. troops in Belgium)
    header = [line for line in done.stdout.splitlines() if "member" in line and "country" in line]
    assert header and "dependence" in done.stdout and "depende\n" not in done.stdout  # headers wrap between words


def test_experiment_example_names_a_file_found_from_any_folder(cli, tmp_path):
    example = re.search(r"Example: cohesion experiment (\S+)", call(cli, "experiment", "-h").stdout).group(1)
    done = subprocess.run([*cli, "experiment", example, "--samples", "2", "--quiet", "--out", "r"], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r" / "points.parquet").is_file()
