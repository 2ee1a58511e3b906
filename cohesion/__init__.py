"""cohesion: an agent-based model of NATO cohesion under stress, as of 27 January 2022.

Importing the package has no side effects: no printing, no file writes, no
multiprocessing settings. Heavy optional parts (Mesa, Plotly, Dask, SALib) are
imported where they are used.
"""

__version__ = "0.1.0"
