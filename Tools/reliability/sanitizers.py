#!/usr/bin/env python3
"""Runs the whole test suite once under a sanitizer (or none) and summarizes it as JSON.

    Tools/reliability/sanitizers.py address|thread|none [--summary F]

none: plain `swift test` in the normal .build folder (the suite's time on this machine).

`swift test --sanitize=<name> --scratch-path .build-<name>` (a separate build folder: the normal
.build is not touched). Counts tests, failures and sanitizer reports (ASan "ERROR: AddressSanitizer",
TSan "WARNING: ThreadSanitizer", UBSan "runtime error"); keeps the full log beside the summary.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("sanitizer", choices=["address", "thread", "none"])
parser.add_argument("--summary")
parser.add_argument("--log")
options = parser.parse_args()
command = ["swift", "test"]
if options.sanitizer != "none":
    command += [f"--sanitize={options.sanitizer}", "--scratch-path", f".build-{options.sanitizer}"]
started = time.monotonic()
done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                      env=dict(os.environ, TSAN_OPTIONS="halt_on_error=0", ASAN_OPTIONS="detect_leaks=0"))
log = done.stdout + done.stderr
if options.log:
    with open(options.log, "w") as handle:
        handle.write(log)
run_line = re.findall(r"Test run with (\d+) tests? (?:in \d+ suites? )?(passed|failed)[^\n]*", log)
issues = re.findall(r"Test run with \d+ tests?.*?with (\d+) issues?", log)
reports = re.findall(r"(ERROR: AddressSanitizer[^\n]*|WARNING: ThreadSanitizer[^\n]*|runtime error:[^\n]*)", log)
summary = {
    "sanitizer": options.sanitizer,
    "command": " ".join(command),
    "exit": done.returncode,
    "seconds": round(time.monotonic() - started, 1),
    "tests": int(run_line[-1][0]) if run_line else None,
    "result": run_line[-1][1] if run_line else "did not run",
    "issues": int(issues[-1]) if issues else 0,
    "sanitizer_reports": len(reports),
    "first_reports": sorted(set(reports))[:10],
    "build_error": [line for line in log.splitlines() if "error:" in line][:5] if not run_line else [],
}
text = json.dumps(summary, indent=2)
print(text)
if options.summary:
    with open(options.summary, "w") as handle:
        handle.write(text + "\n")
sys.exit(0 if done.returncode == 0 and not reports else 1)
