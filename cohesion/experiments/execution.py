"""Where chunks run: in this process, in a local process pool, or on a Dask cluster.

Every executor evaluates the same ``ChunkTask`` with the same function and
yields finished chunks as they complete; the order varies, the numbers do
not (seeds are fixed by the plan). The process pool is created with its own
``spawn`` context, so no multiprocessing setting is changed globally. Dask is
imported only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import pandas as pd

from cohesion.errors import InputError
from cohesion.experiments.evaluators import Evaluator
from cohesion.experiments.plan import Chunk, ChunkTask, evaluate_chunk
from cohesion.parallel import available_cores

__all__ = ["EXECUTORS", "ExecutorConfig", "available_cores", "execute"]

EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class ExecutorConfig:
    """Which executor and how many workers.

    Attributes:
        kind: ``local`` (in process for one worker, else a process pool) or ``dask``.
        workers: Worker processes (local pool or the Dask ``LocalCluster``).
        scheduler: Address of a running Dask scheduler (``dask`` only); a
            ``LocalCluster`` of ``workers`` processes is started when None.
    """

    kind: str = "local"
    workers: int = 1
    scheduler: str | None = None

    def check(self) -> None:
        """Reject impossible combinations before anything is created."""
        if self.kind not in EXECUTORS:
            raise InputError(f"--executor must be one of {', '.join(EXECUTORS)}, got {self.kind!r}")
        if self.workers < 1:
            raise InputError(f"--workers must be at least 1, got {self.workers}")
        if self.scheduler is not None and self.kind != "dask":
            raise InputError("--scheduler needs --executor dask")


Work = list[tuple[Chunk, ChunkTask]]


def execute(evaluator: Evaluator, work: Work, config: ExecutorConfig) -> Iterator[tuple[Chunk, pd.DataFrame]]:
    """Evaluate chunks with the configured executor; yield each as it finishes."""
    config.check()
    if not work:
        return
    if config.kind == "dask":
        yield from _dask(evaluator, work, config)
    elif config.workers == 1:
        for chunk, task in work:
            yield chunk, evaluate_chunk(evaluator, task)
    else:
        yield from _process_pool(evaluator, work, config.workers)


def _process_pool(evaluator: Evaluator, work: Work, workers: int) -> Iterator[tuple[Chunk, pd.DataFrame]]:
    from cohesion.experiments.pool import run_in_pool

    yield from run_in_pool(evaluate_chunk, [(chunk, (evaluator, task)) for chunk, task in work], workers)


def _dask(evaluator: Evaluator, work: Work, config: ExecutorConfig) -> Iterator[tuple[Chunk, pd.DataFrame]]:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if config.scheduler is None:
            cluster = LocalCluster(
                n_workers=config.workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        else:
            client = Client(config.scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:  # ValueError: a malformed address (no port, unknown scheme)
        raise InputError(
            f"cannot start or reach the Dask scheduler {config.scheduler or ''}: {exc}".replace("  ", " ")
        ) from None
    try:
        shared = client.scatter(evaluator, broadcast=True)
        futures = {client.submit(evaluate_chunk, shared, task, pure=False): chunk for chunk, task in work}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
