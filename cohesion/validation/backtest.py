"""Back-tests: the model's member ranking against what members did in an episode before 2022.

An episode file (``episodes/*.yaml``, schema ``Episode``) gives the date of
the shock, the members as they were, the scenario that stands for the shock,
which modelled quantity to compare (``measure``: ``alignment`` or
``stance:<issue>``, read at week ``weeks`` as the mean over runs), and the
observed outcome per member with its date, status and source. A plain CSV
with ``member`` and ``outcome`` columns works too (the scenario and measure
then come from the caller).

Members start from their driver-based targets, not from the article's
positions of January 2022 (which postdate any back-test episode).

The output: Spearman's and Kendall's rank correlations of the modelled
measure with the outcome, the same for each single driver used as the
prediction, percentile bootstrap intervals over members, and the members
whose modelled rank is furthest from their observed rank.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cohesion.constants import ISSUES
from cohesion.engines import simulate
from cohesion.errors import InputError, validation_message
from cohesion.experiments.schema import read_yaml_mapping
from cohesion.inputs import load_members, load_positions
from cohesion.scenarios import load_scenario
from cohesion.world import build_world

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)
#: The model's own date: an episode must end before it (no hindsight).
MODEL_DATE = dt.date(2022, 1, 27)
CONFIDENCE = 0.95
MISPREDICTED = 5


def episodes_dir() -> Path:
    """Folder of the shipped episodes (``COHESION_EPISODE_DIR`` overrides)."""
    from cohesion.shipped import shipped_dir

    override = os.environ.get("COHESION_EPISODE_DIR")
    return Path(override) if override else shipped_dir("episodes")


class Observation(BaseModel):
    """One member's observed outcome, with where it comes from."""

    model_config = _STRICT
    member: str
    value: float
    date: dt.date | None = None
    status: Literal["sourced", "imputed", "judged", "unverified"] = "sourced"
    source: str = Field(min_length=1)


class Outcome(BaseModel):
    """What was observed."""

    model_config = _STRICT
    name: str
    kind: Literal["numeric", "ordered"]
    description: str = ""


class Episode(BaseModel):
    """A back-test episode (see the module docstring)."""

    model_config = _STRICT
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    date: dt.date
    window_end: dt.date | None = None
    scenario: str = "baseline"
    weeks: int = Field(default=4, ge=1)
    measure: str = "alignment"
    outcome: Outcome
    members: list[str] = Field(min_length=3)
    exclude: dict[str, str] = Field(default_factory=dict)
    drivers_note: str = ""
    observations: list[Observation] = Field(min_length=3)


def check_measure(measure: str) -> None:
    """``alignment`` or ``stance:<issue>``."""
    kind, _, issue = measure.partition(":")
    if measure == "alignment" or (kind == "stance" and issue in ISSUES):
        return
    raise InputError(f"unknown measure {measure!r} (alignment, or stance:<issue> with issue one of {', '.join(ISSUES)})")


def check_episode(episode: Episode, where: str) -> Episode:
    """Members known and unique, one observation each, dates inside the episode and before 2022."""
    codes = load_members().codes
    end = episode.window_end or episode.date
    if end < episode.date:
        raise InputError(f"{where}: window_end {end} is before the episode date {episode.date}")
    if end >= MODEL_DATE:
        raise InputError(f"{where}: the episode ends {end}, not before the model's date {MODEL_DATE} (no hindsight)")
    seen: set[str] = set()
    for code in episode.members:
        if code not in codes:
            raise InputError(f"{where}: unknown member {code!r} in members")
        if code in seen:
            raise InputError(f"{where}: member {code} is listed twice in members")
        seen.add(code)
    for code in episode.exclude:
        if code not in seen:
            raise InputError(f"{where}: excluded member {code!r} is not among the episode's members")
    observed: set[str] = set()
    for obs in episode.observations:
        if obs.member not in codes:
            raise InputError(f"{where}: unknown member {obs.member!r} in observations")
        if obs.member not in seen:
            raise InputError(f"{where}: {obs.member} has an observation but is not among the episode's members")
        if obs.member in observed:
            raise InputError(f"{where}: duplicate observation for member {obs.member}")
        if obs.date is not None and obs.date > end:
            raise InputError(f"{where}: the observation of {obs.member} is dated {obs.date}, after the episode ({end})")
        if obs.date is not None and obs.date < episode.date:
            raise InputError(f"{where}: the observation of {obs.member} is dated {obs.date}, before the episode ({episode.date})")
        observed.add(obs.member)
    check_measure(episode.measure)
    load_scenario(episode.scenario)
    return episode


