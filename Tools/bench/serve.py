#!/usr/bin/env python3
"""`augstore serve`: how long a page of 64 thumbnails of 224×224 tensors takes to render.

Builds a store from a folder of 224×224 PNGs (the first 64 … 256 files), records epochs 0-1 of a run
(RandomFlip + RandomRotation, 224×224 tensors) and materializes epoch 0, then starts `augstore serve` and loads
the samples page of an epoch (`/runs/r/samples?epoch=E&limit=64`) with its 64 thumbnails the way a browser
does (6 connections). Three views, each a median over fresh servers or repeated loads:

- cold, cached tensors: a freshly started server, epoch 0 (tensors read from the store's cache);
- cold, from originals: a freshly started server, epoch 1 (not materialized: decoded and augmented);
- warm: the same page loaded again (thumbnails from the server's in-memory cache).

Prints one JSON document on stdout. Usage: serve.py --augstore BIN --images DIR --work DIR [--repeat N]
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import statistics
import subprocess
import time
import urllib.request

SPEC = {"transforms": [{"type": "RandomFlip", "mode": "horizontal"},
                       {"type": "RandomRotation", "factor": 0.1, "fill_mode": "reflect"}]}


def run(augstore, *arguments):
    subprocess.run([augstore, *arguments], check=True, capture_output=True)


def make_store(augstore, images, work, count):
    source = os.path.join(work, "serve-images")
    store = os.path.join(work, "serve-store")
    shutil.rmtree(source, ignore_errors=True)
    shutil.rmtree(store, ignore_errors=True)
    os.makedirs(os.path.join(source, "all"))
    # The bench images sit in one folder per photograph; take the first `count` in path order.
    paths = sorted(os.path.join(folder, n) for folder, _, files in os.walk(images) for n in files
                   if n.endswith(".png"))[:count]
    for number, path in enumerate(paths):
        shutil.copy(path, os.path.join(source, "all", f"{number:03d}-{os.path.basename(path)}"))
    spec = os.path.join(work, "serve-spec.json")
    with open(spec, "w") as f:
        json.dump(SPEC, f)
    run(augstore, "init", store)
    run(augstore, "dataset", "add", "photos", "--from", source, "--store", store)
    run(augstore, "pipeline", "add", "aug", "--spec", spec, "--store", store)
    run(augstore, "run", "create", "r", "--dataset", "photos", "--pipeline", "aug", "--seed", "7", "--store", store)
    run(augstore, "record", "r", "--epochs", "0-1", "--store", store)
    run(augstore, "materialize", "r", "--epochs", "0", "--store", store)
    return store, len(paths)


def start(augstore, store):
    process = subprocess.Popen([augstore, "serve", "--store", store, "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        process.kill()
        raise RuntimeError("augstore serve printed: " + line)
    return process, "http://127.0.0.1:" + match.group(1)


def fetch(url):
    with urllib.request.urlopen(url) as response:
        return response.read()


def load_page(base, epoch, pool):
    """Seconds to fetch the page and all its thumbnails (6 at a time), and the thumbnail count."""
    started = time.perf_counter()
    html = fetch(f"{base}/runs/r/samples?epoch={epoch}&limit=64").decode()
    images = [base + src.replace("&amp;", "&") for src in re.findall(r'<img src="([^"]+)"', html)]
    sizes = list(pool.map(lambda url: len(fetch(url)), images))
    return time.perf_counter() - started, len(images), sum(sizes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--augstore", required=True)
    parser.add_argument("--images", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    store, samples = make_store(args.augstore, args.images, args.work, 64)
    results = {"samples": samples, "cold_cached": [], "cold_originals": [], "warm": [], "thumbnails": 0}
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        for _ in range(args.repeat):
            for epoch, key in ((0, "cold_cached"), (1, "cold_originals")):
                process, base = start(args.augstore, store)
                try:
                    fetch(base + "/runs")  # the server is up; the run's page is not rendered yet
                    seconds, count, size = load_page(base, epoch, pool)
                    results[key].append(seconds)
                    results["thumbnails"] = count
                    results["thumbnail_bytes"] = size
                    if epoch == 0:
                        for _ in range(3):
                            results["warm"].append(load_page(base, epoch, pool)[0])
                finally:
                    process.send_signal(2)
                    process.wait(timeout=30)
    for key in ("cold_cached", "cold_originals", "warm"):
        results[key + "_median"] = statistics.median(results[key])
    print(json.dumps(results))


if __name__ == "__main__":
    main()
