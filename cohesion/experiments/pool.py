"""A local process pool that survives a lost worker and never outlives its parent.

- Each worker watches its parent and exits when the parent is gone (killed
  with SIGKILL, say), so no worker keeps running, or keeps holding the
  caller's stdout, after the command ended.
- Workers ignore Ctrl-C: the parent receives it, ends the workers at once
  and tells the user.
- When a worker dies (the pool breaks), the tasks without a result are
  submitted again to a new pool, up to ``RETRIES`` times, as Dask does for a
  lost worker. Seeds are part of the tasks, so a retried task gives the same
  numbers.

The pool uses its own ``spawn`` context: no multiprocessing setting is
changed globally.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Hashable, Iterator, TypeVar

from cohesion.errors import InputError

Key = TypeVar("Key", bound=Hashable)
#: How often a pool whose worker died is started again for the unfinished tasks.
RETRIES = 3
#: Seconds between a worker's checks that its parent still lives.
PARENT_CHECK_SECONDS = 0.5


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # the parent is gone: nobody will read our result


def _init_worker(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now (Ctrl-C or an error: their chunks are not wanted).

    Without this, the interpreter's exit would wait for every running chunk.
    """
    workers = list((getattr(pool, "_processes", None) or {}).values())  # no public handle before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.terminate()


def run_in_pool(
    function: Callable[..., Any], tasks: list[tuple[Key, tuple[Any, ...]]], workers: int
) -> Iterator[tuple[Key, Any]]:
    """Call ``function(*args)`` for every ``(key, args)`` in worker processes; yield ``(key, result)`` as each finishes.

    Raises:
        InputError: Workers kept dying (more than ``RETRIES`` broken pools).
        Exception: Whatever ``function`` raised for a task (not retried).
    """
    pending = dict(tasks)
    context = multiprocessing.get_context("spawn")
    for _ in range(RETRIES + 1):
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),)
        )
        broken = False
        try:
            futures: dict[Future, Key] = {pool.submit(function, *args): key for key, args in pending.items()}
            waiting = set(futures)
            while waiting and not broken:
                done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    key = futures[future]
                    del pending[key]
                    yield key, result
        except BaseException:
            _stop_now(pool)
            raise
        pool.shutdown(wait=not broken, cancel_futures=True)
        if not pending:
            return
    raise InputError(
        f"worker processes died {RETRIES + 1} times; {len(pending)} tasks not finished (out of memory? or, from a "
        "script, a call outside 'if __name__ == \"__main__\":', which every worker re-runs; or pass workers=1)"
    )