def read_outcome_csv(path: Path, scenario: str, measure: str, weeks: int) -> Episode:
    """An episode from a CSV with ``member`` and ``outcome`` columns (optional ``source``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in ("member", "outcome") if c not in columns]
    if missing:
        raise InputError(f"{path}: missing column {missing[0]!r} (an outcome file needs member and outcome columns)")
    observations, members = [], []
    for line, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        try:
            value = float(row["outcome"])
        except ValueError:
            raise InputError(f"{path}, line {line}: outcome {row['outcome']!r} is not a number") from None
        if not np.isfinite(value):
            raise InputError(f"{path}, line {line}: outcome must be finite")
        member = row["member"]
        if member in members:
            raise InputError(f"{path}, line {line}: duplicate observation for member {member}")
        observations.append({"member": member, "value": value, "source": row.get("source") or f"{path.name}, line {line}"})
        members.append(member)
    data = {
        "name": "user-outcome",
        "title": f"Outcome file {path.name}",
        "date": MODEL_DATE - dt.timedelta(days=1),
        "scenario": scenario,
        "weeks": weeks,
        "measure": measure,
        "outcome": {"name": "outcome", "kind": "numeric"},
        "members": members,
        "observations": observations,
    }
    return _validate(data, str(path))


def _validate(data: dict, where: str) -> Episode:
    try:
        episode = Episode(**data)
    except ValidationError as exc:
        raise InputError(f"invalid episode {where}: {validation_message(exc)}") from None
    except TypeError as exc:
        raise InputError(f"invalid episode {where}: {exc}") from None
    return check_episode(episode, where)


def load_episode(name_or_path: str, scenario: str = "baseline", measure: str = "alignment", weeks: int = 4) -> tuple[Episode, str]:
    """An episode by shipped name, YAML path, or outcome CSV; returns it and its file's SHA-256."""
    path = Path(name_or_path)
    if not path.is_file():
        shipped = episodes_dir() / f"{name_or_path}.yaml"
        if not shipped.is_file():
            known = ", ".join(sorted(p.stem for p in episodes_dir().glob("*.yaml")))
            raise InputError(f"episode not found: {name_or_path} (shipped: {known})")
        path = shipped
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if path.suffix.lower() == ".csv":
        check_measure(measure)
        return read_outcome_csv(path, scenario, measure, weeks), digest
    data, _ = read_yaml_mapping(path, "episode file")
    return _validate(data, path.name), digest


def modelled_measure(episode: Episode, runs: int, seed: int) -> dict[str, float]:
    """The episode's measure for each member, mean over runs at week ``weeks``."""
    spec, digest = load_scenario(episode.scenario)
    horizon = max([episode.weeks, *(event.week for event in spec.events)])
    # The article's member positions describe January 2022, after any back-test episode: members
    # start from their driver-based targets instead (as in calibration); the article's other rows
    # (the EU line) still set the scene.
    context = tuple(p for p in load_positions() if p.use != "member_stance")
    world = build_world(spec, digest, horizon=horizon, positions=context)
    result = simulate(world, runs, seed, engine="vectorized")
    if episode.measure == "alignment":
        values = result.alignment_mean[episode.weeks]
    else:
        values = result.stance_mean[episode.weeks][:, ISSUES.index(episode.measure.partition(":")[2])]
    return dict(zip(world.members.codes, map(float, values)))


def driver_values() -> dict[str, dict[str, float]]:
    """Each structural driver per member (the single-indicator baselines)."""
    spec, digest = load_scenario("baseline")
    world = build_world(spec, digest)
    return {
        f.name: dict(zip(world.members.codes, map(float, getattr(world.drivers, f.name))))
        for f in dataclasses.fields(world.drivers)
    }


def rank_correlations(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman and Kendall (tau-b) rank correlations; NaN where a side is constant."""
    from scipy.stats import kendalltau, spearmanr

    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan")
    return float(spearmanr(x, y).statistic), float(kendalltau(x, y).statistic)


@dataclass
class Backtest:
    """A finished back-test."""

    episode: Episode
    members: tuple[str, ...]
    outcome: np.ndarray
    predictions: dict[str, np.ndarray]

    def table(self, bootstrap: int, rng: np.random.Generator) -> pd.DataFrame:
        """One row per predictor: Spearman and Kendall with bootstrap intervals over members."""
        n = len(self.members)
        draws = rng.integers(0, n, size=(bootstrap, n))
        tail = (1 - CONFIDENCE) / 2
        rows = []
        for name, pred in self.predictions.items():
            rho, tau = rank_correlations(pred, self.outcome)
            sampled = np.array([rank_correlations(pred[d], self.outcome[d]) for d in draws])
            low, high = (
                np.nanquantile(sampled, [tail, 1 - tail], axis=0) if np.isfinite(sampled).any() else np.full((2, 2), np.nan)
            )
            rows.append(
                {"predictor": name, "spearman": rho, "spearman_low": low[0], "spearman_high": high[0],
                 "kendall": tau, "kendall_low": low[1], "kendall_high": high[1], "members": n}
            )  # fmt: skip
        return pd.DataFrame(rows)

    def mispredicted(self, predictor: str = "model", count: int = MISPREDICTED) -> pd.DataFrame:
        """Members whose modelled rank is furthest from their observed rank (rank 1 = highest)."""
        from scipy.stats import rankdata

        n = len(self.members)
        model_rank = n + 1 - rankdata(self.predictions[predictor])
        observed_rank = n + 1 - rankdata(self.outcome)
        frame = pd.DataFrame(
            {
                "member": self.members,
                "observed": self.outcome,
                "modelled": self.predictions[predictor],
                "observed_rank": observed_rank,
                "modelled_rank": model_rank,
                "rank_error": model_rank - observed_rank,
            }
        )
        return frame.reindex(frame["rank_error"].abs().sort_values(ascending=False, kind="stable").index).head(count)


def backtest(episode: Episode, runs: int = 100, seed: int = 20220127, include_drivers: bool = True) -> Backtest:
    """Compare the modelled measure (and each driver) with the episode's outcome."""
    observed = {o.member: o.value for o in episode.observations}
    members = tuple(m for m in episode.members if m in observed and m not in episode.exclude)
    if len(members) < 3:
        raise InputError(f"episode {episode.name}: fewer than 3 members with an outcome to compare")
    model = modelled_measure(episode, runs, seed)
    predictions = {"model": np.array([model[m] for m in members])}
    if include_drivers:
        for name, values in driver_values().items():
            predictions[name] = np.array([values[m] for m in members])
    return Backtest(episode, members, np.array([observed[m] for m in members]), predictions)
