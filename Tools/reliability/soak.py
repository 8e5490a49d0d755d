#!/usr/bin/env python3
"""Concurrency soak: N augstore processes at once on one store, for a fixed time.

Each of --processes workers runs augstore commands back to back (one process at a time per worker,
so N at once in all) until --seconds have passed or --max-ops commands were started. Operation i
of worker w is chosen by splitmix64(seed, w * 1_000_003 + i) among

  materialize r --epochs a-b      record r --epochs a-b      replay r --epoch e --all --out <own>
  cache gc --max-size S           dataset add dK --from <one of three folders>

Counted: commands, non-zero exits (expected ones classified: replay of an epoch nobody has recorded
yet), "database is locked" / "busy" in stderr, digest mismatches (replay refuses a tensor whose
digest differs from the record's, and every replayed file is hashed and compared with a reference
store built without concurrency). At the end: integrity_check, `verify`, and every recorded epoch's
records and digests against the reference.
"""

import argparse
import json
import os
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

EPOCHS = 8


def choose(seed, worker, index):
    value = common.splitmix64(seed, worker * 1_000_003 + index)
    kind = ["materialize", "replay", "record", "cache gc", "dataset add", "replay"][value % 6]
    a = (value >> 8) % EPOCHS
    b = min(EPOCHS - 1, a + (value >> 16) % 3)
    if kind == "materialize":
        return kind, ["materialize", "r", "--epochs", f"{a}-{b}", "--jobs", "1"]
    if kind == "record":
        return kind, ["record", "r", "--epochs", f"{a}-{b}"]
    if kind == "replay":
        return kind, ["replay", "r", "--epoch", str(a), "--all", "--out", "@OUT", "--jobs", "1"]
    if kind == "cache gc":
        return kind, ["cache", "gc", "--max-size", f"{20 + (value >> 24) % 200}KB"]
    return kind, ["dataset", "add", f"d{(value >> 24) % 3}", "--from", f"@IMAGES{(value >> 32) % 3}"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--augstore", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--max-ops", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--summary")
    options = parser.parse_args()

    aug = common.Augstore(options.augstore)
    shutil.rmtree(options.work, ignore_errors=True)
    os.makedirs(options.work)
    images = [os.path.join(options.work, f"images{k}") for k in range(3)]
    for k, folder in enumerate(images):
        common.make_images(folder, classes=3, per_class=20 + 10 * k, seed_offset=k * 77)
    spec = os.path.join(options.work, "aug.json")
    with open(spec, "w") as handle:
        json.dump(common.SPEC, handle)
    store = os.path.join(options.work, "store")
    common.setup_store(aug, store, images[0], spec)
    aug.run(["materialize", "r", "--epochs", "0-1"], store, check=True)
    reference = os.path.join(options.work, "reference")
    common.setup_store(aug, reference, images[0], spec)
    aug.run(["materialize", "r", "--epochs", f"0-{EPOCHS - 1}"], reference, check=True)
    ref_records, ref_digests = common.records_by_epoch(aug, reference)

    lock = threading.Lock()
    counts = {"commands": 0, "by_kind": {}, "nonzero": 0, "expected_nonzero": 0, "unexpected": [],
              "locked": 0, "digest_mismatches": 0, "replayed_tensors": 0}
    started = time.monotonic()

    def worker(number):
        out = os.path.join(options.work, f"out{number}")
        index = 0
        while time.monotonic() - started < options.seconds:
            with lock:
                if counts["commands"] >= options.max_ops:
                    return
                counts["commands"] += 1
            kind, args = choose(options.seed, number, index)
            index += 1
            args = [out if a == "@OUT" else images[int(a[7:])] if a.startswith("@IMAGES") else a for a in args]
            shutil.rmtree(out, ignore_errors=True)
            done = aug.run(args, store)
            stderr = done.stderr.lower()
            mismatch = 0
            replayed = 0
            if kind == "replay" and done.returncode == 0:
                epoch = int(args[3])
                found = common.replayed_digests(out)
                replayed = len(found)
                expected = {s: d for (e, s), d in ref_digests.items() if e == epoch}
                mismatch = sum(1 for s, d in found.items() if expected.get(s) != d) + abs(len(expected) - len(found))
            with lock:
                entry = counts["by_kind"].setdefault(kind, {"runs": 0, "nonzero": 0})
                entry["runs"] += 1
                counts["replayed_tensors"] += replayed
                counts["digest_mismatches"] += mismatch + (1 if "digest" in stderr else 0)
                if "locked" in stderr or "busy" in stderr:
                    counts["locked"] += 1
                if done.returncode != 0:
                    counts["nonzero"] += 1
                    entry["nonzero"] += 1
                    if kind == "replay" and "has no records for epoch" in stderr:
                        counts["expected_nonzero"] += 1
                    else:
                        counts["unexpected"].append(f"{' '.join(args)} -> {done.returncode}: {done.stderr.strip()}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(options.processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    integrity = common.integrity(os.path.join(store, "catalog.sqlite"))
    verify = aug.run(["verify", "--json"], store)
    report = json.loads(verify.stdout) if verify.stdout.strip() else {"problems": [{"kind": "unreadable"}]}
    records, digests = common.records_by_epoch(aug, store)
    record_mismatch = sum(1 for e, rows in records.items() if rows != ref_records.get(e))
    stored_digest_mismatch = sum(1 for k, d in digests.items() if d is not None and d != ref_digests.get(k))
    summary = {
        "seed": options.seed,
        "processes": options.processes,
        "seconds": round(elapsed, 1),
        "seconds_limit": options.seconds,
        "max_ops": options.max_ops,
        **{k: v for k, v in counts.items() if k != "unexpected"},
        "unexpected_nonzero": len(counts["unexpected"]),
        "unexpected_messages": counts["unexpected"][:10],
        "integrity_check": integrity,
        "verify_exit": verify.returncode,
        "verify_problems": [(p.get("kind"), p.get("detail")) for p in report.get("problems", [])][:10],
        "epochs_recorded": sorted(records),
        "epochs_with_different_records": record_mismatch,
        "stored_digests_different": stored_digest_mismatch,
    }
    summary["ok"] = (summary["locked"] == 0 and summary["digest_mismatches"] == 0
                     and summary["unexpected_nonzero"] == 0 and integrity == ["ok"] and verify.returncode == 0
                     and record_mismatch == 0 and stored_digest_mismatch == 0)
    text = json.dumps(summary, indent=2)
    print(text)
    if options.summary:
        with open(options.summary, "w") as handle:
            handle.write(text + "\n")
    shutil.rmtree(options.work, ignore_errors=True)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
