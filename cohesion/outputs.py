"""Safe output locations: every command that writes calls these before any work.

Rules (docs/results.md, "Output safety"):

- a path must be UTF-8 text; a symbolic link is written through (its target
  is what gets replaced), a dangling one is refused;
- a folder is replaced only when it is a cohesion results folder of the same
  kind that holds nothing but the files its manifest lists; a file only when
  cohesion wrote it (it carries cohesion's marker) or ``--overwrite`` is given;
- one writer at a time: a lock file ``.<name>.cohesion-lock`` beside the
  output holds the owner's pid; a second writer is refused while that process
  lives, a lock of a dead process is taken over;
- staging folders and temporary files of cohesion's own naming left by a
  killed run (``.<name>.partial-*``, ``.<name>.old-*``, ``.<name>.*.partial``)
  are removed by the next writer of the same output;
- folders are created with the user's umask.

A command uses :func:`claimed_output` (or :func:`claimed_file`) around all of
its work; library functions that write (``write_results``, ``ExperimentRun``)
take the same lock, which is re-entrant within one process.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from cohesion.errors import InputError

LOCK_SUFFIX = ".cohesion-lock"
#: Files any cohesion folder may hold besides those its manifest lists: temporary files of
#: ``write_json``/``write_frame`` (``.<name>.tmp-<pid>``).
_OWN_TEMPORARY = re.compile(r"^\..+\.tmp-\d+$")
#: Locks held by this process: lock path -> nesting depth.
_HELD: dict[Path, int] = {}


def display(path: Path | str) -> str:
    """A path as printable text, undecodable bytes shown as escapes."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def output_path(path: Path | str, what: str = "output") -> Path:
    """The path to write for a given output: checked text, symbolic links followed.

    Raises:
        InputError: An empty or non-UTF-8 path, or a link to nothing.
    """
    path = Path(path)
    text = str(path)
    if not text.strip():
        raise InputError(f"{what} path is empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{what} path '{display(path)}' is not UTF-8 text; choose a UTF-8 name") from None
    if path.is_symlink():
        real = Path(os.path.realpath(path))
        if not real.exists():
            raise InputError(f"{what} {path} is a symbolic link to {real}, which does not exist; create it or remove the link")
        return real
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_file(target: Path) -> Path:
    """The lock file of an output (a hidden sibling, so it survives the folder's replacement)."""
    target = Path(os.path.abspath(target))
    return target.parent / f".{target.name}{LOCK_SUFFIX}"


def _read_owner(lock: Path) -> tuple[int | None, str]:
    try:
        pid_text, _, host = lock.read_text(encoding="utf-8").partition("\n")
        return int(pid_text), host.strip()
    except (OSError, ValueError):
        return None, ""


def _take_lock(lock: Path, target: Path) -> None:
    me = f"{os.getpid()}\n{socket.gethostname()}\n"
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            pid, host = _read_owner(lock)
            if pid is not None and (host != socket.gethostname() or _pid_alive(pid)):
                where = "" if host == socket.gethostname() else f" on {host}"
                raise InputError(
                    f"{target} is being written by another cohesion process (pid {pid}{where}); "
                    f"wait for it to finish or choose another output (stale lock: remove {lock})"
                ) from None
            if pid is None and _young(lock):
                continue  # another process is writing its pid right now
            lock.unlink(missing_ok=True)  # its owner is gone
            continue
        except OSError as exc:
            raise InputError(f"cannot write to {target}: {exc.strerror or exc}") from None
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(me)
        return
    raise InputError(f"cannot take the lock {lock} of {target}")


