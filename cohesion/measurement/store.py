"""Measured drivers stored as data, with a cache keyed by the indicators file's hash.

``cohesion measure`` writes ``cohesion/data/drivers.parquet`` (the posterior
draws, one row per family, member and draw) and ``drivers.json`` (seed,
draws, the SHA-256 of ``indicators.csv``, loadings and variance shares).
Loading uses them when the recorded hash matches the current indicators file;
otherwise it refits in memory from the recorded seed and number of draws, so a
stale cache can never feed a run.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from cohesion.constants import LEADERS
from cohesion.core.drivers import Drivers
from cohesion.errors import InputError
from cohesion.indicators import load_indicators
from cohesion.inputs import data_path, load_members
from cohesion.measurement.model import DEFAULT_DRAWS, DEFAULT_SEED, Measurement, measure

DRAWS_FILE = "drivers.parquet"
META_FILE = "drivers.json"
#: The families whose scores the decision rule takes, in the order of ``Drivers``' fields.
RULE_FAMILIES = ("energy", "threat", "trust")


def indicators_sha256(path: Path | str | None = None) -> str:
    """SHA-256 of an indicators file (the shipped ``indicators.csv`` by default)."""
    try:
        return hashlib.sha256(Path(path or data_path("indicators.csv")).read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(f"cannot read indicators file {path}: {exc.strerror}") from None


def _replace(path: Path, write) -> None:  # type: ignore[no-untyped-def]
    """Write through a temporary file and rename it into place (no half-written file)."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def measurement_folder(folder: Path | None = None) -> Path:
    """The folder the measured drivers go to (the package's data folder by default), checked."""
    folder = Path(folder) if folder is not None else data_path(DRAWS_FILE).parent
    if not folder.is_dir():
        raise InputError(f"cannot write the measured drivers: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"cannot write the measured drivers: {folder} is not writable")
    return folder


def write_measurement(measurement: Measurement, folder: Path | None = None) -> tuple[Path, Path]:
    """Write ``drivers.parquet`` and ``drivers.json`` (byte-identical for identical inputs)."""
    folder = measurement_folder(folder)
    draws_path, meta_path = folder / DRAWS_FILE, folder / META_FILE
    meta = {
        **measurement.meta,
        "files": [DRAWS_FILE, META_FILE],
        "families": measurement.families.to_dict(orient="records"),
        "loadings": measurement.loadings.to_dict(orient="records"),
    }
    text = json.dumps(meta, indent=2, sort_keys=False) + "\n"
    _replace(draws_path, lambda p: measurement.draws.to_parquet(p, index=False, engine="pyarrow", compression="zstd"))
    _replace(meta_path, lambda p: p.write_text(text, encoding="utf-8"))
    return draws_path, meta_path


def read_measurement(folder: Path | None = None) -> Measurement | None:
    """The stored measurement in ``folder`` (the shipped data by default), or None if absent."""
    folder = Path(folder) if folder is not None else data_path(DRAWS_FILE).parent
    draws_path, meta_path = folder / DRAWS_FILE, folder / META_FILE
    if not (draws_path.is_file() and meta_path.is_file()):
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    families = pd.DataFrame(meta.pop("families"))
    loadings = pd.DataFrame(meta.pop("loadings"))
    meta.pop("files", None)
    return Measurement(draws=pd.read_parquet(draws_path), loadings=loadings, families=families, meta=meta)


@lru_cache(maxsize=2)
def _measurement_for(sha256: str) -> Measurement:
    stored = read_measurement()
    if stored is not None and stored.meta.get("indicators_sha256") == sha256:
        return stored
    seed = stored.meta.get("seed", DEFAULT_SEED) if stored is not None else DEFAULT_SEED
    draws = stored.meta.get("draws", DEFAULT_DRAWS) if stored is not None else DEFAULT_DRAWS
    return measure(load_indicators(), load_members().codes, seed=seed, draws=draws, indicators_sha256=sha256)


def load_measurement() -> Measurement:
    """The measured drivers of the shipped indicators: the stored cache if current, else refitted."""
    return _measurement_for(indicators_sha256())


def measured_drivers(codes: tuple[str, ...], measurement: Measurement | None = None) -> tuple[Drivers, Drivers]:
    """Point drivers (N,) and their posterior draws (D, N) for the decision rule.

    The point value is the posterior mean of ``Phi(f)``. The leaders (USA, GBR)
    set the U.S.-UK line, so their trust in it is 1 by definition in every draw.
    Without ``measurement``, the shipped indicators' drivers (cached per member order).
    """
    if measurement is None:
        return _shipped_drivers(indicators_sha256(), tuple(codes))
    return _rule_drivers(measurement, codes)


@lru_cache(maxsize=8)
def _shipped_drivers(sha256: str, codes: tuple[str, ...]) -> tuple[Drivers, Drivers]:
    return _rule_drivers(_measurement_for(sha256), codes)


def _rule_drivers(measurement: Measurement, codes: tuple[str, ...]) -> tuple[Drivers, Drivers]:
    draws = [measurement.score_draws(family, codes) for family in RULE_FAMILIES]
    leaders = np.isin(np.array(codes), LEADERS)
    draws[2] = np.where(leaders, 1.0, draws[2])
    for array in draws:
        array.flags.writeable = False  # shared by every world built from the cache
    point = Drivers(*(d.mean(axis=0) for d in draws))
    for array in point.__dict__.values():
        array.flags.writeable = False
    return point, Drivers(*draws)
