"""An experiment's results folder: streamed part files, resume, consolidation.

Layout (docs/experiments.md lists every column)::

    OUT/manifest.json        provenance; "status" is "running" until the end
    OUT/parts/part-<scenario>-<first point>.parquet   one finished chunk each
    OUT/points.parquet       all parts, sorted by (scenario, point, replicate)
    OUT/sensitivity.csv      Sobol or Morris indices (sobol and morris designs)

Every file is written to a hidden temporary name and moved into place with
``os.replace``, so a killed process leaves whole files or none. Resuming runs
exactly the chunks whose part file is absent; once ``points.parquet`` is
written the parts are removed.
"""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from cohesion import __version__
from cohesion.errors import InputError
from cohesion.experiments.execution import ExecutorConfig, execute
from cohesion.experiments.plan import Chunk, Plan
from cohesion.experiments.sensitivity import analyze
from cohesion.outputs import check_output_folder, claimed_output
from cohesion.results import EXPERIMENT_FORMAT, data_file_hashes, git_commit, read_manifest
#: Manifest fields that must match for a folder to be resumed with a plan.
IDENTITY_FIELDS = (
    "experiment_sha256", "seed", "design", "parameters", "scenarios", "replicates", "outcomes", "points",
    "chunk_points", "scenario_files", "data_files", "cohesion_version", "git_commit",
)  # fmt: skip
SORT_COLUMNS = ["scenario", "point", "replicate"]


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write JSON atomically."""
    tmp = _temporary(path)
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write a Parquet or CSV table atomically (by the file's suffix)."""
    tmp = _temporary(path)
    if path.suffix == ".csv":
        frame.to_csv(tmp, index=False)
    else:
        frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def provenance_header() -> dict[str, Any]:
    """The fields every experiment-kind manifest starts with."""
    return {
        "format": EXPERIMENT_FORMAT,
        "kind": "experiment",
        "cohesion_version": __version__,
        "git_commit": git_commit(),
    }


def experiment_manifest(plan: Plan) -> dict[str, Any]:
    """Provenance of an experiment folder; nothing here depends on the executor."""
    return {
        **provenance_header(),
        "name": plan.name,
        "experiment": plan.text,
        "experiment_sha256": plan.sha256,
        "seed": plan.seed,
        "design": plan.design.model_dump(),
        "parameters": [
            {"name": f.name, "low": f.low, "high": f.high, "values": None if f.values is None else list(f.values)}
            for f in plan.factors
        ],
        "scenarios": list(plan.scenarios),
        "replicates": plan.replicates,
        "outcomes": list(plan.outcomes),
        "points": plan.n_points,
        "rows": len(plan.scenarios) * plan.n_points * plan.replicates,
        "chunk_points": plan.chunk_points,
        **plan.provenance,
        "data_files": data_file_hashes(),
        "status": "running",
    }


def part_path(out: Path, chunk: Chunk) -> Path:
    """The part file of a chunk."""
    return out / "parts" / f"part-{chunk.scenario}-{chunk.first:06d}.parquet"


