"""Instructions a Python process runs, counted by valgrind (cachegrind, no cache simulation): a count other work
on the machine does not change, unlike CPU time. What the benchmarks that compare code by instructions share."""
from __future__ import annotations

import os
import re
import subprocess
import sys


def instructions(script: str, *args: object, children: bool = False) -> int:
    """The instructions of `python script --run ARGS...` (this interpreter, this environment); with `children`,
    those of every process it starts as well, summed."""
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           f"--trace-children={'yes' if children else 'no'}", sys.executable, script, "--run",
                           *map(str, args)],
                          capture_output=True, text=True, check=True, env=os.environ)
    found = [int(count.replace(",", "")) for count in re.findall(r"I\s+refs:\s+([\d,]+)", done.stderr)]
    assert found and (children or len(found) == 1), done.stderr[-2000:]
    return sum(found)
