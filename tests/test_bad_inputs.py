"""Bad input of every kind: exit 2, exactly one ``error:`` line, no traceback, nothing left behind.

Each case names a command line and, where needed, what to put in the
working folder first (a user's file, a damaged results folder, a hostile
YAML file). The whole working folder is compared before and after: a
refused command may not create, change or delete anything in it.

The cases marked ``ENTRY`` run through the installed entry point in a
subprocess; the rest call ``cohesion.cli.main`` in this process (the same
code path after the console script's import), which keeps the suite fast.
``COHESION_BAD_INPUT_SUBPROCESS=1`` runs every case through the entry point.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from cohesion.cli import main

REPO = Path(__file__).resolve().parents[1]
SCENARIO = "name: s\ntitle: t\ndescription: d\narticle_basis: a\nweeks: 5\n"
EXPERIMENT = "name: x\ndescription: d\nscenarios: [baseline]\nsteps: 3\n"
ALL_SUBPROCESS = os.environ.get("COHESION_BAD_INPUT_SUBPROCESS") == "1"


@dataclass(frozen=True)
class Case:
    """One bad input: the arguments, what the folder holds first, and a part of the message."""

    id: str
    args: tuple[str, ...]
    message: str
    setup: Callable[[Path, dict[str, Path]], None] | None = None
    entry: bool = False  # also (always) through the installed entry point
    env: dict[str, str] = field(default_factory=dict)


def write(name: str, text: str | bytes) -> Callable[[Path, dict[str, Path]], None]:
    """A setup that writes one file (text or bytes) into the working folder."""

    def setup(tmp: Path, _: dict[str, Path]) -> None:
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return setup


def copy(kind: str, name: str, change: Callable[[Path], None] | None = None) -> Callable[[Path, dict[str, Path]], None]:
    """A setup that copies a prepared results folder (``run`` or ``experiment``) and changes it."""

    def setup(tmp: Path, made: dict[str, Path]) -> None:
        shutil.copytree(made[kind], tmp / name)
        if change is not None:
            change(tmp / name)

    return setup


def both(*setups: Callable[[Path, dict[str, Path]], None]) -> Callable[[Path, dict[str, Path]], None]:
    """Several setups in order."""

    def setup(tmp: Path, made: dict[str, Path]) -> None:
        for one in setups:
            one(tmp, made)

    return setup


def edit(file: str, old: str, new: str) -> Callable[[Path], None]:
    """A change that replaces text in one file of a results folder."""

    def change(folder: Path) -> None:
        path = folder / file
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    return change


def set_manifest(**values: object) -> Callable[[Path], None]:
    """A change that sets fields of a results folder's manifest."""

    def change(folder: Path) -> None:
        meta = json.loads((folder / "manifest.json").read_text())
        meta.update(values)
        (folder / "manifest.json").write_text(json.dumps(meta))

    return change


