"""The pure model core: array functions with no Mesa import.

Both engines (the Mesa shell in ``cohesion.engines.mesa_engine`` and the
vectorized ensemble engine in ``cohesion.engines.vectorized``) call these same
functions; docs/model.md writes down every equation.
"""
