"""Peak resident memory of `augstore materialize` and of the Python loader's engine over one epoch of an
ImageNet-sized run (1,281,167 samples by default).

The dataset is synthetic and small on purpose: 1,000 class folders of 16×16 RGB PNGs, 1,281 or 1,282 per
class (1,281,167 in all). Only `distinct` different images exist (the i-th file of every class is a hard
link to the i-th image), so the store holds `distinct` objects while the run has 1,281,167 samples, each
with its own path, sample key, draws and tensor: what grows with the sample count is all there, without
writing a million originals. It is built once per folder (a marker file records its shape).

One store (`init`, `dataset add`, `pipeline add`, two runs with the same seed) is built per measurement
round; then, each in its own process, whose peak RSS (`ru_maxrss` from `wait4`) is reported:

- `augstore materialize mem --epochs 0 --jobs 2 --json`: records epoch 0, renders all its tensors into
  the cache and stores their digests;
- the Python loader over epoch 0 of run `mem-loader` (`augstore.open(STORE).run("mem-loader")
  .loader(epochs=0, batch_size=B, prefetch=4, jobs=2)`, the package from Tools/python/src): records the
  epoch, streams every batch and records the digests; the engine's peak is that of the loader process's
  reaped children, the Python process's own peak is reported beside it.

Usage: memory.py --augstore BIN --work DIR [--samples N] [--distinct N] [--batch-size B] [--keep] [--store DIR]
Prints one JSON line with the figures.
"""

import argparse
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

SAMPLES = 1_281_167
CLASSES = 1000
SIZE = 16

PIPELINE_SPEC = {
    "transforms": [
        {"type": "RandomFlip", "mode": "horizontal"},
        {"type": "RandomRotation", "factor": 0.1, "fill_mode": "reflect", "interpolation": "bilinear"},
        {"type": "RandomZoom", "height_factor": 0.1, "fill_mode": "reflect", "interpolation": "bilinear"},
        {"type": "RandomCrop", "height": 12, "width": 12},
        {"type": "RandomContrast", "factor": 0.2},
    ],
    "original_probability": 0.0,
    "output": {"dtype": "uint8", "layout": "channels_last"},
}


