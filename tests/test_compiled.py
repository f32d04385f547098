"""The modules retrieval/compiled.py lists run compiled where the build could compile them (`make test` requires
it), and give the same results run from their source, as a build without a C compiler runs them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from retrieval.compiled import MODULES, compiled_modules, sources, stale

ROOT = Path(__file__).resolve().parent.parent


def _source_env() -> dict[str, str]:
    return {**os.environ, "ARCHIVE_BOT_SOURCE": "1", "PYTHONPATH": str(ROOT)}


def test_every_listed_module_runs_compiled() -> None:
    compiled = compiled_modules()
    if not all(compiled.values()) and not os.environ.get("ARCHIVE_REQUIRE_COMPILED"):
        pytest.skip(f"not compiled in this build: {compiled}")
    assert all(compiled.values()), f"ARCHIVE_REQUIRE_COMPILED is set and the build compiled only {compiled}"


def test_the_source_setting_imports_every_listed_module_from_its_source() -> None:
    done = subprocess.run([sys.executable, "-c", "import json; from retrieval.compiled import compiled_modules; "
                           "import retrieval.people; print(json.dumps(compiled_modules()))"],
                          capture_output=True, text=True, env=_source_env(), cwd=ROOT, check=True)
    assert json.loads(done.stdout) == dict.fromkeys(MODULES, False)


def test_a_build_older_than_its_source_is_stale(tmp_path: Path) -> None:
    for source in sources(tmp_path):
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text("")
    first = sources(tmp_path)[0]
    built = first.with_suffix(EXTENSION_SUFFIXES[0])  # this platform's name of a compiled module
    built.write_bytes(b"")
    os.utime(built, (first.stat().st_mtime + 10,) * 2)
    assert stale(tmp_path) == []
    os.utime(built, (first.stat().st_mtime - 10,) * 2)
    assert stale(tmp_path) == [MODULES[0]]


@pytest.mark.slow
def test_the_source_passes_the_compiled_modules_own_tests() -> None:
    """The same rules interpreted (a process of its own, with ARCHIVE_BOT_SOURCE=1): every record of the
    participants golden file both ways of finding names, and the tests of each compiled module."""
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-q",
                           "tests/retrieval/people/test_participants_golden.py",
                           "tests/retrieval/people/test_scan.py", "tests/retrieval/people/test_roles.py",
                           "tests/retrieval/test_parse_text.py", "tests/retrieval/test_dates.py",
                           "tests/retrieval/test_text.py"],
                          capture_output=True, text=True, env=_source_env(), cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout and " failed" not in done.stdout


@pytest.mark.slow
def test_a_build_without_a_c_compiler_installs_the_modules_as_source(tmp_path: Path) -> None:
    """As in the python:3.11-slim image (docker-compose.yml): the build warns and goes on, and the wheel carries
    the modules' source and no compiled module."""
    source = tmp_path / "src"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((ROOT / name).read_bytes())
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                           "-w", str(tmp_path / "wheels"), str(source)],
                          capture_output=True, text=True, env={**os.environ, "CC": "/bin/false"})
    assert done.returncode == 0, done.stderr[-3000:]
    import zipfile

    [wheel] = (tmp_path / "wheels").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [name for name in names if name.endswith(".so")], names
    assert {path.relative_to(ROOT).as_posix() for path in sources()} <= set(names)
