#!/usr/bin/env python3
"""Crash injection: kill -9 augstore at fixed-seed pseudo-random moments and check the store.

For each command (dataset add, record, materialize, cache gc, replay) a reference store is built
without kills. Each trial copies the command's starting store, starts the command, sleeps a delay,
sends SIGKILL, and checks:

  integrity   PRAGMA integrity_check is "ok" (Python's sqlite3)
  verify      `augstore verify --json` reports no problem (or the trial fails, naming what it found)
  committed   every epoch recorded before the kill has exactly the reference's records, and every
              digest already stored equals the reference's; a dataset version is all or nothing
  rerun       rerunning the command completes (exit 0) and the result equals the reference
  replay      `replay --all` (which checks every tensor against its recorded digest) succeeds and
              every written tensor's SHA-256 equals the reference digest

Delays: trial i of command c sleeps unit(seed, c * 100003 + i) * 1.2 * T, where T is the command's
uninterrupted wall time (median of three runs) and unit() is splitmix64 scaled to [0, 1). No system
random number generator is used. Every fourth trial the rerun is killed too (a second kill at
another fixed-seed delay) before the final rerun. Trials rotate over the commands until --kills
processes were actually killed (a process that ends before its delay is not counted as a kill)
or --max-seconds have passed.

Prints a JSON summary on stdout (and writes it to --summary).
"""

import argparse
import json
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

COMMANDS = ["dataset add", "record", "materialize", "cache gc", "replay"]


class Scenario:
    """One command under test: its starting store, its arguments, its reference result."""

    def __init__(self, name, start_store, args, epochs):
        self.name = name
        self.start_store = start_store
        self.args = args
        self.epochs = epochs
        self.seconds = 0.0


def build(aug, work, per_class):
    images = os.path.join(work, "images")
    common.make_images(images, classes=3, per_class=per_class)
    spec = os.path.join(work, "aug.json")
    with open(spec, "w") as handle:
        json.dump(common.SPEC, handle)

    empty = os.path.join(work, "start-empty")
    aug.run(["init", empty], check=True)
    ready = os.path.join(work, "start-ready")
    common.setup_store(aug, ready, images, spec)
    recorded = os.path.join(work, "start-recorded")
    common.copy_store(ready, recorded)
    aug.run(["record", "r", "--epochs", "0-3"], recorded, check=True)
    materialized = os.path.join(work, "start-materialized")
    common.copy_store(ready, materialized)
    aug.run(["materialize", "r", "--epochs", "0-9"], materialized, check=True)

    scenarios = [
        Scenario("dataset add", empty, ["dataset", "add", "d", "--from", images], []),
        Scenario("record", ready, ["record", "r", "--epochs", "0-199"], list(range(200))),
        Scenario("materialize", ready, ["materialize", "r", "--epochs", "0-3"], list(range(4))),
        Scenario("cache gc", materialized, ["cache", "gc", "--max-size", "20KB"], list(range(10))),
        Scenario("replay", recorded, ["replay", "r", "--epoch", "2", "--all", "--out", "@OUT"], [2]),
    ]
    # The reference of every scenario: the command run once, uninterrupted, on a copy.
    reference = os.path.join(work, "reference")
    common.copy_store(ready, reference)
    aug.run(["materialize", "r", "--epochs", "0-9"], reference, check=True)
    aug.run(["record", "r", "--epochs", "0-199"], reference, check=True)
    records, digests = common.records_by_epoch(aug, reference)
    samples = common.sql_rows(aug, reference, common.SAMPLES_SQL)
    for scenario in scenarios:
        # T: the median of three uninterrupted runs (neither a slow cold first run nor a lucky fast one).
        times = []
        for _ in range(3):
            trial = os.path.join(work, "timing")
            common.copy_store(scenario.start_store, trial)
            started = time.monotonic()
            aug.run(substitute(scenario.args, os.path.join(work, "timing-out")), trial, check=True)
            times.append(time.monotonic() - started)
            shutil.rmtree(trial)
            shutil.rmtree(os.path.join(work, "timing-out"), ignore_errors=True)
        scenario.seconds = sorted(times)[1]
    return scenarios, {"records": records, "digests": digests, "samples": samples}


def substitute(args, out):
    return [out if arg == "@OUT" else arg for arg in args]


def kill_after(aug, args, store, delay):
    """Starts augstore, SIGKILLs it after `delay` seconds; returns True if it was still running."""
    process = aug.start(args, store)
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(min(0.002, max(0.0, deadline - time.monotonic())))
    alive = process.poll() is None
    if alive:
        os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    return alive


