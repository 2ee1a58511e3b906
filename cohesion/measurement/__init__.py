"""Measured drivers: latent scores estimated from indicators, with posterior uncertainty.

``model`` fits one Bayesian factor model per family of indicators
(``factor`` holds the sampler); ``store`` writes and reads the stored draws
(``cohesion/data/drivers.parquet``) and gives the decision rule its drivers.
"""