class ExperimentRun:
    """An experiment results folder opened to start or to resume a plan.

    Use ``ExperimentRun.open``, then ``execute`` (runs the missing chunks,
    streaming each to its part file) and ``finish`` (consolidates).
    """

    def __init__(self, plan: Plan, out: Path, meta: dict[str, Any]):
        self.plan = plan
        self.out = out
        self.meta = meta

    @classmethod
    def open(cls, plan: Plan, out: Path | str, resume: bool = False, overwrite: bool = False) -> "ExperimentRun":
        """Create the folder (or check it for resuming) and write the manifest.

        Raises:
            InputError: When ``out`` exists and neither resume nor overwrite is
                asked for, or when resuming a folder of another experiment.
        """
        out = Path(out)
        meta = experiment_manifest(plan)
        if resume:
            old = read_manifest(out)
            changed = [k for k in IDENTITY_FIELDS if old.get(k) != meta[k]]
            if old.get("kind") != "experiment" or changed:
                what = f"experiment sha256 {str(old.get('experiment_sha256'))[:12]}, this one {plan.sha256[:12]}"
                raise InputError(
                    f"cannot resume {out}: it holds a different experiment ({', '.join(changed) or 'kind'} differ; {what})"
                )
            meta = {**meta, "status": old.get("status", "running")}
        elif out.exists() and (not out.is_dir() or any(out.iterdir())):
            if not overwrite:
                raise InputError(f"{out} already exists; pass --resume to continue it or --overwrite to start again")
            check_output_folder(out, "experiment")  # only ever delete an experiment folder
            shutil.rmtree(out)
        if meta["status"] == "complete":
            if not (out / "points.parquet").is_file():
                raise InputError(
                    f"{out} is marked complete but points.parquet is missing; start again with --overwrite"
                )
            shutil.rmtree(out / "parts", ignore_errors=True)
            return cls(plan, out, meta)
        run = cls(plan, out, meta)
        run.check_parts()  # before anything in the folder changes
        out.mkdir(parents=True, exist_ok=True)
        write_json(meta, out / "manifest.json")
        (out / "parts").mkdir(exist_ok=True)
        for stale in (out / "parts").glob(".*.tmp-*"):
            stale.unlink()
        return run

    def check_parts(self) -> None:
        """Refuse to resume over a damaged part file, naming it.

        Raises:
            InputError: A part file cannot be read as Parquet.
        """
        import pyarrow.parquet as pq

        for chunk in self.plan.chunks():
            path = part_path(self.out, chunk)
            if not path.exists():
                continue
            try:
                pq.read_metadata(path)
            except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
                raise InputError(
                    f"part file {path} is damaged ({type(exc).__name__}); delete it and run again with --resume "
                    "to rerun that part"
                ) from None

    @property
    def complete(self) -> bool:
        """True once points.parquet has been written."""
        return self.meta["status"] == "complete"

    def pending(self) -> list[Chunk]:
        """Chunks whose part file is absent."""
        if self.complete:
            return []
        return [c for c in self.plan.chunks() if not part_path(self.out, c).exists()]

    @property
    def done_points(self) -> int:
        """Design points (over all scenarios) already on disk."""
        return len(self.plan.scenarios) * self.plan.n_points - sum(c.size for c in self.pending())

    def execute(self, config: ExecutorConfig, progress: Callable[[int], None] | None = None) -> None:
        """Evaluate every missing chunk, writing each part file as it finishes."""
        work = [(chunk, self.plan.task(chunk)) for chunk in self.pending()]
        for chunk, frame in execute(self.plan.evaluator, work, config):
            write_frame(frame, part_path(self.out, chunk))
            if progress is not None:
                progress(chunk.size)

    def finish(self) -> pd.DataFrame:
        """Consolidate the parts into points.parquet (and sensitivity.csv); return the table."""
        points_file = self.out / "points.parquet"
        if self.complete:
            return read_part(points_file, "start again with --overwrite")
        missing = self.pending()
        if missing:
            raise InputError(f"{len(missing)} chunks of {self.out} are not finished; run again with --resume")
        frame = pd.concat(
            [read_part(part_path(self.out, c), "delete it and run again with --resume to rerun that part") for c in self.plan.chunks()],
            ignore_index=True,
        )
        if len(frame) != self.meta["rows"] or frame.duplicated(SORT_COLUMNS).any():
            raise InputError(f"{self.out}: the part files do not hold each expected row exactly once")
        frame = frame.sort_values(SORT_COLUMNS, kind="stable").reset_index(drop=True)
        write_frame(frame, points_file)
        files = ["manifest.json", "points.parquet"]
        if self.plan.design.type in ("sobol", "morris"):
            write_frame(analyze(self.plan, frame), self.out / "sensitivity.csv")
            files.append("sensitivity.csv")
        self.meta = {**self.meta, "status": "complete", "files": files}
        write_json(self.meta, self.out / "manifest.json")
        shutil.rmtree(self.out / "parts", ignore_errors=True)
        return frame


def read_part(path: Path, remedy: str) -> pd.DataFrame:
    """Read a part file or points.parquet, naming the file and the remedy when it is damaged."""
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
        raise InputError(f"{path} is damaged ({type(exc).__name__}); {remedy}") from None


@contextmanager
def experiment_folder(
    plan: Plan, out: Path | str, resume: bool = False, overwrite: bool = False
) -> Iterator[ExperimentRun]:
    """Open an experiment folder for one command: checked and locked for the whole block.

    A folder this command started (new, or replaced with ``overwrite``) is
    removed again when the block fails before any point was saved, so a
    refused or failed start leaves nothing behind; once points are saved the
    folder stays, to be continued with ``resume``.

    Raises:
        InputError: ``resume`` with ``overwrite``, a folder that may not be
            used (``cohesion.outputs``), or another process writing to it.
    """
    if resume and overwrite:
        raise InputError("--resume continues a folder and --overwrite replaces it: give only one of them")
    with claimed_output(Path(out), "experiment") as real:
        started_here = overwrite or not real.exists() or not any(real.iterdir())
        run = ExperimentRun.open(plan, real, resume=resume, overwrite=overwrite)
        try:
            yield run
        except BaseException:
            if started_here and not resume and run.done_points == 0:
                shutil.rmtree(real, ignore_errors=True)
            raise


def run_plan(
    plan: Plan,
    out: Path | str,
    config: ExecutorConfig | None = None,
    resume: bool = False,
    overwrite: bool = False,
) -> pd.DataFrame:
    """Open, execute and finish an experiment in one call (no progress display)."""
    config = config or ExecutorConfig()
    config.check()
    with experiment_folder(plan, out, resume=resume, overwrite=overwrite) as run:
        run.execute(config)
        return run.finish()