def check_store(aug, store, scenario, reference, tally, label, final):
    """The checks made after a kill (final=False) or after the completing rerun (final=True)."""
    catalog = os.path.join(store, "catalog.sqlite")
    result = common.integrity(catalog)
    tally.check(result == ["ok"], f"{label}: integrity_check {result[:3]}")
    verify = aug.run(["verify", "--json"], store)
    try:
        problems = json.loads(verify.stdout).get("problems", [])
    except ValueError:
        problems = [{"kind": "unreadable", "detail": verify.stderr.strip()}]
    tally.check(verify.returncode == 0 and not problems,
                f"{label}: verify exit {verify.returncode}: {[(p.get('kind'), p.get('path')) for p in problems][:3]}")

    samples = common.sql_rows(aug, store, common.SAMPLES_SQL)
    if scenario.name == "dataset add" and not final:
        tally.check(samples in ([], reference["samples"]), f"{label}: a partial dataset version is visible")
    else:
        tally.check(samples == reference["samples"], f"{label}: samples differ from the reference")

    records, digests = common.records_by_epoch(aug, store)
    for epoch, rows in records.items():
        tally.check(rows == reference["records"].get(epoch), f"{label}: epoch {epoch} records differ")
    for key, digest in digests.items():
        if digest is not None:
            tally.check(digest == reference["digests"].get(key), f"{label}: digest of {key} differs")
    if final:
        for epoch in scenario.epochs:
            tally.check(epoch in records, f"{label}: epoch {epoch} not recorded after the rerun")
        if scenario.name in ("materialize", "cache gc"):
            missing = [e for e in scenario.epochs for s in range(len(samples)) if digests.get((e, s)) is None]
            tally.check(not missing, f"{label}: {len(missing)} digests missing after the rerun")


def replay_check(aug, store, epoch, out, reference, tally, label):
    """replay --all checks each tensor against its recorded digest; compare with the reference too."""
    shutil.rmtree(out, ignore_errors=True)
    done = aug.run(["replay", "r", "--epoch", str(epoch), "--all", "--out", out], store)
    if not tally.check(done.returncode == 0, f"{label}: replay exit {done.returncode}: {done.stderr.strip()}"):
        return
    found = common.replayed_digests(out)
    expected = {s: d for (e, s), d in reference["digests"].items() if e == epoch}
    tally.check(found == expected, f"{label}: replayed tensors differ from the reference digests")
    shutil.rmtree(out, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--augstore", required=True)
    parser.add_argument("--work", required=True, help="scratch folder (emptied first)")
    parser.add_argument("--kills", type=int, default=210, help="SIGKILLs to deliver in all, over the five commands")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--per-class", type=int, default=40, help="images per class (3 classes)")
    parser.add_argument("--max-seconds", type=float, default=600, help="stop starting trials after this")
    parser.add_argument("--summary", help="write the JSON summary here too")
    options = parser.parse_args()

    aug = common.Augstore(options.augstore)
    shutil.rmtree(options.work, ignore_errors=True)
    os.makedirs(options.work)
    began = time.monotonic()
    scenarios, reference = build(aug, options.work, options.per_class)
    per_command = {s.name: {"trials": 0, "kills": 0, "finished_before_kill": 0, "checks": 0, "failures": 0,
                            "uninterrupted_seconds": round(s.seconds, 3)} for s in scenarios}
    tally_all = []
    store = os.path.join(options.work, "trial")
    out = os.path.join(options.work, "trial-out")
    check_out = os.path.join(options.work, "check-out")
    stopped_early = False
    trial = -1
    while sum(s["kills"] for s in per_command.values()) < options.kills:
        trial += 1
        for number, scenario in enumerate(scenarios):
            if time.monotonic() - began > options.max_seconds:
                stopped_early = True
                break
            tally = common.Tally()
            stats = per_command[scenario.name]
            label = f"{scenario.name} #{trial}"
            common.copy_store(scenario.start_store, store)
            shutil.rmtree(out, ignore_errors=True)
            args = substitute(scenario.args, out)
            delay = common.unit(options.seed, number * 100003 + trial) * 1.2 * scenario.seconds
            stats["trials"] += 1
            if kill_after(aug, args, store, delay):
                stats["kills"] += 1
            else:
                stats["finished_before_kill"] += 1
            check_store(aug, store, scenario, reference, tally, label + " after kill", final=False)
            if trial % 4 == 3:
                # Kill the rerun as well, at another fixed-seed moment.
                second = common.unit(options.seed ^ 0x5EED, number * 100003 + trial) * 1.2 * scenario.seconds
                if kill_after(aug, args, store, second):
                    stats["kills"] += 1
                check_store(aug, store, scenario, reference, tally, label + " after second kill", final=False)
            rerun = aug.run(args, store)
            tally.check(rerun.returncode == 0, f"{label}: rerun exit {rerun.returncode}: {rerun.stderr.strip()}")
            check_store(aug, store, scenario, reference, tally, label + " after rerun", final=True)
            if scenario.name == "replay":
                found = common.replayed_digests(out)
                expected = {s: d for (e, s), d in reference["digests"].items() if e == 2}
                tally.check(found == expected, f"{label}: rerun replay wrote tensors that differ from the reference")
            if scenario.name != "dataset add" and trial % 2 == 0:
                # An epoch the reference materialized (it has digests for epochs 0-9).
                epoch = scenario.epochs[trial % min(10, len(scenario.epochs))]
                replay_check(aug, store, epoch, check_out, reference, tally, label)
            print(f"{label}: {len(tally.failures)} failures", file=sys.stderr, flush=True)
            stats["checks"] += tally.checks
            stats["failures"] += len(tally.failures)
            tally_all.extend(tally.failures)
        if stopped_early:
            break
    summary = {
        "seed": options.seed,
        "images": 3 * options.per_class,
        "seconds": round(time.monotonic() - began, 1),
        "stopped_early": stopped_early,
        "commands": per_command,
        "kills": sum(s["kills"] for s in per_command.values()),
        "trials": sum(s["trials"] for s in per_command.values()),
        "checks": sum(s["checks"] for s in per_command.values()),
        "failures": sum(s["failures"] for s in per_command.values()),
        "failure_messages": tally_all[:20],
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