def _young(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime < 2.0
    except OSError:
        return False


@contextmanager
def output_lock(target: Path | str) -> Iterator[None]:
    """Hold the lock of an output for the block (re-entrant in one process).

    Raises:
        InputError: Another live process holds it.
    """
    lock = lock_file(Path(target))
    if lock in _HELD:
        _HELD[lock] += 1
        try:
            yield
        finally:
            _HELD[lock] -= 1
        return
    _take_lock(lock, Path(target))
    _HELD[lock] = 1
    try:
        yield
    finally:
        del _HELD[lock]
        pid, _ = _read_owner(lock)
        if pid == os.getpid():
            lock.unlink(missing_ok=True)


def stale_staging(target: Path) -> list[Path]:
    """Leftovers of cohesion's own naming beside ``target`` (from killed runs)."""
    target = Path(os.path.abspath(target))
    if not target.parent.is_dir():
        return []
    name = re.escape(target.name)
    pattern = re.compile(rf"^\.{name}\.(partial-.+|old-\d+|[0-9]+-[0-9a-f]+\.partial|tmp-\d+)$")
    return [p for p in target.parent.iterdir() if pattern.match(p.name)]


def remove_stale_staging(target: Path) -> None:
    """Remove staging leftovers of ``target``; call only while holding its lock."""
    for path in stale_staging(target):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def make_folder(path: Path) -> None:
    """Create a folder (and its parents) with the user's umask."""
    path.mkdir(parents=True, exist_ok=True)


def new_staging_folder(target: Path) -> Path:
    """A fresh hidden sibling of ``target`` to write into, created with the user's umask."""
    target = Path(target)
    for _ in range(100):
        staging = target.parent / f".{target.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(staging)  # unlike mkdtemp (0700), honours the umask like every other folder
        except FileExistsError:
            continue
        return staging
    raise InputError(f"cannot create a staging folder beside {target}")


#: Files a folder of each kind may hold when its manifest lists none (older manifests, running experiments).
KNOWN_FILES: dict[str, frozenset[str]] = {
    "run": frozenset(
        {
            "manifest.json", "summary.csv", "members.csv", "attribution.parquet", "timeseries.parquet",
            "timeseries_summary.parquet", "member_timeseries.parquet", "events.csv", "positions.csv",
        }
    ),  # fmt: skip
    "experiment": frozenset({"manifest.json", "points.parquet", "sensitivity.csv", "parts"}),
}
_PART_FILE = re.compile(r"^(part-.+\.parquet|\..+\.tmp-\d+)$")


def foreign_entries(folder: Path, meta: dict[str, Any]) -> list[str]:
    """Entries of a results folder that its manifest does not account for (sorted)."""
    listed = meta.get("files")
    kind = str(meta.get("kind"))
    allowed = set(listed) if isinstance(listed, list) else set(KNOWN_FILES.get(kind, ()))
    allowed.add("manifest.json")
    if kind == "experiment" and meta.get("status") == "running":
        allowed |= KNOWN_FILES["experiment"]
    foreign = []
    for entry in folder.iterdir():
        if _OWN_TEMPORARY.match(entry.name):
            continue
        if entry.name not in allowed:
            foreign.append(entry.name)
        elif entry.name == "parts" and entry.is_dir():
            foreign += [f"parts/{p.name}" for p in entry.iterdir() if not _PART_FILE.match(p.name)]
        elif entry.is_dir() != (entry.name == "parts"):
            foreign.append(entry.name)
    return sorted(foreign)


def check_output_folder(target: Path, kind: str, analysis: str | None = None) -> Path:
    """Check, before any work, that ``target`` may receive new results.

    It may be absent (its parents are created), empty, or a cohesion results
    folder of the same kind (``run``, ``experiment``; for experiment folders
    also the same ``analysis``, e.g. ``calibration``) holding only the files
    its manifest lists, which is then replaced. Anything else (a user's
    folder, other results, a results folder with a user's file added, the
    current folder) is an error: cohesion never deletes what it did not write.

    Returns:
        The path to write (a symbolic link's target).

    Raises:
        InputError: With the reason, in one line.
    """
    target = output_path(target, "output folder")
    here = Path.cwd().resolve()
    if target.resolve() in (here, *here.parents):
        raise InputError(f"output folder {str(target)!r} would replace the current folder or one of its parents")
    existing = next(p for p in (target, *target.parents) if p.exists() or p.is_symlink())
    if existing != target:
        if not existing.is_dir():
            raise InputError(f"cannot create {target}: {existing} is not a folder")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise InputError(f"cannot create {target}: {existing} is not writable")
        return target
    if not target.is_dir():
        raise InputError(f"output path exists and is not a folder: {target}")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot replace {target}: {target.parent} is not writable")
    if not any(target.iterdir()):
        return target
    try:
        meta = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = None
    if not isinstance(meta, dict) or not str(meta.get("format", "")).startswith("cohesion-"):
        raise InputError(f"{target} exists and is not a cohesion results folder: choose another output folder or remove it")
    if meta.get("kind") != kind or meta.get("analysis") != analysis:
        found = meta.get("analysis") or meta.get("kind")
        raise InputError(f"{target} holds other cohesion results ({found}); choose another output folder")
    foreign = foreign_entries(target, meta)
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise InputError(
            f"{target} holds files cohesion did not write ({shown}); move them or choose another output folder"
        )
    return target


def _created_parents(target: Path) -> list[Path]:
    """Folders above ``target`` that do not exist yet, outermost first."""
    return [p for p in reversed(Path(os.path.abspath(target)).parents) if not p.exists()]


@contextmanager
def claimed_output(target: Path | str, kind: str, analysis: str | None = None) -> Iterator[Path]:
    """Check and lock an output folder for a whole command; yield the path to write.

    Before the block: the path is checked (:func:`check_output_folder`), its
    parents are created, the lock is taken and stale staging folders are
    removed. If the block fails, parents created here are removed again when
    they are still empty, so a refused or failed command leaves nothing behind.
    """
    path = check_output_folder(Path(target), kind, analysis)
    created = _created_parents(path)
    try:
        make_folder(path.parent)
    except OSError as exc:
        raise InputError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    try:
        with output_lock(path):
            remove_stale_staging(path)
            yield path
    except BaseException:
        _remove_empty(created)
        raise


def check_output_file(path: Path | str, overwrite: bool, marker: str, what: str = "output file") -> Path:
    """Check an output file before any work; return the path to write (a link's target).

    An existing file is replaced only when it contains ``marker`` (cohesion
    wrote it) or ``overwrite`` is set.

    Raises:
        InputError: The path is a folder, its folder is missing, or it holds a file cohesion did not write.
    """
    path = output_path(path, what)
    if path.is_dir():
        raise InputError(f"{what} {path} is a folder")
    if path.exists() and not overwrite:
        try:
            with path.open("rb") as handle:
                head = handle.read(1 << 16)
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
        if marker.encode("utf-8") not in head:
            raise InputError(f"{path} exists and was not written by cohesion; pass --overwrite to replace it")
    existing = next((p for p in path.parents if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise InputError(f"cannot write {path}: {existing} is not a folder")
    return path


@contextmanager
def claimed_file(path: Path | str, overwrite: bool, marker: str, what: str = "output file") -> Iterator[Path]:
    """:func:`check_output_file`, then create its folder, hold its lock and clean its stale temporaries.

    Folders created here are removed again if the block fails while they are empty.
    """
    real = check_output_file(path, overwrite, marker, what)
    created = _created_parents(real)
    try:
        try:
            make_folder(real.parent)
        except OSError as exc:
            raise InputError(f"cannot create {real.parent}: {exc.strerror or exc}") from None
        with output_lock(real):
            remove_stale_staging(real)
            yield real
    except BaseException:
        _remove_empty(created)
        raise


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            break
