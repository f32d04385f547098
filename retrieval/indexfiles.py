"""The base segment saved beside the archive (data/archive.db -> data/archive.index/) and memory-mapped.

Each array is a .npy file opened with `np.load(mmap_mode="r")`: numpy's own format, no extra library, pages
read from disk only when a query touches them and shared by every process that opens the same index. A small
manifest says the format, the archive (its id and change generation) it was built from, and each file's dtype
and shape. Written into a temporary folder and renamed into place, so an index is never half-written; one
that is missing, damaged, foreign or of another format is reported as `IndexUnusable`, never trusted.
Builders take turns: `building` holds a lock file beside the folder (archive.index.lock) for a whole build.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .segment import Segment, SegmentMeta

FORMAT = 3  # bump when what is saved, or how the scores are derived from it, changes
MANIFEST = "manifest.json"
LEFTOVER_AGE = 3600.0  # seconds: a temporary folder older than this is no build under way


class IndexUnusable(ValueError):
    """The saved index cannot be used (missing, damaged, foreign, old); the message says why, for the log."""


@dataclass(frozen=True)
class Built:
    """Which state of which archive an index holds."""

    archive: str  # the archive's random id (store: generation table)
    generation: int  # every record stamped at or below it is in the index
    records: int


def index_folder(db: Path) -> Path:
    """data/archive.db -> data/archive.index (never the database's own name)."""
    return db.with_name((db.name if db.suffix == ".index" else db.stem) + ".index")


def lock_file(folder: Path) -> Path:
    """data/archive.index -> data/archive.index.lock: beside the folder, so a build's swap never touches it."""
    return folder.with_name(folder.name + ".lock")


@contextmanager
def building(folder: Path) -> Iterator[None]:
    """One build of `folder` at a time across processes (bots, shards, `archive-bot index`): an exclusive
    flock on its lock file, which the kernel releases when the holder ends, however it ends. Blocks; run it
    in a worker thread or a process of its own. OSError when the lock file cannot be made (the folder's parent
    not writable), before any build starts."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file(folder), "ab") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield  # closing the file releases the lock


def save(folder: Path, segment: Segment, built: Built) -> None:
    """Write `segment` to `folder` whole, or leave whatever was there before."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=folder.name + ".tmp-", dir=folder.parent))
    try:
        files = {}
        for name, values in segment.arrays.items():
            with open(temporary / f"{name}.npy", "wb") as fh:
                np.save(fh, np.ascontiguousarray(values), allow_pickle=False)
                fh.flush()
                os.fsync(fh.fileno())
            files[name] = [str(values.dtype), len(values)]
        manifest = {"format": FORMAT, "built": asdict(built), "meta": asdict(segment.meta), "files": files,
                    "builder": os.getpid()}  # which process built it (the log's, and the tests' word for it)
        with open(temporary / MANIFEST, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh)
            fh.flush()
            os.fsync(fh.fileno())
        _swap(temporary, folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _swap(ready: Path, folder: Path) -> None:
    """Put `ready` in `folder`'s place; the old one is moved aside first (a folder cannot be renamed over one
    that has files), then removed (processes still mapping its files keep them until they let go)."""
    old = None
    if folder.exists() or folder.is_symlink():
        if not folder.is_dir() or folder.is_symlink():
            raise OSError(f"{folder}: not an index folder; left as it is")
        old = Path(tempfile.mkdtemp(prefix=folder.name + ".old-", dir=folder.parent))
        os.replace(folder, old / "index")
    os.replace(ready, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def load(folder: Path) -> tuple[Segment, Built]:
    """The saved segment, memory-mapped; IndexUnusable when it is not a whole index of this format."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise IndexUnusable(f"{folder}: an index of another format")
        built = Built(**manifest["built"])
        meta = SegmentMeta(**manifest["meta"])
        arrays = {}
        for name, (dtype, length) in manifest["files"].items():
            values = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            if str(values.dtype) != dtype or values.shape != (length,):
                raise IndexUnusable(f"{folder}: {name} is not what the manifest says")
            # a plain view of the mapping: indexing a np.memmap runs Python code and makes a memmap per result
            arrays[name] = values.view(np.ndarray)
        segment = Segment(arrays, meta)
        segment.check()
    except IndexUnusable:
        raise
    except FileNotFoundError:
        raise IndexUnusable(f"{folder}: no index") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexUnusable(f"{folder}: damaged index ({exc})") from None
    if meta.size != built.records:
        raise IndexUnusable(f"{folder}: damaged index (sizes disagree)")
    return segment, built


def remove_leftovers(folder: Path, older_than: float = LEFTOVER_AGE) -> None:
    """Temporary folders a killed build left behind (not another process's build under way: only old ones,
    unless the caller holds `building`, when none can be under way)."""
    now = time.time()
    for leftover in [*folder.parent.glob(folder.name + ".tmp-*"), *folder.parent.glob(folder.name + ".old-*")]:
        with suppress(OSError):
            if now - leftover.stat().st_mtime > older_than:
                shutil.rmtree(leftover, ignore_errors=True)
