"""The training-loop side of the loader benchmark: epochs of batches delivered into a Python loop that
touches every batch (`int(images[:, 0, 0, 0].sum())` and the labels), from one of two loaders.

--side augstore: `augstore.open(STORE).run(RUN).loader(epochs=E, batch_size=B, prefetch=4, jobs=J)`
    (the package on PYTHONPATH, the engine in $AUGSTORE_BIN): the run's recorded batches, rendered by
    the Swift engine and streamed over its pipe.
--side peer: a PyTorch-style loader over the PNG files: `torch.utils.data.DataLoader(num_workers=J,
    batch_size=B, shuffle=True)` whose workers decode with OpenCV (cv2.IMREAD_UNCHANGED, then BGR->RGB) and
    apply pipeline_peer.py's Albumentations pipeline, collated with np.stack; when torch does not import,
    a multiprocessing Pool of J processes, each task one batch, delivered in order.

Prints one JSON line: {"images", "batches", "seconds", "cpu_seconds", "first_batch", "wait", "loader"}
where "seconds" runs from opening the loader (engine or worker start included) to its end (engine or
workers shut down and reaped), excluding the interpreter's start and the imports; "cpu_seconds" is
the CPU time (user + system) of the same span, engine or workers included; "first_batch" is the time
until the first batch arrived and "wait" the time the loop spent waiting for batches in all.

Usage: loader_loop.py --side augstore --store DIR --run NAME --epochs N [--batch-size 64] [--jobs 2]
       loader_loop.py --side peer --images LIST.txt [--batch-size 64] [--jobs 2] [--seed 0]
"""

import argparse
import json
import os
import resource
import time

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import numpy as np  # noqa: E402

PIPELINE = None


def cpu():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def consume(batches):
    """Runs the loop over `batches` of (images, labels); returns its figures (without "seconds")."""
    images = count = checksum = 0
    first = None
    wait = 0.0
    start = time.perf_counter()
    iterator = iter(batches)
    while True:
        before = time.perf_counter()
        try:
            batch = next(iterator)
        except StopIteration:
            wait += time.perf_counter() - before
            break
        wait += time.perf_counter() - before
        if first is None:
            first = time.perf_counter() - start
        pixels, labels = batch
        checksum += int(pixels[:, 0, 0, 0].sum())
        assert len(np.asarray(labels)) == len(pixels)
        images += len(pixels)
        count += 1
    return {"images": images, "batches": count, "first_batch": first, "wait": wait, "checksum": checksum}


# ---------------------------------------------------------------------------------------------------
# augstore


def augstore_side(args):
    import augstore

    cpu_start = cpu()
    start = time.perf_counter()
    run = augstore.open(args.store).run(args.run)
    opened = time.perf_counter() - start
    loader = run.loader(epochs=args.epochs, batch_size=args.batch_size, prefetch=4, jobs=args.jobs)
    try:
        report = consume((batch.images, batch.labels) for batch in loader)
    finally:
        loader.close()
    report["seconds"] = time.perf_counter() - start
    report["cpu_seconds"] = cpu() - cpu_start  # this process and the (reaped) engines
    report["first_batch"] += opened
    report["open"] = opened
    report["loader"] = f"augstore {augstore.__version__} loader, engine {run.store.binary or os.environ.get('AUGSTORE_BIN')}"
    return report


# ---------------------------------------------------------------------------------------------------
# The PyTorch-style peer


def load(item):
    import cv2

    path, label = item
    image = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise RuntimeError(f"cannot decode {path}")
    if image.ndim == 3 and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(PIPELINE(image=image)["image"]), label


def collate(items):
    images, labels = zip(*items)
    return np.stack(images), np.asarray(labels, dtype=np.int64)


def init_pipeline(seed):
    global PIPELINE
    from pipeline_peer import build  # sets cv2's threads to 1, imports albumentations

    PIPELINE = build(seed)


def pool_init(seed):
    init_pipeline(seed + os.getpid())


def pool_batch(items):
    return collate([load(item) for item in items])


class Files:
    """A map-style dataset over (path, label) pairs, as torch.utils.data.Dataset expects."""

    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        return load(self.items[index])


def peer_side(args):
    with open(args.images) as f:
        paths = [line.strip() for line in f if line.strip()]
    classes = sorted({os.path.basename(os.path.dirname(path)) for path in paths})
    label = {name: i for i, name in enumerate(classes)}
    items = [(path, label[os.path.basename(os.path.dirname(path))]) for path in paths]
    try:
        import torch
        from torch.utils.data import DataLoader
    except Exception as error:  # no torch in this venv: the same work in a Pool
        torch, reason = None, f"{type(error).__name__}: {error}"
    if torch is not None:
        torch.set_num_threads(1)
        seed = args.seed

        def worker_init(worker_id):
            init_pipeline(seed * 1000 + worker_id)

        cpu_start = cpu()
        start = time.perf_counter()
        loader = DataLoader(Files(items), batch_size=args.batch_size, shuffle=True, num_workers=args.jobs,
                            collate_fn=collate, worker_init_fn=worker_init,
                            generator=torch.Generator().manual_seed(seed))
        report = consume(loader)  # the iterator's end shuts its workers down and joins (reaps) them
        report["seconds"] = time.perf_counter() - start
        report["cpu_seconds"] = cpu() - cpu_start
        report["loader"] = (f"torch {torch.__version__} DataLoader(num_workers={args.jobs}, "
                            f"batch_size={args.batch_size}, shuffle=True, collate_fn=np.stack)")
        return report
    import multiprocessing

    order = np.random.default_rng(args.seed).permutation(len(items))
    batches = [[items[i] for i in order[k:k + args.batch_size]] for k in range(0, len(items), args.batch_size)]
    cpu_start = cpu()
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.jobs, initializer=pool_init, initargs=(args.seed,)) as pool:
        report = consume(pool.imap(pool_batch, batches))
    report["seconds"] = time.perf_counter() - start
    report["cpu_seconds"] = cpu() - cpu_start  # the main process and the (reaped) workers
    report["loader"] = f"multiprocessing.Pool({args.jobs}), one batch per task, in order (torch: {reason})"
    return report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=["augstore", "peer"], required=True)
    parser.add_argument("--store")
    parser.add_argument("--run")
    parser.add_argument("--epochs", type=int, nargs="+", default=[0])
    parser.add_argument("--images", help="a text file with one PNG path per line (the peer)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    report = augstore_side(args) if args.side == "augstore" else peer_side(args)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
