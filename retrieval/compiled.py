"""The modules an ingest spends most of its time in, compiled to C by mypyc when the project is installed
(setup.py), and whether this process runs them compiled.

The same source runs interpreted where the build had no C compiler (python:3.11-slim, say): the results are the
same, only slower. Kept free of imports beyond the standard library: setup.py and the Makefile read it before
anything is installed.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import sys
from collections.abc import Sequence
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from pathlib import Path
from types import ModuleType

# Finding participants (about half an ingest's instructions a new record when interpreted), and the parsing
# process's paragraphs, dates and words (README, "Ingest, ninth round").
MODULES = ("retrieval.people.scan", "retrieval.people.roles", "retrieval.parse.text", "retrieval.dates",
           "retrieval.text")

_ROOT = Path(__file__).resolve().parent.parent


def sources(root: Path = _ROOT) -> list[Path]:
    """The source file of each module of MODULES, in the project at `root`."""
    return [root.joinpath(*name.split(".")).with_suffix(".py") for name in MODULES]


def compiled_modules() -> dict[str, bool]:
    """Each module of MODULES -> whether this process imported it compiled."""
    return {name: str(importlib.import_module(name).__file__).endswith(tuple(EXTENSION_SUFFIXES))
            for name in MODULES}


def stale(root: Path = _ROOT) -> list[str]:
    """The compiled modules built from an older source than the one beside them: they would run the old code."""
    found = []
    for name, source in zip(MODULES, sources(root), strict=True):
        built = [path for suffix in EXTENSION_SUFFIXES if (path := source.with_suffix(suffix)).exists()]
        if any(path.stat().st_mtime < source.stat().st_mtime for path in built):
            found.append(name)
    return found


class _FromSource(importlib.abc.MetaPathFinder):
    """Finds the modules of MODULES at their source, before the import system looks for their compiled build."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname not in MODULES:
            return None
        return importlib.util.spec_from_file_location(fullname, sources()[MODULES.index(fullname)])


def from_source_if_asked() -> None:
    """With ARCHIVE_BOT_SOURCE=1 in the environment, this process (and the processes it starts, which inherit it)
    imports the modules of MODULES from their source, as a build without a C compiler does: how the tests check
    that both ways give the same results, and a way to rule the compiled build out. Run by `retrieval` itself,
    before any of them is imported."""
    if os.environ.get("ARCHIVE_BOT_SOURCE") == "1" and not any(isinstance(f, _FromSource) for f in sys.meta_path):
        sys.meta_path.insert(0, _FromSource())


if __name__ == "__main__":  # the Makefile: which sources a reinstall depends on
    print(" ".join(str(path.relative_to(_ROOT)) for path in sources()))
