"""indicators.csv: the shipped file loads; bad files end in one error line (library and CLI)."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from cohesion.errors import InputError
from cohesion.indicators import COLUMNS, CUTOFF, FAMILIES, STATUSES, indicators_path, load_indicators
from cohesion.inputs import load_members


def test_shipped_indicators_load_with_sources_statuses_and_dates():
    frame = load_indicators()
    assert list(frame.columns) == list(COLUMNS)
    assert set(frame["member"]) == set(load_members().codes)
    assert set(frame["family"]) <= set(FAMILIES) and {"energy", "threat", "trust"} <= set(frame["family"])
    assert set(frame["status"]) <= set(STATUSES)
    assert (frame["source"].str.len() > 0).all(), "every row names its source"
    assert (frame["value"].isna() == (frame["status"] == "missing")).all()
    assert np.isfinite(frame["value"].dropna()).all()


HEADER = ",".join(COLUMNS)
GOOD = "DEU,gas_russia_share,energy,0.589,fraction,2020,2021-06-01,Eurostat,sourced"


@pytest.mark.parametrize(
    "text,message",
    [
        ("member,indicator,family,value\nDEU,x,energy,1\n", "missing columns unit, refers_to, published, source, status"),
        (f"{HEADER}\nXYZ,gas_russia_share,energy,0.5,fraction,2020,,s,sourced\n", "unknown member code 'XYZ'"),
        (f"{HEADER}\nDEU,gas_russia_share,energy,0.5,fraction,2022-02-24,,s,sourced\n", "after 27 January 2022"),
        (f"{HEADER}\nDEU,gas_russia_share,energy,0.5,fraction,2021,2022-03,s,sourced\n", "published 2022-03 is after"),
        (f"{HEADER}\nDEU,gas_russia_share,energy,0.5,fraction,2022,,s,sourced\n", "refers_to 2022 is after"),
        (f"{HEADER}\nDEU,gas_russia_share,energy,lots,fraction,2020,,s,sourced\n", "value 'lots' is not a number"),
        (f"{HEADER}\nDEU,gas_russia_share,energy,inf,fraction,2020,,s,sourced\n", "not a finite number"),
        (f"{HEADER}\nDEU,gas_russia_share,mood,0.5,fraction,2020,,s,sourced\n", "unknown family 'mood'"),
        (f"{HEADER}\nDEU,gas_russia_share,energy,0.5,fraction,2020,,s,guessed\n", "unknown status 'guessed'"),
        (f"{HEADER}\nDEU,gas_russia_share,energy,,fraction,2020,,s,sourced\n", "empty exactly when its status is missing"),
        (f"{HEADER}\nDEU,gas_russia_share,energy,0.5,fraction,last year,,s,sourced\n", "is not a date"),
        (f"{HEADER}\n{GOOD}\n{GOOD}\n", "DEU.gas_russia_share appears twice"),
        (f"{HEADER}\n{GOOD}\nFRA,gas_russia_share,threat,0.2,fraction,2020,,s,sourced\n", "filed under two families"),
    ],
)
def test_bad_indicator_files_are_rejected(tmp_path, text, message):
    path = tmp_path / "indicators.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        load_indicators(path)


@pytest.mark.parametrize(
    "text",
    [
        "member,indicator,family,value\nDEU,x,energy,1\n",  # missing columns
        f"{HEADER}\nXYZ,gas_russia_share,energy,0.5,fraction,2020,,s,sourced\n",  # unknown member
        f"{HEADER}\nDEU,gas_russia_share,energy,0.5,fraction,2022-02-24,,s,sourced\n",  # dated after the cutoff
        f"{HEADER}\nDEU,gas_russia_share,energy,lots,fraction,2020,,s,sourced\n",  # non-numeric value
    ],
)
def test_bad_indicator_files_end_in_one_error_line(tmp_path, cli, text):
    path = tmp_path / "indicators.csv"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run([*cli, "measure", "--indicators", str(path), "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not list(out.iterdir()), "nothing half-written"


def test_the_cutoff_day_itself_is_allowed(tmp_path):
    path = tmp_path / "i.csv"
    path.write_text(f"{HEADER}\nDEU,x,energy,1,u,{CUTOFF.isoformat()},{CUTOFF.isoformat()},s,sourced\n")
    assert len(load_indicators(path)) == 1


def test_a_family_without_an_anchor_is_an_error(tmp_path):
    from cohesion.measurement.model import measure

    frame = load_indicators()
    frame = frame[frame["indicator"] != "land_border_russia_belarus"]
    if frame[frame["family"] == "threat"]["indicator"].isin(["land_border", "dist_capital_moscow_km_inverse"]).any():
        pytest.skip("another threat anchor is present")
    with pytest.raises(InputError, match="family 'threat' has none of its anchor indicators"):
        measure(frame, load_members().codes, draws=4)


def test_shipped_file_is_in_the_package_data():
    assert indicators_path().is_file()
