"""The Python peer of `augstore materialize`: one epoch over a folder of PNGs, written as .npy files.

Decodes with OpenCV (cv2.IMREAD_UNCHANGED, then BGR->RGB), applies the Albumentations pipeline that
matches the augstore benchmark pipeline (RandomFlip horizontal, RandomRotation 0.1, RandomZoom 0.1,
RandomCrop 200x200, RandomContrast 0.2, RandomBrightness 0.2) and writes each result with np.save, in
`--workers` worker processes (a multiprocessing Pool, like a torch-free DataLoader). Prints one JSON
line: {"images": N, "seconds": S, "cpu_seconds": C} where S covers the pool's start, the whole epoch and its shutdown
(not the interpreter's start or the imports), and C the CPU time (user + system) of the same span,
workers included.

Usage: pipeline_peer.py --images LIST.txt --out DIR [--workers 2] [--seed 0] [--resize 224]
(--resize puts Albumentations' Resize first: the JPEG epoch's pipeline, Resizing to 224×224 first).
"""

import argparse
import json
import os
import time

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

cv2.setNumThreads(1)

import albumentations as A  # noqa: E402

PIPELINE = None
OUT = None


def build(seed, resize=None):
    first = [A.Resize(resize, resize, interpolation=cv2.INTER_LINEAR, p=1)] if resize else []
    return A.Compose(
        first + [
            A.HorizontalFlip(p=0.5),
            A.Rotate(limit=36, interpolation=cv2.INTER_LINEAR, border_mode=cv2.BORDER_REFLECT, p=1),
            A.Affine(scale=(0.9, 1.1), interpolation=cv2.INTER_LINEAR, border_mode=cv2.BORDER_REFLECT, p=1),
            A.RandomCrop(200, 200, p=1),
            A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=1),
        ],
        seed=seed,
    )


def init_worker(seed, out, resize=None):
    global PIPELINE, OUT
    PIPELINE = build(seed + os.getpid(), resize)
    OUT = out


def work(item):
    index, path = item
    image = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise RuntimeError(f"cannot decode {path}")
    if image.ndim == 3 and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    tensor = PIPELINE(image=image)["image"]
    np.save(os.path.join(OUT, f"{index:06d}.npy"), np.ascontiguousarray(tensor))
    return index


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", required=True, help="a text file with one PNG path per line")
    parser.add_argument("--out", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resize", type=int, help="resize to SIZE×SIZE first (the JPEG epoch's pipeline)")
    args = parser.parse_args()
    with open(args.images) as f:
        paths = [line.strip() for line in f if line.strip()]
    os.makedirs(args.out, exist_ok=True)
    import multiprocessing

    items = list(enumerate(paths))
    import resource

    def cpu():
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    cpu_start = cpu()
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(
        args.workers, initializer=init_worker, initargs=(args.seed, args.out, args.resize)
    ) as pool:
        done = sum(1 for _ in pool.imap_unordered(work, items, chunksize=16))
    seconds = time.perf_counter() - start
    cpu_seconds = cpu() - cpu_start  # the main process and the (reaped) workers
    assert done == len(paths)
    print(json.dumps({"images": done, "seconds": seconds, "cpu_seconds": cpu_seconds}))


if __name__ == "__main__":
    main()
