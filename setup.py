"""The build: everything is in pyproject.toml but the modules compiled by mypyc (retrieval/compiled.py).

Each compiled module is an optional extension: where there is no C compiler, the build warns and the module runs
from its source, with the same results.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent  # pip may run this as plain "setup.py", from another directory


def _compiled() -> list:
    spec = importlib.util.spec_from_file_location("_compiled", HERE / "retrieval" / "compiled.py")
    assert spec is not None and spec.loader is not None
    listed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(listed)
    from mypyc.build import mypycify

    # mypyc type-checks what it compiles, in pip's build environment, which has none of the project's
    # dependencies: their types are taken as unknown (Any) and the modules only imported are not reported on
    # (`make check` checks them all, with the dependencies). A cache of its own, so no other environment's is read.
    options = ["--ignore-missing-imports", "--follow-imports=silent", "--cache-dir", str(HERE / "build" / "mypy")]
    try:
        # One extension a module (separate=True), each optional: a module that fails to build falls back alone.
        extensions = mypycify([*options, *(str(path.relative_to(HERE)) for path in listed.sources())],
                              opt_level="3", separate=True)
    except (Exception, SystemExit) as error:  # noqa: BLE001 - any failure here leaves the modules as source
        print(f"warning: the modules of retrieval/compiled.py are not compiled ({error!r}): they run from their "
              "source, slower", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True
    return extensions


setup(ext_modules=_compiled())