def keep_header_only(file: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        path = folder / file
        path.write_text(path.read_text().splitlines()[0] + "\n")

    return change


def truncate(file: str, share: float) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        data = (folder / file).read_bytes()
        (folder / file).write_bytes(data[: int(len(data) * share)])

    return change


def running_with_damaged_part(folder: Path) -> None:
    """An experiment folder as a killed run leaves it, with a damaged part file."""
    meta = json.loads((folder / "manifest.json").read_text())
    meta["status"] = "running"
    meta.pop("files", None)
    (folder / "manifest.json").write_text(json.dumps(meta))
    (folder / "points.parquet").unlink()
    (folder / "parts").mkdir()
    (folder / "parts" / "part-baseline-000000.parquet").write_bytes(b"PAR1 not really")


def symlink(name: str, to: str) -> Callable[[Path, dict[str, Path]], None]:
    def setup(tmp: Path, _: dict[str, Path]) -> None:
        (tmp / name).symlink_to(tmp / to)

    return setup


def live_lock(name: str) -> Callable[[Path, dict[str, Path]], None]:
    """A lock file held by a live process (this test process)."""
    import socket

    return write(f".{name}.cohesion-lock", f"{os.getpid()}\n{socket.gethostname()}\n")


def scenario(extra: str = "", head: str = SCENARIO, name: str = "s.yaml") -> Callable[[Path, dict[str, Path]], None]:
    return write(name, head + extra)


def experiment(extra: str = "", head: str = EXPERIMENT) -> Callable[[Path, dict[str, Path]], None]:
    return write("x.yaml", head + extra)


USER_FOLDER = write("mine/thesis.docx", "precious")
TWO_OBSERVATIONS = (
    "id,actor,role,speaks_for,issue,stance,use,date,rationale,quote\n"
    "p1,a,r,DEU,sanctions,0.5,member_stance,2022-01-20,r,q\n"
    "p2,a,r,FRA,sanctions,0.6,member_stance,2022-01-20,r,q\n"
)
RUN = ("run", "baseline", "--runs", "2", "--steps", "3", "--quiet")
EVENT = "events:\n  - {week: 2, type: stance_shock, target: DEU, magnitude: 0.1}\n"
VARY = "parameters:\n  - {name: energy_weight, low: 0, high: 1}\n"
VARY2 = VARY + "  - {name: threat_weight, low: 0, high: 1}\n"

CASES = [
    # --- run: names, numbers, options ---
    Case("run-unknown-scenario", ("run", "nope"), "unknown scenario 'nope'", entry=True),
    Case("run-scenario-twice", ("run", "baseline", "baseline"), "listed twice", entry=True),
    Case("run-all-and-baseline", ("run", "all", "baseline"), "listed twice"),
    Case("run-runs-zero", (*RUN, "--runs", "0"), "--runs"),
    Case("run-runs-negative", (*RUN, "--runs", "-5"), "--runs"),
    Case("run-runs-text", ("run", "baseline", "--runs", "many"), "--runs"),
    Case("run-runs-huge", ("run", "baseline", "--runs", str(10**8)), "of memory", entry=True),
    Case("run-runs-astronomic", ("run", "all", "--runs", str(10**15)), "of memory"),
    Case("run-steps-zero", (*RUN, "--steps", "0"), "--steps must be between 1 and 520"),
    Case("run-steps-521", (*RUN, "--steps", "521"), "--steps must be between 1 and 520"),
    Case("run-steps-million", (*RUN, "--steps", "1000000"), "--steps must be between 1 and 520"),
    Case("run-seed-negative", (*RUN, "--seed", "-1"), "--seed"),
    Case("run-engine-unknown", (*RUN, "--engine", "gpu"), "unknown engine"),
    Case("run-timeseries-unknown", (*RUN, "--timeseries", "some"), "--timeseries"),
    Case("run-set-unknown-name", (*RUN, "--set", "charisma=1"), "unknown parameter"),
    Case("run-set-text", (*RUN, "--set", "energy_weight=abc"), "not a number"),
    Case("run-set-nan", (*RUN, "--set", "energy_weight=nan"), "finite"),
    Case("run-set-out-of-range", (*RUN, "--set", "energy_weight=5"), "energy_weight"),
    Case("run-set-unknown-member", (*RUN, "--set", "XXX.energy_weight=1"), "unknown member code"),
    Case("run-set-no-equals", (*RUN, "--set", "energy_weight"), "name=value"),
    Case("run-set-not-per-member", (*RUN, "--set", "DEU.noise_sd=0.1"), "cannot be set per member"),
    Case("run-set-peer-anchor", (*RUN, "--set", "peer_weight=0.8", "--set", "anchor_weight=0.5"), "peer_weight + anchor_weight"),
    Case("run-unknown-option", (*RUN, "--fast"), "No such option"),
    Case("run-no-scenario", ("run",), "Missing argument"),
    # --- run: parameter files ---
    Case("params-missing", (*RUN, "--params", "p.yaml"), "not found"),
    Case("params-duplicate-key", (*RUN, "--params", "p.yaml"), "appears twice", write("p.yaml", "energy_weight: 1\nenergy_weight: 2\n"), entry=True),
    Case("params-bool", (*RUN, "--params", "p.yaml"), "valid number", write("p.yaml", "energy_weight: true\n"), entry=True),
    Case("params-string-number", (*RUN, "--params", "p.yaml"), "valid number", write("p.yaml", "energy_weight: '1.5'\n")),
    Case("params-member-bool", (*RUN, "--params", "p.yaml"), "valid number", write("p.yaml", "members:\n  DEU:\n    energy_weight: false\n")),
    Case("params-list", (*RUN, "--params", "p.yaml"), "must be a mapping", write("p.yaml", "- 1\n- 2\n")),
    Case("params-latin1", (*RUN, "--params", "p.yaml"), "not UTF-8", write("p.yaml", "energy_weight: 1 # caf\xe9\n".encode("latin-1"))),
    Case("params-malformed", (*RUN, "--params", "p.yaml"), "malformed YAML", write("p.yaml", "energy_weight: [1\n")),
    Case("params-member-twice", (*RUN, "--params", "p.yaml"), "set twice", write("p.yaml", "DEU.energy_weight: 2\nmembers:\n  DEU:\n    energy_weight: 0.1\n")),
    Case("params-int-key", (*RUN, "--params", "p.yaml"), "parameter names must be text", write("p.yaml", "1: 2\n")),
    # --- scenario files ---
    Case("scenario-week-bool", ("run", "s.yaml", "--runs", "2"), "valid integer", scenario("events:\n  - {week: true, type: stance_shock, target: DEU, magnitude: 0.1}\n"), entry=True),
    Case("scenario-week-float", ("run", "s.yaml", "--runs", "2"), "valid integer", scenario("events:\n  - {week: 2.0, type: stance_shock, target: DEU, magnitude: 0.1}\n")),
    Case("scenario-magnitude-string", ("run", "s.yaml", "--runs", "2"), "valid number", scenario("events:\n  - {week: 2, type: stance_shock, target: DEU, magnitude: '0.1'}\n")),
    Case("scenario-threat-bool", ("run", "s.yaml", "--runs", "2"), "valid number", scenario("threat_level: true\n")),
    Case("scenario-duplicate-key", ("run", "s.yaml", "--runs", "2"), "appears twice", scenario("weeks: 6\n"), entry=True),
    Case("scenario-duplicate-event-key", ("run", "s.yaml", "--runs", "2"), "appears twice", scenario("events:\n  - {week: 2, week: 3, type: stance_shock, target: DEU, magnitude: 0.1}\n")),
    Case("scenario-week-beyond-horizon", ("run", "s.yaml", "--runs", "2"), "beyond the horizon", scenario(EVENT.replace("week: 2", "week: 9"))),
    Case("scenario-week-beyond-steps", ("run", "s.yaml", "--runs", "2", "--steps", "1"), "beyond the horizon", scenario(EVENT)),
    Case("scenario-weeks-too-many", ("run", "s.yaml", "--runs", "2"), "520", scenario(head=SCENARIO.replace("weeks: 5", "weeks: 521"))),
    Case("scenario-unknown-key", ("run", "s.yaml", "--runs", "2"), "unknown key", scenario("colour: red\n")),
    Case("scenario-unknown-event-type", ("run", "s.yaml", "--runs", "2"), "type", scenario(EVENT.replace("stance_shock", "earthquake"))),
    Case("scenario-unknown-target", ("run", "s.yaml", "--runs", "2"), "unknown member code or group", scenario(EVENT.replace("DEU", "XYZ"))),
    Case("scenario-empty-issue", ("run", "s.yaml", "--runs", "2"), "empty issue list", scenario(EVENT.replace("magnitude: 0.1", "magnitude: 0.1, issue: []"))),
    Case("scenario-magnitude-range", ("run", "s.yaml", "--runs", "2"), "outside", scenario(EVENT.replace("0.1", "7"))),
    Case("scenario-not-mapping", ("run", "s.yaml", "--runs", "2"), "must be a mapping", write("s.yaml", "- a\n")),
    Case("scenario-empty-file", ("run", "s.yaml", "--runs", "2"), "must be a mapping", write("s.yaml", "")),
    Case("scenario-file-missing", ("run", "gone.yaml", "--runs", "2"), "not found"),
    Case("scenario-latin1", ("run", "s.yaml", "--runs", "2"), "not UTF-8", write("s.yaml", (SCENARIO + "# caf\xe9\n").encode("latin-1"))),
    Case("scenario-name-bad", ("run", "s.yaml", "--runs", "2"), "name", scenario(head=SCENARIO.replace("name: s", "name: 'S S'"))),
    # two files with one name are told apart by their stems (#12); only the same stem twice is ambiguous
    Case("scenario-two-files-one-label", ("run", "a/s.yaml", "b/s.yaml", "--runs", "2"), "would share the label",
         both(scenario(name="a/s.yaml"), scenario(name="b/s.yaml"))),
    Case("scenario-dir-empty", ("scenarios",), "no scenario files", env={"COHESION_SCENARIO_DIR": "."}),
    Case("scenario-dir-empty-run-all", ("run", "all", "--runs", "2"), "no scenario files", env={"COHESION_SCENARIO_DIR": "."}, entry=True),
    # --- run: output folders ---
    Case("out-user-folder", (*RUN, "--out", "mine"), "not a cohesion results folder", USER_FOLDER, entry=True),
    Case("out-results-with-user-file", (*RUN, "--out", "res"), "did not write (MY_NOTES.txt)", copy("run", "res", lambda f: (f / "MY_NOTES.txt").write_text("keep")), entry=True),
    Case("out-results-with-user-folder", (*RUN, "--out", "res"), "did not write (drafts)", copy("run", "res", lambda f: (f / "drafts").mkdir())),
    Case("out-experiment-folder", (*RUN, "--out", "exp"), "other cohesion results", copy("experiment", "exp")),
    Case("out-is-a-file", (*RUN, "--out", "afile"), "not a folder", write("afile", "x")),
    Case("out-under-a-file", (*RUN, "--out", "afile/sub"), "is not a folder", write("afile", "x")),
    Case("out-current-folder", (*RUN, "--out", "."), "current folder"),
    Case("out-parent-folder", (*RUN, "--out", ".."), "current folder"),
    Case("out-empty", (*RUN, "--out", ""), "current folder"),
    Case("out-dangling-link", (*RUN, "--out", "link"), "symbolic link", symlink("link", "nowhere"), entry=True),
    Case("out-not-utf8", (*RUN, "--out", os.fsdecode(b"res\xff")), "not UTF-8", entry=True),
    Case("out-locked", (*RUN, "--out", "res"), "another cohesion process", live_lock("res"), entry=True),
    Case("out-locked-existing", (*RUN, "--out", "res"), "another cohesion process", both(copy("run", "res"), live_lock("res"))),
    Case("out-unwritable", (*RUN, "--out", "/proc/cohesion-results"), "cannot"),
    Case("out-report-user-file", (*RUN, "--out", "res", "--report"), "not written by cohesion", write("reports/res.html", "<p>my page</p>"), entry=True),
    # --- explain ---
    Case("explain-no-folder", ("explain", "DEU", "--results", "nothing"), "not found"),
    Case("explain-no-manifest", ("explain", "DEU", "--results", "mine"), "no manifest.json", USER_FOLDER),
    Case("explain-unknown-member", ("explain", "XXX", "--results", "res"), "unknown member code", copy("run", "res")),
    Case("explain-unknown-scenario", ("explain", "DEU", "--results", "res", "--scenario", "nope"), "scenario 'nope'", copy("run", "res")),
    Case("explain-empty-attribution", ("explain", "DEU", "--results", "res"), "holds no rows", copy("run", "res", lambda f: __import__("pandas").read_parquet(f / "attribution.parquet").iloc[:0].to_parquet(f / "attribution.parquet")), entry=True),
    Case("explain-damaged-attribution", ("explain", "DEU", "--results", "res"), "cannot read", copy("run", "res", lambda f: (f / "attribution.parquet").write_bytes(b"junk"))),
    Case("explain-no-attribution", ("explain", "DEU", "--results", "res"), "no attribution.parquet", copy("run", "res", lambda f: (f / "attribution.parquet").unlink())),
    Case("explain-corrupt-manifest", ("explain", "DEU", "--results", "res"), "corrupt manifest", copy("run", "res", lambda f: (f / "manifest.json").write_text("{"))),
    Case("explain-foreign-manifest", ("explain", "DEU", "--results", "res"), "not a cohesion manifest", copy("run", "res", lambda f: (f / "manifest.json").write_text('{"format": "other"}'))),
    # --- report ---
    Case("report-no-folder", ("report", "nothing"), "not found"),
    Case("report-summary-header-only", ("report", "res", "--out", "r.html"), "no rows", copy("run", "res", keep_header_only("summary.csv")), entry=True),
    Case("report-summary-text-number", ("report", "res", "--out", "r.html"), "column cohesion_mean", copy("run", "res", lambda f: _set_cell(f / "summary.csv", "cohesion_mean", "high")), entry=True),
    Case("report-summary-nan", ("report", "res", "--out", "r.html"), "not a number", copy("run", "res", lambda f: _set_cell(f / "summary.csv", "cohesion_p05", "nan"))),
    Case("report-summary-truncated", ("report", "res", "--out", "r.html"), "not a number", copy("run", "res", truncate("summary.csv", 0.6))),
    Case("report-members-truncated", ("report", "res", "--out", "r.html"), "members.csv", copy("run", "res", truncate("members.csv", 0.5))),
    Case("report-manifest-scenarios-type", ("report", "res", "--out", "r.html"), "'scenarios' must be a list", copy("run", "res", set_manifest(scenarios="baseline"))),
    Case("report-manifest-scenarios-items", ("report", "res", "--out", "r.html"), "'scenarios' must be a list", copy("run", "res", set_manifest(scenarios=[1, 2]))),
    Case("report-scenario-missing-from-members", ("report", "res", "--out", "r.html"), "no rows for scenario", copy("run", "res", edit("summary.csv", "\nbaseline,", "\nmystery,"))),
    Case("report-manifest-kind", ("report", "res", "--out", "r.html"), "kind", copy("run", "res", set_manifest(kind="poem"))),
    Case("report-manifest-format", ("report", "res", "--out", "r.html"), "not supported", copy("run", "res", set_manifest(format="cohesion-results/9"))),
    Case("report-damaged-parquet", ("report", "res", "--out", "r.html"), "cannot read", copy("run", "res", lambda f: (f / "timeseries_summary.parquet").write_bytes(b"x"))),
    Case("report-missing-summary", ("report", "res", "--out", "r.html"), "summary.csv is missing", copy("run", "res", lambda f: (f / "summary.csv").unlink())),
    Case("report-members-column", ("report", "res", "--out", "r.html"), "missing column", copy("run", "res", edit("members.csv", "alignment_rank", "rank"))),
    Case("report-out-user-file", ("report", "res", "--out", "mine.html"), "not written by cohesion", both(copy("run", "res"), write("mine.html", "<p>mine</p>")), entry=True),
    Case("report-out-folder", ("report", "res", "--out", "mine"), "is a folder", both(copy("run", "res"), USER_FOLDER)),
    Case("report-out-not-utf8", ("report", "res", "--out", os.fsdecode(b"r\xff.html")), "not UTF-8", copy("run", "res")),
    Case("report-out-under-file", ("report", "res", "--out", "afile/r.html"), "not a folder", both(copy("run", "res"), write("afile", "x"))),
    Case("report-out-locked", ("report", "res", "--out", "r.html"), "another cohesion process", both(copy("run", "res"), live_lock("r.html"))),
    # --- experiment ---
    Case("experiment-missing-file", ("experiment", "gone.yaml"), "not found"),
    Case("experiment-duplicate-key", ("experiment", "x.yaml", "--quiet"), "appears twice", experiment("replicates: 2\nreplicates: 3\n"), entry=True),
    Case("experiment-scenario-twice", ("experiment", "x.yaml", "--quiet"), "listed twice", experiment(head=EXPERIMENT.replace("[baseline]", "[baseline, baseline]")), entry=True),
    Case("experiment-all-and-baseline", ("experiment", "x.yaml", "--quiet"), "listed twice", experiment(head=EXPERIMENT.replace("[baseline]", "[all, baseline]"))),
    Case("experiment-steps-million", ("experiment", "x.yaml", "--quiet"), "steps must be between 1 and 520", experiment(head=EXPERIMENT.replace("steps: 3", "steps: 1000000")), entry=True),
    Case("experiment-steps-zero", ("experiment", "x.yaml", "--quiet"), "steps must be between 1 and 520", experiment(head=EXPERIMENT.replace("steps: 3", "steps: 0"))),
    Case("experiment-replicates-huge", ("experiment", "x.yaml", "--quiet"), "of memory", experiment(f"replicates: {10**12}\n"), entry=True),
    Case("experiment-grid-huge", ("experiment", "x.yaml", "--quiet"), "of memory", experiment(VARY2 + "design: {type: grid, points: 1000000}\n")),
    Case("experiment-lhs-huge", ("experiment", "x.yaml", "--quiet"), "of memory", experiment(VARY + f"design: {{type: lhs, samples: {10**9}}}\n")),
    Case("experiment-samples-huge", ("experiment", "x.yaml", "--quiet", "--samples", "100000"), "of memory", experiment(VARY2 + "design: {type: grid, points: 3}\n")),
    Case("experiment-sobol-not-power", ("experiment", "x.yaml", "--quiet"), "power of 2", experiment(VARY + "design: {type: sobol, samples: 100}\n")),
    Case("experiment-replicates-bool", ("experiment", "x.yaml", "--quiet"), "valid integer", experiment("replicates: true\n")),
    Case("experiment-replicates-string", ("experiment", "x.yaml", "--quiet"), "valid integer", experiment("replicates: '2'\n")),
    Case("experiment-low-string", ("experiment", "x.yaml", "--quiet"), "valid number", experiment("parameters:\n  - {name: energy_weight, low: '0', high: 1}\n")),
    Case("experiment-fixed-bool", ("experiment", "x.yaml", "--quiet"), "valid number", experiment("fixed: {energy_weight: true}\n")),
    Case("experiment-unknown-parameter", ("experiment", "x.yaml", "--quiet"), "unknown parameter", experiment("parameters:\n  - {name: charisma, low: 0, high: 1}\n")),
    Case("experiment-parameter-range", ("experiment", "x.yaml", "--quiet"), "outside the allowed", experiment("parameters:\n  - {name: energy_weight, low: 0, high: 9}\n")),
    Case("experiment-unknown-outcome", ("experiment", "x.yaml", "--quiet"), "unknown outcome", experiment("outcomes: [happiness]\n")),
    Case("experiment-unknown-key", ("experiment", "x.yaml", "--quiet"), "unknown key", experiment("speed: fast\n")),
    Case("experiment-not-mapping", ("experiment", "x.yaml", "--quiet"), "must be a mapping", write("x.yaml", "- 1\n")),
    Case("experiment-latin1", ("experiment", "x.yaml", "--quiet"), "not UTF-8", write("x.yaml", (EXPERIMENT + "# caf\xe9\n").encode("latin-1"))),
    Case("experiment-resume-and-overwrite", ("experiment", "x.yaml", "--quiet", "--out", "exp", "--resume", "--overwrite"), "only one of them", both(experiment(), copy("experiment", "exp")), entry=True),
    Case("experiment-resume-missing", ("experiment", "x.yaml", "--quiet", "--out", "exp", "--resume"), "not found", experiment()),
    Case("experiment-resume-damaged-part", ("experiment", "x.yaml", "--quiet", "--out", "exp", "--resume"), "part-baseline-000000.parquet is damaged", both(write("x.yaml", ""), copy("experiment", "exp", running_with_damaged_part), lambda t, m: shutil.copy(m["experiment_file"], t / "x.yaml")), entry=True),
    Case("experiment-resume-damaged-points", ("experiment", "x.yaml", "--quiet", "--out", "exp", "--resume"), "points.parquet is damaged", both(copy("experiment", "exp", truncate("points.parquet", 0.5)), lambda t, m: shutil.copy(m["experiment_file"], t / "x.yaml"))),
    Case("experiment-resume-other", ("experiment", "x.yaml", "--quiet", "--out", "exp", "--resume"), "different experiment", both(experiment("replicates: 3\n"), copy("experiment", "exp"))),
    Case("experiment-exists", ("experiment", "x.yaml", "--quiet", "--out", "exp"), "already exists", both(experiment(), copy("experiment", "exp"))),
    Case("experiment-overwrite-user-file", ("experiment", "x.yaml", "--quiet", "--out", "exp", "--overwrite"), "did not write (notes.txt)", both(experiment(), copy("experiment", "exp", lambda f: (f / "notes.txt").write_text("mine")))),
    Case("experiment-out-user-folder", ("experiment", "x.yaml", "--quiet", "--out", "mine", "--overwrite"), "not a cohesion results folder", both(experiment(), USER_FOLDER)),
    Case("experiment-out-run-folder", ("experiment", "x.yaml", "--quiet", "--out", "res", "--overwrite"), "other cohesion results", both(experiment(), copy("run", "res"))),
    Case("experiment-out-locked", ("experiment", "x.yaml", "--quiet", "--out", "exp"), "another cohesion process", both(experiment(), live_lock("exp"))),
    Case("experiment-executor-unknown", ("experiment", "x.yaml", "--executor", "cloud"), "--executor", experiment()),
    Case("experiment-workers-zero", ("experiment", "x.yaml", "--workers", "0"), "--workers", experiment()),
    Case("experiment-scheduler-without-dask", ("experiment", "x.yaml", "--scheduler", "tcp://127.0.0.1:1"), "--scheduler needs", experiment()),
    Case("experiment-scheduler-no-port", ("experiment", "x.yaml", "--quiet", "--out", "exp", "--executor", "dask", "--scheduler", "nonsense"), "Dask scheduler nonsense", experiment()),
    Case("experiment-scheduler-scheme", ("experiment", "x.yaml", "--quiet", "--out", "exp", "--executor", "dask", "--scheduler", "foo://x"), "Dask scheduler foo://x", experiment()),
    Case("experiment-calibration-file", ("experiment", "x.yaml", "--quiet"), "calibration file", write("x.yaml", "name: c\nscenario: baseline\n")),
    # --- sensitivity ---
    Case("sensitivity-steps-million", ("sensitivity", "baseline", "--steps", "1000000", "--quiet"), "--steps must be between 1 and 520", entry=True),
    Case("sensitivity-method-unknown", ("sensitivity", "baseline", "--method", "fast", "--quiet"), "method"),
    Case("sensitivity-samples-not-power", ("sensitivity", "baseline", "--samples", "100", "--quiet"), "power of 2"),
    Case("sensitivity-samples-huge", ("sensitivity", "baseline", "--samples", str(2**40), "--quiet"), "of memory"),
    Case("sensitivity-unknown-scenario", ("sensitivity", "nope", "--quiet"), "unknown scenario"),
    Case("sensitivity-unknown-member", ("sensitivity", "baseline", "--members", "XXX", "--quiet"), "XXX"),
    Case("sensitivity-exists", ("sensitivity", "baseline", "--samples", "2", "--out", "exp", "--quiet"), "already exists", copy("experiment", "exp"), entry=True),
    Case("sensitivity-resume-and-overwrite", ("sensitivity", "baseline", "--out", "exp", "--resume", "--overwrite", "--quiet"), "only one of them", copy("experiment", "exp")),
    Case("sensitivity-out-user-folder", ("sensitivity", "baseline", "--samples", "2", "--out", "mine", "--overwrite", "--quiet"), "not a cohesion results folder", USER_FOLDER),
    # --- calibrate ---
    Case("calibrate-steps-million", ("calibrate", "--steps", "1000000"), "--steps must be between 1 and 520", entry=True),
    Case("calibrate-target-truncated", ("calibrate", "--target", "t.csv"), "truncated", write("t.csv", TWO_OBSERVATIONS + "p3,a,r,ITA,sanctions,0.4,member_st"), entry=True),
    Case("calibrate-target-missing", ("calibrate", "--target", "t.csv"), "not found"),
    Case("calibrate-target-latin1", ("calibrate", "--target", "t.csv"), "not UTF-8", write("t.csv", (TWO_OBSERVATIONS + "p3,a,r,ITA,sanctions,0.4,member_stance,2022,r,caf\xe9\n").encode("latin-1"))),
    Case("calibrate-target-stance-text", ("calibrate", "--target", "t.csv"), "not a number", write("t.csv", TWO_OBSERVATIONS.replace("0.5", "half"))),
    Case("calibrate-fewer-observations", ("calibrate", "--target", "t.csv"), "more observations than parameters", write("t.csv", TWO_OBSERVATIONS), entry=True),
    Case("calibrate-out-user-file", ("calibrate", "--out", "params.yaml"), "not written by cohesion", write("params.yaml", "energy_weight: 1\n"), entry=True),
    Case("calibrate-out-folder", ("calibrate", "--out", "mine"), "is a folder", USER_FOLDER),
    Case("calibrate-out-dir-user-folder", ("calibrate", "--out-dir", "mine"), "not a cohesion results folder", USER_FOLDER),
    Case("calibrate-out-dir-run-folder", ("calibrate", "--out-dir", "res"), "other cohesion results", copy("run", "res")),
    Case("calibrate-config-duplicate-key", ("calibrate", "--config", "c.yaml"), "appears twice", write("c.yaml", "steps: 2\nsteps: 3\n")),
    Case("calibrate-config-bool", ("calibrate", "--config", "c.yaml"), "valid integer", write("c.yaml", "replicates: true\n")),
    Case("calibrate-config-unknown-key", ("calibrate", "--config", "c.yaml"), "unknown key", write("c.yaml", "speed: 1\n")),
    Case("calibrate-config-missing", ("calibrate", "--config", "gone.yaml"), "not found"),
    # --- paths that are not UTF-8 text, as inputs ---
    Case("input-not-utf8-results", ("report", os.fsdecode(b"res\xff")), "not UTF-8"),
    Case("input-not-utf8-explain", ("explain", "DEU", "--results", os.fsdecode(b"res\xff")), "not found"),
    Case("input-not-utf8-scenario", ("run", os.fsdecode(b"s\xff.yaml"), "--runs", "2"), "not found"),
    Case("input-not-utf8-params", (*RUN, "--params", os.fsdecode(b"p\xff.yaml")), "not found", entry=True),
    # --- information commands and the command line itself ---
    Case("positions-format", ("positions", "--format", "xml"), "--format"),
    Case("positions-member", ("positions", "--member", "XXX"), "no position speaks for"),
    Case("params-format", ("params", "--format", "xml"), "--format"),
    Case("members-format", ("members", "--format", "json"), "--format"),
    Case("unknown-command", ("simulate",), "No such command", entry=True),
    Case("unknown-global-option", ("--verbose", "run"), "No such option"),
    # --- seeds numpy cannot take, in the commands that seed outside runner.prepare ---
    Case("compare-members-negative", ("compare", "baseline", "--runs", "2", "--members", "-1"), "--members must be 0 or more"),
    Case("validate-seed-negative", ("validate", "--seed", "-1", "--out", "v"), "--seed must be a non-negative integer"),
    Case("backtest-seed-negative", ("backtest", "skripal-2018", "--seed", "-1", "--runs", "2"), "--seed must be a non-negative"),
    Case("explore-seed-negative", ("explore", "--seed", "-1"), "--seed must be a non-negative integer", entry=True),
]


def _set_cell(path: Path, column: str, value: str) -> None:
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index(column)] = value
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every entry under ``folder`` with its kind, size and modification time."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            info = path.lstat()
            out[os.fsencode(path.relative_to(folder)).decode("utf-8", "backslashreplace")] = (
                "link" if path.is_symlink() else "dir" if path.is_dir() else "file",
                info.st_size if not path.is_dir() else 0,
                info.st_mtime_ns,
            )
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory, cli) -> dict[str, Path]:
    """A tiny run folder and a tiny finished experiment folder to copy into cases."""
    base = tmp_path_factory.mktemp("made")
    run = subprocess.run([*cli, *RUN, "--out", str(base / "run")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    spec = base / "x.yaml"
    spec.write_text(EXPERIMENT + "parameters:\n  - {name: energy_weight, values: [0.5, 1.0]}\n")
    done = subprocess.run(
        [*cli, "experiment", str(spec), "--out", str(base / "experiment"), "--quiet"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return {"run": base / "run", "experiment": base / "experiment", "experiment_file": spec}


def _call(case: Case, tmp: Path, cli: list[str], monkeypatch, capfd, through_entry: bool) -> tuple[int, str]:
    if through_entry:
        env = {k: v for k, v in os.environ.items() if k != "COHESION_SCENARIO_DIR"}
        env.update({k: str(tmp / v) if v == "." else v for k, v in case.env.items()})
        done = subprocess.run([*cli, *case.args], capture_output=True, cwd=tmp, env=env, timeout=300)
        return done.returncode, done.stderr.decode("utf-8", "backslashreplace")
    monkeypatch.chdir(tmp)
    monkeypatch.delenv("COHESION_SCENARIO_DIR", raising=False)
    for key, value in case.env.items():
        monkeypatch.setenv(key, str(tmp / value) if value == "." else value)
    capfd.readouterr()
    try:
        main(list(case.args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    return code, capfd.readouterr().err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, made, cli, tmp_path, monkeypatch, capfd):
    work = tmp_path / "work"
    work.mkdir()
    if case.setup is not None:
        case.setup(work, made)
    before = snapshot(work)
    code, stderr = _call(case, work, cli, monkeypatch, capfd, through_entry=case.entry or ALL_SUBPROCESS)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code == 2, stderr
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert case.message in lines[0], lines[0]
    assert snapshot(work) == before, "the refused command changed the working folder"


def test_there_are_at_least_100_cases_with_unique_ids():
    ids = [c.id for c in CASES]
    assert len(ids) >= 100 and len(set(ids)) == len(ids)
    assert sum(c.entry for c in CASES) >= 25
