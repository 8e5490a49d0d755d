"""`augstore dataset add` vs `dvc add` on one folder of small PNGs, runs alternating.

augstore reads, SHA-256-hashes and fully decodes every image, copies new originals into its
object store (flushed to disk before they are renamed into place) and commits the version to
SQLite. dvc hashes (MD5) and copies every file into its cache and writes a .dvc manifest; it
does not decode. Each run starts from an empty store / empty dvc cache and state.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image


def make_images(root, count, classes=10, size=64):
    """Smooth gradients plus texture: compresses like small photos, not like noise."""
    rng = np.random.default_rng(20261125)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    for i in range(count):
        label = f"class{i % classes}"
        os.makedirs(os.path.join(root, label), exist_ok=True)
        a, b, c = rng.uniform(0.02, 0.2, 3)
        base = np.stack([np.sin(xx * a + i), np.cos(yy * b), np.sin((xx + yy) * c)], axis=-1)
        noise = rng.normal(0, 0.08, (size, size, 3))
        pixels = np.clip((base * 0.5 + 0.5 + noise) * 255, 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(os.path.join(root, label, f"{i:06d}.png"))


def timed(command, cwd=None, env=None):
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--augstore", required=True)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="augstore-bench-add-")
    images = os.path.join(work, "images")
    print(f"generating {args.files} PNGs (64x64 RGB, 10 class folders) in {images}", file=sys.stderr)
    make_images(images, args.files)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(images) for f in fs)

    env = dict(os.environ, DVC_NO_ANALYTICS="1")
    dvc = os.path.join(os.path.dirname(sys.executable), "dvc")
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    subprocess.run([dvc, "init", "-q"], cwd=work, check=True, env=env)
    subprocess.run([dvc, "config", "core.analytics", "false"], cwd=work, check=True, env=env)

    augstore_times, dvc_times = [], []
    for run in range(args.runs):
        store = os.path.join(work, "store")
        shutil.rmtree(store, ignore_errors=True)
        subprocess.run([args.augstore, "init", store], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["sync"], check=True)
        augstore_times.append(
            timed([args.augstore, "dataset", "add", "bench", "--from", images, "--store", store]))

        for leftover in [".dvc/cache", ".dvc/tmp", "images.dvc"]:
            path = os.path.join(work, leftover)
            shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else (
                os.path.exists(path) and os.remove(path))
        subprocess.run(["sync"], check=True)
        dvc_times.append(timed([dvc, "add", "-q", "images"], cwd=work, env=env))
        print(f"run {run + 1}: augstore {augstore_times[-1]:.2f} s, dvc {dvc_times[-1]:.2f} s",
              file=sys.stderr)

    a, d = statistics.median(augstore_times), statistics.median(dvc_times)
    print(f"\n`dataset add` vs `dvc add`: {args.files} PNGs, {total / 1e6:.1f} MB, "
          f"median of {args.runs} alternating runs, {os.cpu_count()} cores\n")
    print("| tool | seconds | files/s | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| augstore dataset add (hash + decode + copy + fsync) | {a:.2f} | {args.files / a:,.0f} | "
          f"{d / a:.2f}x |")
    print(f"| dvc add (hash + copy) | {d:.2f} | {args.files / d:,.0f} | 1.00x |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
