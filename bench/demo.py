"""Demo benchmark: builds the largest demo borough the CLI allows and prints figures; asserts nothing.

It runs the real ``caseledger demo`` command (the story, signing the checkpoint, verifying, the
tour) in a fresh temporary folder (the verifier key it pins goes there too, not in the user's
configuration), with a progress line on stderr, and prints the size, the
events written, the seconds taken and events/s. The figures vary from machine to machine and from
run to run; it never fails on timings. It fails (exit 1) only if the build itself fails.

Run:  python bench/demo.py                    # the largest size, commands.cli.DEMO_MAX_CHILDREN
      python bench/demo.py --children 5 --seed 3   # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commands.cli import DEMO_MAX_CHILDREN  # noqa: E402
from commands.pins import CONFIG_DIR_ENV  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=DEMO_MAX_CHILDREN)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    exe = Path(sys.executable).parent / "caseledger"
    with tempfile.TemporaryDirectory() as folder:
        print(f"building a demo borough of {args.children} children (seed {args.seed})...", file=sys.stderr)
        start = time.perf_counter()
        # The demo pins the ledger's verifier key in the user's configuration (commands.pins); this ledger
        # is gone when the run ends, so its pin goes in the temporary folder too, not in the user's file.
        env = {**os.environ, CONFIG_DIR_ENV: str(Path(folder) / "config")}
        proc = subprocess.run([str(exe), "demo", "--db", "bench.db", "--children", str(args.children),
                               "--seed", str(args.seed), "--json"], cwd=folder, capture_output=True, text=True,
                              env=env)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            print(f"the demo failed (exit {proc.returncode}): {proc.stderr.strip()}", file=sys.stderr)
            return 1
        data = json.loads(proc.stdout)
    events = data["summary"]["events"]
    print(f"children  {args.children}")
    print(f"seed      {args.seed}")
    print(f"events    {events}")
    print(f"seconds   {seconds:.1f}")
    print(f"events/s  {events / seconds:.0f}")
    print(f"verified  {data['verify']['ok']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
