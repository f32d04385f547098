"""Instructions a Python process runs, counted by valgrind (cachegrind, no cache simulation): a count other work
on the machine does not change, unlike CPU time. What the benchmarks that compare code by instructions share."""
from __future__ import annotations

import os
import re
import subprocess
import sys


def instructions(script: str, *args: object) -> int:
    """The instructions of `python script --run ARGS...` (this interpreter, this environment), its child processes
    not counted."""
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           "--trace-children=no", sys.executable, script, "--run", *map(str, args)],
                          capture_output=True, text=True, check=True, env=os.environ)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    assert found, done.stderr[-2000:]
    return int(found.group(1).replace(",", ""))
