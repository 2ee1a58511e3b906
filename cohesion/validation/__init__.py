"""Validation: how much of what the model says the data support.

- ``findings``: the headline findings, read from ensembles (one place lists them);
- ``crossval``: leave-one-out cross-validation against simple baselines;
- ``permutation``: driver shuffles that tell structural from data-driven findings;
- ``uncertainty``: profile likelihoods of the calibrated weights and parameter draws;
- ``findings_sensitivity``: where in parameter space a finding flips;
- ``backtest``: the model against episodes it was not built from;
- ``suite``: ``cohesion validate`` end to end (validation.csv and manifest.json).

Nothing here changes the model; every part calls the engines and the
calibration as they are.
"""
