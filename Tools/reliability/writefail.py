#!/usr/bin/env python3
"""Write failures: the commands of crash.py with writes failing, three ways.

  efbig     RLIMIT_FSIZE (ulimit -f) at several small limits, SIGXFSZ ignored: writes past the
            limit fail with EFBIG
  enospc    the store on a tmpfs of our own, sized so that it fills up mid-command (ENOSPC)
  readonly  the store on a tmpfs of our own, remounted read-only (EROFS)

The tmpfs faults need `mount` (root, and a kernel that lets this container mount tmpfs); without it
they are reported as "not permitted" and skipped.

Expected of every faulted run: exit 0 (the command fitted after all) or exit 1 with one clear
error line on stderr and no crash; then, with the fault lifted: integrity_check ok, `verify` clean,
nothing half-written (a dataset version is all or nothing, every recorded epoch equals the
reference, every stored digest equals the reference's), and the rerun completes.
"""

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import crash  # noqa: E402

LIMITS = [1, 8, 64, 256, 1024]  # KiB, for RLIMIT_FSIZE


def fsize_limit(kib):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (kib * 1024, kib * 1024))
    return apply


def mount(path, options):
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", path], capture_output=True).returncode == 0


def remount(path, options):
    return subprocess.run(["mount", "-o", "remount," + options, path], capture_output=True).returncode == 0


def umount(path):
    subprocess.run(["umount", path], capture_output=True)


def du(path):
    """Bytes the tree takes on a tmpfs: whole 4 KiB pages per file."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            total += -(-os.lstat(os.path.join(folder, name)).st_size // 4096) * 4096
    return total


def judge(done, tally, label):
    """Exit 0, or exit 1 with exactly one error line; never a signal or another code."""
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode == 0:
        return "completed"
    tally.check(done.returncode == 1, f"{label}: exit {done.returncode}: {done.stderr.strip()[:300]}")
    tally.check(len(lines) == 1, f"{label}: {len(lines)} stderr lines: {done.stderr.strip()[:300]}")
    return "refused"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--augstore", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--per-class", type=int, default=40)
    parser.add_argument("--summary")
    options = parser.parse_args()
    aug = common.Augstore(options.augstore)
    shutil.rmtree(options.work, ignore_errors=True)
    os.makedirs(options.work)
    scenarios, reference = crash.build(aug, options.work, options.per_class)
    results = {"efbig": {}, "enospc": {}, "readonly": {}}
    messages = []
    examples = {}
    mountpoint = os.path.join(options.work, "mnt")
    os.makedirs(mountpoint)
    permitted = mount(mountpoint, "size=64m")
    if permitted:
        umount(mountpoint)

    def record(kind, scenario, tally, outcome, done):
        entry = results[kind].setdefault(scenario.name, {"runs": 0, "refused": 0, "completed": 0, "checks": 0,
                                                         "failures": 0})
        entry["runs"] += 1
        entry[outcome] += 1
        entry["checks"] += tally.checks
        entry["failures"] += len(tally.failures)
        messages.extend(tally.failures)
        if outcome == "refused":
            examples.setdefault(f"{kind} / {scenario.name}", done.stderr.strip().splitlines()[0][:200])

    def after(store, scenario, args, tally, label):
        crash.check_store(aug, store, scenario, reference, tally, label + " after the fault", final=False)
        rerun = aug.run(args, store)
        tally.check(rerun.returncode == 0, f"{label}: rerun exit {rerun.returncode}: {rerun.stderr.strip()}")
        crash.check_store(aug, store, scenario, reference, tally, label + " after rerun", final=True)

    out = os.path.join(options.work, "out")
    for scenario in scenarios:
        # EFBIG: the store on the ordinary file system, the command under RLIMIT_FSIZE.
        for kib in LIMITS:
            tally = common.Tally()
            store = os.path.join(options.work, "trial")
            common.copy_store(scenario.start_store, store)
            shutil.rmtree(out, ignore_errors=True)
            args = crash.substitute(scenario.args, out)
            label = f"efbig {kib}KiB {scenario.name}"
            done = aug.run(args, store, preexec=fsize_limit(kib))
            outcome = judge(done, tally, label)
            after(store, scenario, args, tally, label)
            record("efbig", scenario, tally, outcome, done)

        if not permitted:
            continue
        # ENOSPC: a tmpfs a little larger than the starting store, so the command runs out of room.
        base = du(scenario.start_store)
        for extra in [16, 64, 256, 1024]:
            tally = common.Tally()
            if not mount(mountpoint, f"size={base + 64 * 1024 + extra * 1024}"):
                tally.check(False, f"enospc {scenario.name}: mount failed")
                record("enospc", scenario, tally, "refused", subprocess.CompletedProcess([], 1, "", "mount"))
                continue
            try:
                store = os.path.join(mountpoint, "store")
                try:
                    common.copy_store(scenario.start_store, store)
                except OSError:
                    messages.append(f"enospc +{extra}KiB {scenario.name}: copying the starting store did not fit")
                    continue
                out_on_mount = os.path.join(mountpoint, "out")
                args = crash.substitute(scenario.args, out_on_mount)
                label = f"enospc +{extra}KiB {scenario.name}"
                done = aug.run(args, store)
                outcome = judge(done, tally, label)
                remount(mountpoint, "size=256m")
                shutil.rmtree(out_on_mount, ignore_errors=True)
                after(store, scenario, args, tally, label)
                record("enospc", scenario, tally, outcome, done)
            finally:
                umount(mountpoint)

        # EROFS: the store on a tmpfs remounted read-only.
        tally = common.Tally()
        if mount(mountpoint, "size=256m"):
            try:
                store = os.path.join(mountpoint, "store")
                common.copy_store(scenario.start_store, store)
                before = {name: open(os.path.join(store, name), "rb").read() for name in os.listdir(store)
                          if os.path.isfile(os.path.join(store, name))}
                remount(mountpoint, "ro")
                args = crash.substitute(scenario.args, out)
                label = f"readonly {scenario.name}"
                done = aug.run(args, store)
                outcome = judge(done, tally, label)
                tally.check(outcome == "refused" or scenario.name == "replay",
                            f"{label}: completed on a read-only store")
                remount(mountpoint, "rw")
                now = {name: open(os.path.join(store, name), "rb").read() for name in os.listdir(store)
                       if os.path.isfile(os.path.join(store, name))}
                tally.check(now == before, f"{label}: the catalog files changed")
                shutil.rmtree(out, ignore_errors=True)
                after(store, scenario, args, tally, label)
                record("readonly", scenario, tally, outcome, done)
            finally:
                umount(mountpoint)

    summary = {
        "tmpfs_mount_permitted": permitted,
        "results": results,
        "runs": sum(e["runs"] for kind in results.values() for e in kind.values()),
        "checks": sum(e["checks"] for kind in results.values() for e in kind.values()),
        "failures": sum(e["failures"] for kind in results.values() for e in kind.values()) + len(
            [m for m in messages if "did not fit" in m]),
        "error_examples": examples,
        "failure_messages": [m[:400] for m in messages[:20]],
    }
    text = json.dumps(summary, indent=2)
    print(text)
    if options.summary:
        with open(options.summary, "w") as handle:
            handle.write(text + "\n")
    shutil.rmtree(options.work, ignore_errors=True)
    return 0 if summary["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