def log(message):
    print(f"[memory {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def png(index, size=SIZE):
    """A size×size RGB PNG whose pixels are a pure function of `index` (distinct for distinct indexes)."""
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            value = (index * 2654435761 + y * 40503 + x * 9973) & 0xFFFFFFFF
            row += bytes([value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF])
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def make_dataset(folder, samples=SAMPLES, distinct=1282):
    """Writes the synthetic dataset under folder/images (see the module's doc) once; returns its path."""
    images = os.path.join(folder, "images")
    marker = os.path.join(folder, "images.json")
    wanted = {"samples": samples, "classes": CLASSES, "distinct": distinct, "size": SIZE, "version": 1}
    if os.path.exists(marker):
        with open(marker) as f:
            if json.load(f) == wanted:
                log(f"dataset already in {images}")
                return images
    start = time.perf_counter()
    shutil.rmtree(images, ignore_errors=True)
    originals = os.path.join(folder, "distinct")
    shutil.rmtree(originals, ignore_errors=True)
    os.makedirs(originals)
    for i in range(distinct):
        with open(os.path.join(originals, f"{i:05d}.png"), "wb") as f:
            f.write(png(i))
    per_class, extra = divmod(samples, CLASSES)
    for c in range(CLASSES):
        target = os.path.join(images, f"class-{c:04d}")
        os.makedirs(target)
        for i in range(per_class + (1 if c < extra else 0)):
            os.link(os.path.join(originals, f"{i % distinct:05d}.png"), os.path.join(target, f"img-{c:04d}-{i:05d}.png"))
    with open(marker, "w") as f:
        json.dump(wanted, f)
    log(f"wrote {samples:,} PNG names ({distinct:,} distinct 16×16 images) under {images} in "
        f"{time.perf_counter() - start:.0f} s")
    return images


def descendants(pid):
    """`pid` and every process below it (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def resident(pid):
    """(anonymous, file-backed and shared) resident KiB of one process, from /proc/PID/status."""
    values = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("RssAnon:", "RssFile:", "RssShmem:")):
                    values[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        pass
    return values.get("RssAnon", 0), values.get("RssFile", 0) + values.get("RssShmem", 0)


FORK_AND_WAIT = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measured(command, env=None):
    """Runs `command` to its end; returns (wall seconds, peak RSS in MiB, stdout, peaks) where peaks has
    the largest anonymous and the largest mapped-file resident MiB of any one process of its tree, sampled
    every 0.2 s (mapped files: the catalog, which SQLite reads through a memory map, and the binary).

    The command runs as the child of a small Python process (``FORK_AND_WAIT``) that reaps it with
    `wait4`, which gives its own peak (descendants it waited for included). A process that this one
    started directly would not do: `subprocess` starts children with `vfork` and `exec`, and `exec`
    makes the memory high-water mark of the process it replaces (this one's, shared by `vfork`) part
    of the child's `ru_maxrss`, so the figure could never be smaller than this process's own peak."""
    import tempfile

    peaks = {"anonymous_mib": 0.0, "mapped_mib": 0.0}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", FORK_AND_WAIT, peak.name, *command],
                                   stdout=out, stderr=err, env=env, text=True)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            for member in descendants(process.pid):
                anonymous, mapped = resident(member)
                peaks["anonymous_mib"] = max(peaks["anonymous_mib"], anonymous / 1024)
                peaks["mapped_mib"] = max(peaks["mapped_mib"], mapped / 1024)
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {err.read().strip()[-2000:]}")
        return seconds, int(peak.read()) / 1024, out.read(), peaks


LOADER = """
import json, resource, sys, time
import augstore
store, run, batch_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
loader = augstore.open(store).run(run).loader(epochs=0, batch_size=batch_size, prefetch=4, jobs=2)
images = 0
try:
    for batch in loader:
        images += len(batch.images)
finally:
    loader.close()
print(json.dumps({"images": images, "seconds": time.perf_counter() - start,
                  "engine_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "python_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(augstore, images, work, batch_size=256, keep=False, store=None):
    """One round: a fresh store with `dataset add` (timed, with its peak), then materialize and the loader.

    With `store`, that store is used (and kept): created with the dataset the first time, given two new
    runs each time after."""
    reuse = store is not None
    store = store or os.path.join(work, f"store-{os.getpid()}")
    if not reuse:
        shutil.rmtree(store, ignore_errors=True)
    env = dict(os.environ, AUGSTORE_STORE=store, AUGSTORE_BIN=augstore,
               PYTHONPATH=os.pathsep.join(filter(None, [os.path.join(ROOT, "Tools", "python", "src"),
                                                        os.environ.get("PYTHONPATH")])))
    spec = os.path.join(work, "memory-pipeline.json")
    with open(spec, "w") as f:
        json.dump(PIPELINE_SPEC, f)
    result = {}
    try:
        existing = []
        if reuse and os.path.exists(os.path.join(store, "catalog.sqlite")):
            out = subprocess.run([augstore, "run", "list", "--json"], check=True, capture_output=True, text=True,
                                 env=env).stdout
            existing = json.loads(out)
            existing = existing.get("runs", existing) if isinstance(existing, dict) else existing
        else:
            subprocess.run([augstore, "init", store], check=True, capture_output=True, env=env)
            seconds, peak, _, _ = measured([augstore, "dataset", "add", "mem", "--from", images], env)
            result["dataset_add"] = {"seconds": seconds, "peak_mib": peak}
            log(f"dataset add: {seconds:.1f} s, peak {peak:.0f} MiB")
            subprocess.run([augstore, "pipeline", "add", "mem", "--spec", spec], check=True, capture_output=True,
                           env=env)
        suffix = f"-{len(existing)}" if existing else ""
        run, loader_run = f"mem{suffix}", f"mem-loader{suffix}"
        for name in (run, loader_run):
            subprocess.run([augstore, "run", "create", name, "--dataset", "mem", "--pipeline", "mem", "--seed",
                            str(7 + len(existing))], check=True, capture_output=True, env=env)
        seconds, peak, out, peaks = measured([augstore, "materialize", run, "--epochs", "0", "--jobs", "2", "--json"],
                                             env)
        epoch = json.loads(out)["epochs"][0]
        assert epoch["samples"] == epoch["computed"], epoch
        result["materialize"] = {"seconds": seconds, "peak_mib": peak, "samples": epoch["samples"], **peaks}
        log(f"materialize: {seconds:.1f} s, peak {peak:.0f} MiB")
        seconds, peak, out, peaks = measured([sys.executable, "-c", LOADER, store, loader_run, str(batch_size)], env)
        report = json.loads(out.strip().splitlines()[-1])
        assert report["images"] == epoch["samples"], report
        result["loader"] = {"seconds": seconds, "peak_mib": report["engine_mib"],
                            "python_mib": report["python_mib"], "batch_size": batch_size,
                            "images": report["images"], **peaks}
        log(f"loader: {seconds:.1f} s, engine peak {report['engine_mib']:.0f} MiB, "
            f"Python {report['python_mib']:.0f} MiB")
    finally:
        if not keep and not reuse:
            shutil.rmtree(store, ignore_errors=True)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--augstore", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--samples", type=int, default=SAMPLES)
    parser.add_argument("--distinct", type=int, default=1282)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--keep", action="store_true", help="keep the store")
    parser.add_argument("--store", help="use (and keep) this store: made with the dataset if it does not exist, "
                                        "given two new runs each time")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    reused = args.store and os.path.exists(os.path.join(args.store, "catalog.sqlite"))
    images = None if reused else make_dataset(args.work, args.samples, args.distinct)
    result = measure(args.augstore, images, args.work, args.batch_size, args.keep, args.store)
    result.update(samples=args.samples, distinct=args.distinct)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
