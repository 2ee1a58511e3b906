"""Experiments: designs over parameters and scenarios, sensitivity and calibration.

The layers stay apart, as in exploratory-modelling tools:

- ``schema``: the experiment file (one strict pydantic schema) and its checks;
- ``design``: factors and samplers (grid, Latin hypercube, Sobol/Saltelli, Morris);
- ``evaluators``: what is evaluated at a design point; the model is one
  evaluator, a plain function (e.g. the Ishigami test function) another;
- ``plan``: a checked experiment resolved into a design matrix, seeds and chunks;
- ``execution``: where chunks run (in process, a process pool, a Dask cluster);
- ``store``: the results folder (streamed part files, resume, consolidation);
- ``sensitivity``: SALib analyses of a finished design;
- ``calibration``: fitting parameters to observed stances.

Nothing here is imported by ``import cohesion``; heavy parts (Dask, SALib,
SciPy's optimizers) are imported where they are used.
"""
