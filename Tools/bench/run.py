"""Runs every augstore benchmark against its peer, alternating the two in one session, and renders
BENCHMARKS.md. Started by Tools/bench/run (which builds augstore and prepares the venv); see there.

Benchmarks: PNG decode (augstore vs Pillow vs OpenCV), kernels (vs Albumentations, via
Tools/bench/kernels), one epoch of a whole pipeline PNG -> .npy (augstore materialize --jobs 2 vs
OpenCV + Albumentations in 2 worker processes), cached replay and a later epoch vs the cold first
epoch, the catalog benchmark (Tools/bench/catalog), and the loader: batches of 64 into a Python loop
(augstore's Python loader, first and later epoch, vs a PyTorch-style DataLoader with 2 workers, and vs
`augstore materialize` of the same epochs for the cost of the transport; Tools/bench/loader_loop.py),
and the peak resident memory of `materialize` and of the loader over a 1,281,167-sample epoch
(Tools/bench/memory.py).
"""

import argparse
import datetime
import io
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

cv2.setNumThreads(1)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

MODES = {
    # decode passes per round, rounds; kernel seconds, rounds; pipeline repetitions; catalog samples
    "quick": dict(decode_repeat=1, decode_rounds=3, kernel_seconds=0.5, kernel_rounds=3, pipeline_reps=3,
                  catalog_samples=100_000),
    "full": dict(decode_repeat=2, decode_rounds=7, kernel_seconds=1.0, kernel_rounds=5, pipeline_reps=5,
                 catalog_samples=None),
}

PIPELINE_SPEC = {
    "transforms": [
        {"type": "RandomFlip", "mode": "horizontal"},
        {"type": "RandomRotation", "factor": 0.1, "fill_mode": "reflect", "interpolation": "bilinear"},
        {"type": "RandomZoom", "height_factor": 0.1, "fill_mode": "reflect", "interpolation": "bilinear"},
        {"type": "RandomCrop", "height": 200, "width": 200},
        {"type": "RandomContrast", "factor": 0.2},
        {"type": "RandomBrightness", "factor": 0.2},
    ],
    "original_probability": 0.0,
    "output": {"dtype": "uint8", "layout": "channels_last"},
}


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values):
    return statistics.median(values) if values else float("nan")


# ---------------------------------------------------------------------------------------------------
# Images


def photographs():
    """scikit-image's bundled colour photographs, as RGB uint8 arrays."""
    from skimage import data

    names = ["astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry",
             "retina", "cat"]
    photos = {}
    for name in names:
        try:
            image = getattr(data, name)()
        except Exception as error:  # a photo that needs a download we cannot make
            log(f"skipping skimage.data.{name}: {error}")
            continue
        if image.ndim == 3 and image.shape[2] >= 3 and name != "cat":
            photos[name] = np.ascontiguousarray(image[:, :, :3])
    return photos


def random_crop(rng, photo, width, height):
    """A crop of `photo` with the aspect ratio width:height, 40-100% of the largest such crop,
    resized to width x height, mirrored half the time."""
    h, w = photo.shape[:2]
    scale = min(w / width, h / height)
    s = scale * rng.uniform(0.4, 1.0)
    cw, ch = max(8, int(width * s)), max(8, int(height * s))
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    image = Image.fromarray(photo[y:y + ch, x:x + cw]).resize((width, height), Image.BILINEAR)
    if rng.random() < 0.5:
        image = image.transpose(Image.FLIP_LEFT_RIGHT)
    return image


def make_images(folder, small_count, large_count):
    """Writes `small_count` 224x224 and `large_count` 500x375 RGB PNGs (Pillow, default compression)
    of crops of the photographs under folder/small/<photo>/ and folder/large/<photo>/, and the large
    crops again as JPEG (Pillow, quality 90, 4:2:0) under folder/jpeg/<photo>/, once."""
    marker = os.path.join(folder, "done.json")
    wanted = {"small": small_count, "large": large_count, "version": 2}
    if os.path.exists(marker):
        with open(marker) as f:
            if json.load(f) == wanted:
                log(f"images already in {folder}")
                return
    shutil.rmtree(folder, ignore_errors=True)
    photos = photographs()
    names = sorted(photos)
    rng = random.Random(20240601)
    for kind, count, size in (("small", small_count, (224, 224)), ("large", large_count, (500, 375))):
        for i in range(count):
            name = names[i % len(names)]
            target = os.path.join(folder, kind, name)
            os.makedirs(target, exist_ok=True)
            crop = random_crop(rng, photos[name], *size)
            crop.save(os.path.join(target, f"{kind}-{i:05d}.png"))
            if kind == "large":
                os.makedirs(os.path.join(folder, "jpeg", name), exist_ok=True)
                crop.save(os.path.join(folder, "jpeg", name, f"{kind}-{i:05d}.jpg"), quality=90)
    with open(marker, "w") as f:
        json.dump(wanted, f)
    log(f"wrote {small_count} + {large_count} PNGs from {', '.join(names)} under {folder}")


def png_files(folder, suffix=".png"):
    paths = []
    for directory, _, files in os.walk(folder):
        paths += [os.path.join(directory, f) for f in files if f.endswith(suffix)]
    return sorted(paths)


# ---------------------------------------------------------------------------------------------------
# 1. PNG decode


def decode_python(blobs, repeat, decoder):
    """(megapixels per wall-clock second, megapixels per CPU second of this thread)."""
    pixels = 0
    for blob in blobs:  # warm-up, and one pass's pixel count
        array = decoder(blob)
        pixels += array.shape[0] * array.shape[1]
    start, cpu_start = time.perf_counter(), time.thread_time()
    for _ in range(repeat):
        for blob in blobs:
            decoder(blob)
    wall, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
    return pixels * repeat / wall / 1e6, pixels * repeat / cpu / 1e6


def pillow_decode(blob):
    image = Image.open(io.BytesIO(blob))
    image.load()
    return np.asarray(image)


def opencv_decode(blob):
    return cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_UNCHANGED)


def bench_decode(probe, sets, mode):
    results = {}
    for label, paths in sets.items():
        blobs = []
        for path in paths:
            with open(path, "rb") as f:
                blobs.append(f.read())
        rates = {"augstore": [], "Pillow": [], "OpenCV": []}
        cpu_rates = {"augstore": [], "Pillow": [], "OpenCV": []}
        for round_number in range(mode["decode_rounds"]):
            out = subprocess.run([probe, "decode", "--json", "--repeat", str(mode["decode_repeat"]), *paths],
                                 check=True, capture_output=True, text=True).stdout
            report = json.loads(out.strip().splitlines()[-1])
            rates["augstore"].append(report["mp_per_s"])
            if "mp_per_cpu_s" in report:
                cpu_rates["augstore"].append(report["mp_per_cpu_s"])
            for name, decoder in (("Pillow", pillow_decode), ("OpenCV", opencv_decode)):
                wall, cpu = decode_python(blobs, mode["decode_repeat"], decoder)
                rates[name].append(wall)
                cpu_rates[name].append(cpu)
            log(f"decode {label} round {round_number + 1}: "
                + ", ".join(f"{k} {v[-1]:.1f} MP/s" for k, v in rates.items()))
        results[label] = {"files": len(paths), "bytes": sum(map(len, blobs)), "rates": rates,
                          "cpu_rates": cpu_rates}
    return results


# ---------------------------------------------------------------------------------------------------
# 2. Kernels


def bench_kernels(images, mode, work):
    path = os.path.join(work, "kernels.json")
    command = [os.path.join(HERE, "kernels"), "--seconds", str(mode["kernel_seconds"]),
               "--rounds", str(mode["kernel_rounds"]), "--json", path, "--images", *images]
    text = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    log("kernels:\n" + text)
    with open(path) as f:
        return json.load(f)


# ---------------------------------------------------------------------------------------------------
# 3 and 4. Whole pipeline over one epoch, replay, later epoch


CPU = {}


def timed(command, env=None):
    """Runs `command`; returns its wall-clock seconds and stdout, and leaves the CPU seconds (user +
    system, of the process and its reaped children) in CPU["last"]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU["last"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, result.stdout


def augstore_epoch(augstore, source, work, seed):
    """A fresh store: init, dataset add, pipeline add, run create (untimed), then the timed
    materialize of epoch 0, replay of epoch 0 from the cache and materialize of epoch 1.

    Nothing is deleted here (see bench_pipeline)."""
    store = os.path.join(work, f"store-{seed}")
    env = dict(os.environ, AUGSTORE_STORE=store)
    spec = os.path.join(work, "pipeline.json")
    with open(spec, "w") as f:
        json.dump(PIPELINE_SPEC, f)
    subprocess.run([augstore, "init", store], check=True, capture_output=True, env=env)
    subprocess.run([augstore, "dataset", "add", "bench", "--from", source], check=True, capture_output=True,
                   env=env)
    subprocess.run([augstore, "pipeline", "add", "bench", "--spec", spec], check=True, capture_output=True,
                   env=env)
    subprocess.run([augstore, "run", "create", "r", "--dataset", "bench", "--pipeline", "bench", "--seed",
                    str(seed)], check=True, capture_output=True, env=env)
    result = {}
    wall, out = timed([augstore, "materialize", "r", "--epochs", "0", "--jobs", "2", "--json"], env)
    epoch = json.loads(out)["epochs"][0]
    assert epoch["computed"] == epoch["samples"], epoch
    result["epoch0"] = wall
    result["epoch0_cpu"] = CPU["last"]
    result["epoch0_reported"] = epoch["seconds"]
    replay = os.path.join(work, f"replay-{seed}")
    wall, _ = timed([augstore, "replay", "r", "--epoch", "0", "--all", "--out", replay, "--jobs", "2"], env)
    result["replay0"] = wall
    result["replay0_cpu"] = CPU["last"]
    written = sum(1 for name in os.listdir(replay) if name.endswith(".npy"))
    assert written == epoch["samples"], (written, epoch)
    wall, out = timed([augstore, "materialize", "r", "--epochs", "1", "--jobs", "2", "--json"], env)
    epoch1 = json.loads(out)["epochs"][0]
    assert epoch1["computed"] == epoch1["samples"], epoch1
    result["epoch1"] = wall
    result["epoch1_cpu"] = CPU["last"]
    result["epoch1_reported"] = epoch1["seconds"]
    result["samples"] = epoch["samples"]
    return result


def python_epoch(paths_file, work, seed):
    out = os.path.join(work, f"peer-out-{seed}")
    wall, text = timed([sys.executable, os.path.join(HERE, "pipeline_peer.py"), "--images", paths_file,
                        "--out", out, "--workers", "2", "--seed", str(seed)])
    report = json.loads(text.strip().splitlines()[-1])
    assert len(os.listdir(out)) == report["images"]
    return {"epoch0": report["seconds"], "epoch0_cpu": report["cpu_seconds"], "process": wall, "process_cpu": CPU["last"], "images": report["images"]}


def in_tmpfs(path):
    """Whether `path` is under /dev/shm (where ``in_memory`` puts a section's files)."""
    return os.path.abspath(path).startswith("/dev/shm/")


def in_memory(work, name):
    """A folder for a section's stores and outputs: under /dev/shm (tmpfs) when the machine has a
    writable one, else under `work`."""
    memory = "/dev/shm"
    return os.path.join(memory if os.path.isdir(memory) and os.access(memory, os.W_OK) else work,
                        f"augstore-bench-{name}-{os.getpid()}")


def bench_pipeline(augstore, source, paths, mode, work):
    """Stores and outputs live in memory (tmpfs) when the machine has one, as the JPEG epoch's do, and
    each measurement's files are deleted right after it (see page_reporting). On a disk they are all
    kept until every repetition is done instead: deleting thousands of files right before the other
    side's run slows its file creation on some file systems (ext4 without a journal scans recently
    deleted inodes; on this VM that more than tripled the system time of an epoch)."""
    work = in_memory(work, "pipeline")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    paths_file = os.path.join(work, "small-paths.txt")
    with open(paths_file, "w") as f:
        f.write("\n".join(paths) + "\n")
    ours, theirs = [], []
    for rep in range(mode["pipeline_reps"]):
        # Alternate which side goes first.
        order = ["augstore", "python"] if rep % 2 == 0 else ["python", "augstore"]
        for side in order:
            if side == "augstore":
                ours.append(augstore_epoch(augstore, source, work, seed=rep))
                log(f"pipeline rep {rep + 1}: augstore epoch0 {ours[-1]['epoch0']:.2f} s, "
                    f"replay {ours[-1]['replay0']:.2f} s, epoch1 {ours[-1]['epoch1']:.2f} s")
                done = [f"store-{rep}", f"replay-{rep}"]
            else:
                theirs.append(python_epoch(paths_file, work, seed=rep))
                log(f"pipeline rep {rep + 1}: python epoch {theirs[-1]['epoch0']:.2f} s")
                done = [f"peer-out-{rep}"]
            if in_tmpfs(work):
                for name in done:
                    shutil.rmtree(os.path.join(work, name), ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    return {"augstore": ours, "python": theirs, "images": len(paths), "work": os.path.dirname(work)}


def make_jpegs(folder, count):
    """Writes `count` 500x375 crops of the photographs as JPEG (Pillow, quality 90) under
    folder/<photo>/, once: the JPEG epoch's dataset."""
    marker = os.path.join(folder, "done.json")
    wanted = {"count": count, "version": 1}
    if os.path.exists(marker):
        with open(marker) as f:
            if json.load(f) == wanted:
                return
    shutil.rmtree(folder, ignore_errors=True)
    photos = photographs()
    names = sorted(photos)
    rng = random.Random(20261201)
    for i in range(count):
        name = names[i % len(names)]
        os.makedirs(os.path.join(folder, name), exist_ok=True)
        random_crop(rng, photos[name], 500, 375).save(os.path.join(folder, name, f"photo-{i:05d}.jpg"), quality=90)
    with open(marker, "w") as f:
        json.dump(wanted, f)
    log(f"wrote {count} JPEGs (500x375, quality 90) under {folder}")


JPEG_RESIZE = {"type": "Resizing", "height": 224, "width": 224}


def jpeg_store(augstore, source, work, name, scaling, seed, size=224):
    """A fresh store with the JPEG dataset and run r over Resizing size×size + the bench pipeline
    (its RandomCrop at size - 24 when size is not 224)."""
    store = os.path.join(work, name)
    env = dict(os.environ, AUGSTORE_STORE=store)
    spec = os.path.join(work, f"{name}.json")
    transforms = [dict(JPEG_RESIZE, height=size, width=size)] + [
        dict(t, height=size - 24, width=size - 24) if t["type"] == "RandomCrop" and size != 224 else t
        for t in PIPELINE_SPEC["transforms"]]
    with open(spec, "w") as f:
        json.dump(dict(PIPELINE_SPEC, transforms=transforms, **({"jpeg_dct_scaling": True} if scaling else {})), f)
    for command in (["init", store], ["dataset", "add", "photos", "--from", source],
                    ["pipeline", "add", "p", "--spec", spec],
                    ["run", "create", "r", "--dataset", "photos", "--pipeline", "p", "--seed", str(seed)]):
        subprocess.run([augstore, *command], check=True, capture_output=True, env=env)
    return env


def bench_jpeg(augstore, source, paths, mode, work):
    """A run's first epoch over 500×375 JPEGs (Resizing 224×224, then the bench pipeline): augstore
    materialize, exact and with jpeg_dct_scaling, vs the Python loader (cv2 + Albumentations, 2
    processes); then how far the DCT-scaled tensors are from the exact ones (same seed, same draws)."""
    # Stores and outputs live in memory (tmpfs) when the machine has one: on this VM's ext4 (no
    # journal) every file created within minutes of a deletion first scans the recently deleted
    # inodes, which swung single epochs by ±40 % here depending on what ran before; both sides write
    # 2,000+ files per epoch, so the quirk, not the work, decided the ratio. On tmpfs each
    # measurement's files are deleted right after it (see page_reporting), except the two stores the
    # pixel comparison below replays.
    work = in_memory(work, "jpeg")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    paths_file = os.path.join(work, "paths.txt")
    with open(paths_file, "w") as f:
        f.write("\n".join(paths) + "\n")
    runs = {"exact": [], "python": [], "exact160": [], "scaled160": []}
    for rep in range(mode["pipeline_reps"]):
        sides = ["exact", "python", "exact160", "scaled160"]
        for side in sides[rep % 4:] + sides[:rep % 4]:
            if side == "python":
                out = os.path.join(work, f"peer-{rep}")
                wall, text = timed([sys.executable, os.path.join(HERE, "pipeline_peer.py"), "--images", paths_file,
                                    "--out", out, "--workers", "2", "--seed", str(rep), "--resize", "224"])
                report = json.loads(text.strip().splitlines()[-1])
                runs["python"].append({"seconds": report["seconds"], "cpu": report["cpu_seconds"]})
                if in_tmpfs(work):
                    shutil.rmtree(out, ignore_errors=True)
            else:
                env = jpeg_store(augstore, source, work, f"{side}-{rep}", side == "scaled160", seed=rep,
                                 size=160 if side.endswith("160") else 224)
                wall, out = timed([augstore, "materialize", "r", "--epochs", "0", "--jobs", "2", "--json"], env)
                epoch = json.loads(out)["epochs"][0]
                assert epoch["computed"] == epoch["samples"] == len(paths), epoch
                runs[side].append({"seconds": wall, "cpu": CPU["last"]})
                if in_tmpfs(work) and not (rep == 0 and side.endswith("160")):
                    shutil.rmtree(os.path.join(work, f"{side}-{rep}"), ignore_errors=True)
            log(f"jpeg rep {rep + 1}: {side} {runs[side][-1]['seconds']:.2f} s")
    # Pixels: replay epoch 0 of both runs of repetition 0 (same seed: same records).
    differences = []
    folders = {}
    for side in ("exact160", "scaled160"):
        env = dict(os.environ, AUGSTORE_STORE=os.path.join(work, f"{side}-0"))
        folders[side] = os.path.join(work, f"replay-{side}")
        subprocess.run([augstore, "replay", "r", "--epoch", "0", "--all", "--out", folders[side]], check=True,
                       capture_output=True, env=env)
    for name in sorted(os.listdir(folders["exact160"])):
        if name.endswith(".npy"):
            a = np.load(os.path.join(folders["exact160"], name)).astype(np.int16)
            b = np.load(os.path.join(folders["scaled160"], name)).astype(np.int16)
            differences.append((float(np.abs(a - b).mean()), int(np.abs(a - b).max())))
    shutil.rmtree(work, ignore_errors=True)
    return {"runs": runs, "images": len(paths), "mean_abs": [d[0] for d in differences],
            "max_abs": [d[1] for d in differences], "work": os.path.dirname(work)}


# ---------------------------------------------------------------------------------------------------
# 5. Catalog


def bench_catalog(mode, postgresql=False):
    command = [os.path.join(HERE, "catalog")] + (["--postgresql"] if postgresql else [])
    if mode["catalog_samples"]:
        command += ["--samples", str(mode["catalog_samples"])]
    log("catalog: " + " ".join(command))
    text = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    lines = text.splitlines()
    table = [line for line in lines if line.startswith("|")]
    notes = [line for line in lines if line and not line.startswith("|")]
    return {"table": table, "notes": notes, "samples": mode["catalog_samples"] or 1_281_167}


# ---------------------------------------------------------------------------------------------------
# 8. augstore serve: a page of 64 thumbnails


def bench_serve(augstore, source, mode, work):
    command = [sys.executable, os.path.join(HERE, "serve.py"), "--augstore", augstore, "--images", source,
               "--work", work, "--repeat", str(mode["pipeline_reps"])]
    log("serve: " + " ".join(command))
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


# ---------------------------------------------------------------------------------------------------
# 6. The loader: batches into a Python training loop


def loader_loop(args, env=None):
    """Runs Tools/bench/loader_loop.py with `args` in a fresh interpreter; returns its report, with the
    whole process's wall-clock and CPU seconds (interpreter start and imports included) added."""
    wall, text = timed([sys.executable, os.path.join(HERE, "loader_loop.py"), *args], env)
    report = json.loads(text.strip().splitlines()[-1])
    report["process"] = wall
    report["process_cpu"] = CPU["last"]
    return report


def loader_store(augstore, source, work, name, seed):
    """A fresh store with the bench dataset, pipeline and run `name` (untimed); returns its path and
    environment.

    A fresh store rather than `augstore cache clear` on one store: its cache, the decoded-original tier
    included, starts empty without deleting thousands of files right before the measurement. On ext4
    without a journal, every file created within seconds of such a deletion (minutes once the inode
    table block is dirty again) first skips each recently deleted inode (`recently_deleted` in
    `find_inode_bit`), which cost a first epoch right after `cache clear` a quarter of its CPU time on
    this kind of machine, and `materialize` (twice the files) a third."""
    store = os.path.join(work, f"store-{name}")
    env = dict(os.environ, AUGSTORE_STORE=store, AUGSTORE_BIN=augstore,
               PYTHONPATH=os.pathsep.join(filter(None, [os.path.join(ROOT, "Tools", "python", "src"),
                                                        os.environ.get("PYTHONPATH")])))
    spec = os.path.join(work, "pipeline.json")
    with open(spec, "w") as f:
        json.dump(PIPELINE_SPEC, f)
    for command in (["init", store], ["dataset", "add", "bench", "--from", source],
                    ["pipeline", "add", "bench", "--spec", spec],
                    ["run", "create", name, "--dataset", "bench", "--pipeline", "bench", "--seed", str(seed)]):
        subprocess.run([augstore, *command], check=True, capture_output=True, env=env)
    stats = json.loads(subprocess.run([augstore, "cache", "stats", "--json"], check=True, capture_output=True,
                                      text=True, env=env).stdout)
    assert stats["entries"] == 0, stats
    return store, env


def augstore_loader_epochs(augstore, source, work, seed):
    """A fresh store and run, then epoch 0 (the run's first: empty cache, no decoded originals) and
    epoch 1 (a later one: the originals come from the decoded-original tier epoch 0 filled) through
    the Python loader, each in its own process. The disk is synced before each measurement, so
    neither pays for the write-back of what ran before it."""
    name = f"loader-{seed}"
    store, env = loader_store(augstore, source, work, name, seed)
    result = {}
    for key, epoch in (("epoch0", 0), ("epoch1", 1)):
        os.sync()
        result[key] = loader_loop(["--side", "augstore", "--store", store, "--run", name, "--epochs", str(epoch),
                                   "--batch-size", "64", "--jobs", "2"], env)
    return result


def augstore_materialize_epochs(augstore, source, work, seed):
    """The same as augstore_loader_epochs (same seed, so the same parameters, order and tensors) through
    `augstore materialize R --epochs E --jobs 2`: the tensors written to the cache instead of streamed."""
    name = f"materialize-{seed}"
    _, env = loader_store(augstore, source, work, name, seed)
    result = {}
    for key, epoch in (("epoch0", 0), ("epoch1", 1)):
        os.sync()
        wall, out = timed([augstore, "materialize", name, "--epochs", str(epoch), "--jobs", "2", "--json"], env)
        report = json.loads(out)["epochs"][0]
        assert report["computed"] == report["samples"], report
        result[key] = {"seconds": wall, "cpu_seconds": CPU["last"], "reported": report["seconds"],
                       "images": report["samples"]}
    return result


def bench_loader(augstore, source, paths, mode, work):
    """Every repetition runs the three sides in turn, rotating which goes first: the augstore loader
    (a fresh store and run: its first epoch, then a later one), `augstore materialize` (a fresh store
    and a run with the same seed: the same two epochs) and the PyTorch-style peer (one epoch; it
    costs the same every epoch). As in bench_pipeline, the stores live in memory (tmpfs) when the
    machine has one and each is deleted right after its two epochs; on a disk they are all kept until
    every repetition is done (see loader_store)."""
    work = in_memory(work, "loader")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    paths_file = os.path.join(work, "small-paths.txt")
    with open(paths_file, "w") as f:
        f.write("\n".join(paths) + "\n")
    sides = ["loader", "materialize", "peer"]
    ours, materialized, theirs = [], [], []
    for rep in range(mode["pipeline_reps"]):
        for side in sides[rep % 3:] + sides[:rep % 3]:
            if side == "loader":
                ours.append(augstore_loader_epochs(augstore, source, work, seed=rep))
                if in_tmpfs(work):
                    shutil.rmtree(os.path.join(work, f"store-loader-{rep}"), ignore_errors=True)
                first, later = ours[-1]["epoch0"], ours[-1]["epoch1"]
                assert first["images"] == later["images"] == len(paths), (first, later)
                log(f"loader rep {rep + 1}: augstore loader epoch0 {first['seconds']:.2f} s "
                    f"(first batch {first['first_batch']:.2f} s), epoch1 {later['seconds']:.2f} s")
            elif side == "materialize":
                materialized.append(augstore_materialize_epochs(augstore, source, work, seed=rep))
                if in_tmpfs(work):
                    shutil.rmtree(os.path.join(work, f"store-materialize-{rep}"), ignore_errors=True)
                log(f"loader rep {rep + 1}: augstore materialize epoch0 {materialized[-1]['epoch0']['seconds']:.2f} s, "
                    f"epoch1 {materialized[-1]['epoch1']['seconds']:.2f} s")
            else:
                os.sync()
                theirs.append(loader_loop(["--side", "peer", "--images", paths_file, "--batch-size", "64",
                                           "--jobs", "2", "--seed", str(rep)]))
                assert theirs[-1]["images"] == len(paths), theirs[-1]
                log(f"loader rep {rep + 1}: peer epoch {theirs[-1]['seconds']:.2f} s ({theirs[-1]['loader']})")
    shutil.rmtree(work, ignore_errors=True)
    return {"augstore": ours, "materialize": materialized, "peer": theirs, "images": len(paths),
            "tmpfs": in_tmpfs(work)}


# ---------------------------------------------------------------------------------------------------
# 8. Memory over an ImageNet-sized epoch


def bench_memory(augstore, work):
    """Peak resident memory of `augstore materialize` and of the loader's engine over one epoch of
    1,281,167 samples (Tools/bench/memory.py). The synthetic dataset (hard links to 1,282 distinct 16×16
    PNGs) is built once in the work folder; the store, whose cache gets 1.28 million small files, lives
    in memory (tmpfs) when the machine has one, and is removed afterwards."""
    sys.path.insert(0, HERE)
    import memory

    images = memory.make_dataset(os.path.join(work, "memory"))
    shm = "/dev/shm"
    stores = os.path.join(shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else work,
                          f"augstore-bench-memory-{os.getpid()}")
    os.makedirs(stores, exist_ok=True)
    try:
        result = memory.measure(augstore, images, stores)
    finally:
        shutil.rmtree(stores, ignore_errors=True)
    result.update(samples=memory.SAMPLES, distinct=1282, tmpfs=stores.startswith(shm),
                  spec=memory.PIPELINE_SPEC)
    return result


# ---------------------------------------------------------------------------------------------------
# Report


def command_output(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return "?"


def page_reporting():
    """GiB of freed guest memory this virtual machine has handed back to its hypervisor since boot (free
    page reporting), or None where the kernel does not report pages.

    Where it does, a page freed here soon stops being backed by the host, and the next write that lands
    on it (a new file's page-cache page among them) pays the hypervisor's first touch: 235 MB written
    to tmpfs took 0.56 s of system time, and 0.10 s when written again right after deleting the first
    copy. Touching the free memory once before measuring does not warm it: it is handed back as soon as
    it is released (18.5 GiB took 44 s to touch, every time, and epochs right after ran slower). So the
    epoch sections delete each measurement's files right after it, on tmpfs, and every side's writes
    reuse recently freed pages, as writes do on a long-running machine."""
    try:
        with open("/sys/module/page_reporting/parameters/reported_kib") as f:
            return int(f.read()) / (1 << 20)
    except (OSError, ValueError):
        return None


def machine(augstore):
    lscpu = command_output(["lscpu"])
    model = next((line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name")),
                 platform.processor() or "?")
    memory = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    os_name = platform.platform()
    if os.path.exists("/etc/os-release"):
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"') + f" (kernel {platform.release()})"
    packages = {}
    for name in ["numpy", "pillow", "opencv-python-headless", "albumentations", "scikit-image", "torch"]:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            if name != "torch":  # only the loader's peer uses torch, and falls back without it
                packages[name] = "?"
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": os_name,
        "swift": command_output(["swift", "--version"]).splitlines()[0] if command_output(["swift", "--version"])
        else "?",
        "python": platform.python_version(),
        "packages": packages,
        "libpng": command_output(["pkg-config", "--modversion", "libpng"]),
        "commit": command_output(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]),
        "build": ("host level: -target-cpu haswell (x86-64-v3) and X86_64_V3" if "/.build-v3/" in augstore
                  else "baseline x86-64"),
        "dirty": bool(command_output(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"])),
    }


def fmt(value, digits=0):
    return f"{value:,.{digits}f}"


def render(args, mode_name, mode, info, results, started, finished):
    lines = []
    add = lines.append
    add("# augstore benchmarks")
    add("")
    add(f"Generated by `{args.command}` on {finished:%Y-%m-%d %H:%M} UTC "
        f"({(finished - started).total_seconds() / 60:.1f} min, **{mode_name}** mode); do not edit by hand, "
        "rerun the script.")
    add("")
    add("augstore and its peer run alternately in the same session on the same files; every figure is the "
        "median of the runs shown, and ratios are augstore / peer (above 1: augstore is faster). Other "
        "processes shared the machine, so single figures are noisy; the ratios are the point.")
    add("")
    if "page_reporting" in results:
        before, after = results["page_reporting"]
        add(f"This virtual machine hands freed memory back to its hypervisor (free page reporting: "
            f"{after - before:,.1f} GiB during this run, {after:,.0f} GiB since boot). A write that lands on a page "
            "handed back pays the hypervisor's first touch (235 MB written to tmpfs: 0.56 s of system time, 0.10 s "
            "when written again right after deleting the first copy), so the epoch and loader sections (3, 6 and 7) "
            "delete each measurement's stores and outputs right after it: every side writes into recently freed memory, as on "
            "a long-running machine, instead of billing whichever side writes more.")
        add("")
    add(f"Load average (1 min) of the machine: {results['load'][0]:.1f} at the start, {results['load'][1]:.1f} at the end "
        f"(2 would be both cores busy).")
    add("")
    add("## Machine")
    add("")
    add("| | |")
    add("|---|---|")
    add(f"| CPU | {info['cpu']} |")
    add(f"| cores | {info['cores']} |")
    add(f"| memory | {info['memory']} |")
    add(f"| OS | {info['os']} |")
    add(f"| Swift | {info['swift']} |")
    add(f"| libpng (augstore's decoder) | {info['libpng']} |")
    add(f"| Python | {info['python']} |")
    add("| Python packages | " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()) + " |")
    add(f"| augstore build | `Tools/build-release` ({info.get('build', 'release')}) |")
    add(f"| augstore commit | {info['commit']}{' (with uncommitted changes)' if info['dirty'] else ''} |")
    add("")
    add("## Images")
    add("")
    images = results["images"]
    add(f"Generated once per work folder from crops (40–100 % of the largest crop of the target aspect, "
        f"mirrored half the time) of scikit-image's sample photographs ({', '.join(images['photos'])}), "
        f"resized with Pillow bilinear and saved as 8-bit RGB PNG with Pillow's default compression: "
        f"{images['small']:,} images at 224×224 ({images['small_bytes'] / 1e6:.1f} MB) and "
        f"{images['large']:,} at 500×375 ({images['large_bytes'] / 1e6:.1f} MB).")
    add("")

    # 1. Decode
    def decode_section():
        decode = results["decode"]
        add("## 1. PNG and JPEG decode (single thread)")
        add("")
        add(f"Files read into memory first, then decoded one after the other {mode['decode_repeat']}× per round "
            f"after a warm-up pass; median of {mode['decode_rounds']} rounds. augstore: `kernel-probe decode` "
            "(`ImageDecoder.decode`, decoder version 2: PNG over libdeflate, JPEG through libjpeg-turbo); Pillow: `Image.open(BytesIO(b)).load()` + `np.asarray`; OpenCV: "
            "`cv2.imdecode(…, IMREAD_UNCHANGED)`.")
        add("")
        add("| images | clock | augstore MP/s | Pillow MP/s | OpenCV MP/s | augstore / Pillow | augstore / OpenCV |")
        add("|---|---|---:|---:|---:|---:|---:|")
        for label, entry in decode.items():
            for clock, key in (("wall", "rates"), ("thread CPU", "cpu_rates")):
                if not all(entry.get(key, {}).get(k) for k in ("augstore", "Pillow", "OpenCV")):
                    continue
                a, p, o = (median(entry[key][k]) for k in ("augstore", "Pillow", "OpenCV"))
                add(f"| {label} ({entry['files']:,} files, {entry['bytes'] / 1e6:.0f} MB) | {clock} | {fmt(a, 1)} | "
                    f"{fmt(p, 1)} | {fmt(o, 1)} | **{a / p:.2f}** | **{a / o:.2f}** |")
        add("")
        add("MP/s per thread-CPU second is what the decoder costs, whatever else runs on the machine; per "
            "wall-clock second includes time the thread waited for a core.")
        add("")

    # 2. Kernels
    def kernels_section():
        kernels = results["kernels"]
        add("## 2. Kernels vs Albumentations (single thread, 224×224 RGB)")
        add("")
        add(f"`Tools/bench/kernels --seconds {mode['kernel_seconds']} --rounds {mode['kernel_rounds']}` on "
            f"{len(results['kernel_images'])} of the 224×224 images: each transform with fixed parameters, one image "
            f"at a time, for {mode['kernel_seconds']} s per round; `kernel-probe bench` and Albumentations "
            f"alternate; median of {mode['kernel_rounds']} rounds.")
        add("")
        builds = [label for label in kernels if label != "albumentations"]
        names = {"host": "host-level build", "baseline": "baseline build",
                 "baseline-sse2": "baseline build, SSE2 code only", "augstore": "augstore"}
        if builds[:2] == ["host", "baseline"]:
            add("Two augstore builds (`Tools/build-release`): the **host-level build** (x86-64-v3: AVX2, FMA, "
                "BMI2; what the README's release line and the other sections use) and the **baseline build** "
                "(compiled for x86-64 with SSE2 only: what a package depending on augstore gets). The baseline "
                "build carries copies of the RGB flip (SSSE3), hue, colour jitter and degeneration (AVX2) compiled for those "
                "extensions, which it runs when the processor has them (`ProcessorFeatures`, the `CKernels` "
                "target); the last column measures it again with `AUGSTORE_CPU_DISPATCH=off`, its SSE2 code "
                "only, what it runs on a processor without them. All give the same bytes "
                "(`Tools/cpu-level-identity/run`). Goal: every kernel ≥ 1 in the host-level build and none "
                "below 0.8 in the baseline build.")
            add("")
        header = "| transform | " + " | ".join(f"augstore {names.get(b, b)} images/s" for b in builds)
        header += " | Albumentations images/s | " + " | ".join(f"ratio, {names.get(b, b)}" for b in builds) + " |"
        add(header)
        add("|---|" + "---:|" * (2 * len(builds) + 1))
        for name in kernels["albumentations"]:
            b = median(kernels["albumentations"][name])
            ours = [median(kernels[label].get(name, [])) for label in builds]
            add(f"| {name} | " + " | ".join(fmt(a) for a in ours) + f" | {fmt(b)} | "
                + " | ".join(f"**{a / b:.2f}**" for a in ours) + " |")
        add("")

    # 3. Pipeline
    def pipeline_section():
        pipeline = results["pipeline"]
        ours, theirs = pipeline["augstore"], pipeline["python"]
        n = pipeline["images"]
        a_wall = median([r["epoch0"] for r in ours])
        a_reported = median([r["epoch0_reported"] for r in ours])
        p_time = median([r["epoch0"] for r in theirs])
        p_process = median([r["process"] for r in theirs])
        add("## 3. One epoch, PNG files → .npy files (2 workers)")
        add("")
        add(f"{n:,} images of 224×224 through RandomFlip (horizontal), RandomRotation 0.1, RandomZoom 0.1, "
            f"RandomCrop 200×200, RandomContrast 0.2, RandomBrightness 0.2, each result written as a `.npy` file; "
            f"median of {len(ours)} repetitions, the two sides alternating (and taking turns to go first)."
            + (f" Stores and outputs were in memory (`{pipeline['work']}`, tmpfs) for both sides, as in section 7 "
               "(on this machine's ext4, file creation after earlier deletions, by a previous section or process, "
               "more than tripled the system time of an epoch), and each measurement's files were deleted right "
               "after it (see the note on freed memory above)." if pipeline.get("work") == "/dev/shm" else
               " Every store and output folder is kept until all repetitions are done, so neither side creates "
               "its files right after the other deleted thousands."))
        add("")
        add("- **augstore**: a fresh store per repetition (`init`, `dataset add`, `pipeline add`, `run create`, "
            "untimed), then the wall-clock time of the process `augstore materialize R --epochs 0 --jobs 2 "
            "--json` (opening the store, recording the epoch's parameters, decoding every PNG, writing its pixels "
            "to the decoded-original tier, rendering, SHA-256 of every tensor, cache writes and the catalog "
            "commit), then the same for epoch 1 (new parameters, so nothing cached, but the originals come from "
            "the decoded-original tier instead of the PNGs: what every epoch after the first over these originals "
            "costs; the tier is keyed by original, so another run over the same dataset starts from it too).")
        add("- **Python**: `Tools/bench/pipeline_peer.py`: a 2-process `multiprocessing` Pool, `cv2.imread(…, "
            "IMREAD_UNCHANGED)` + BGR→RGB, `A.Compose([HorizontalFlip(), Rotate(limit=36), "
            "Affine(scale=(0.9, 1.1)), RandomCrop(200, 200), RandomBrightnessContrast(0.2, 0.2)])` (bilinear, "
            "reflect borders), `np.save`; timed from the pool's start to its end (interpreter start and imports "
            "excluded, which favours Python). It decodes every PNG in every epoch, so each of its epochs costs "
            "the same.")
        add("")
        a_cpu = median([r["epoch0_cpu"] for r in ours])
        p_cpu = median([r["epoch0_cpu"] for r in theirs])
        e1_wall = median([r["epoch1"] for r in ours])
        e1_cpu = median([r["epoch1_cpu"] for r in ours])
        add("| | seconds | images/s | augstore / Python (images/s) | CPU seconds (user + system) | CPU ms / image "
            "| augstore / Python (CPU per image) |")
        add("|---|---:|---:|---:|---:|---:|---:|")
        add(f"| augstore, every later epoch (epoch 1: originals from the decoded tier) | {e1_wall:.2f} | "
            f"{fmt(n / e1_wall)} | **{p_time / e1_wall:.2f}** | {e1_cpu:.2f} | {e1_cpu / n * 1e3:.2f} | "
            f"**{p_cpu / e1_cpu:.2f}** |")
        add(f"| augstore, a run's first epoch (epoch 0: decodes the PNGs) | {a_wall:.2f} | {fmt(n / a_wall)} | "
            f"**{p_time / a_wall:.2f}** | {a_cpu:.2f} | {a_cpu / n * 1e3:.2f} | **{p_cpu / a_cpu:.2f}** |")
        add(f"| (augstore epoch 0, its own per-epoch `seconds`) | {a_reported:.2f} | {fmt(n / a_reported)} | "
            f"{p_time / a_reported:.2f} | | | |")
        add(f"| Python + OpenCV + Albumentations, 2 processes, any epoch | {p_time:.2f} | {fmt(n / p_time)} | 1.00 | "
            f"{p_cpu:.2f} | {p_cpu / n * 1e3:.2f} | 1.00 |")
        add(f"| (Python, whole process including imports) | {p_process:.2f} | {fmt(n / p_process)} | "
            f"{p_time / p_process:.2f} | | | |")
        add("")
        add(f"**Every epoch after a run's first: {p_time / e1_wall:.2f}× the Python loader's images/s** "
            f"({p_cpu / e1_cpu:.2f}× on CPU time per image, which the other jobs on the machine disturb less). "
            f"**A run's first epoch: {p_time / a_wall:.2f}×** ({p_cpu / a_cpu:.2f}× on CPU). Goal: ≥ 2.")
        add("")
        add("Every repetition (seconds):")
        add("")
        add("| repetition | augstore epoch 0 | Python epoch | augstore replay | augstore epoch 1 |")
        add("|---:|---:|---:|---:|---:|")
        for i, (a, p) in enumerate(zip(ours, theirs)):
            add(f"| {i + 1} | {a['epoch0']:.2f} ({a['epoch0_cpu']:.2f} CPU) | {p['epoch0']:.2f} "
                f"({p['epoch0_cpu']:.2f} CPU) | {a['replay0']:.2f} ({a['replay0_cpu']:.2f} CPU) | "
                f"{a['epoch1']:.2f} ({a['epoch1_cpu']:.2f} CPU) |")
        add("")

        # 4. Replay and later epochs
        replay = median([r["replay0"] for r in ours])
        epoch1 = median([r["epoch1"] for r in ours])
        epoch1_reported = median([r["epoch1_reported"] for r in ours])
        add("## 4. Cached replay and a later epoch vs the cold first epoch")
        add("")
        add("In the same stores as section 3, right after materializing epoch 0: `augstore replay R --epoch 0 --all "
            "--out DIR --jobs 2` (every tensor read from the cache, checked against its recorded digest and "
            "written to DIR), then `augstore materialize R --epochs 1 --jobs 2` (new parameters, so nothing "
            "cached, but the originals were read before).")
        add("")
        replay_cpu = median([r["replay0_cpu"] for r in ours])
        epoch1_cpu = median([r["epoch1_cpu"] for r in ours])
        add("| | seconds | images/s | speed-up vs cold epoch 0 | CPU seconds | CPU speed-up |")
        add("|---|---:|---:|---:|---:|---:|")
        add(f"| materialize epoch 0 (cold) | {a_wall:.2f} | {fmt(n / a_wall)} | 1.00 | {a_cpu:.2f} | 1.00 |")
        add(f"| replay epoch 0 from the cache | {replay:.2f} | {fmt(n / replay)} | **{a_wall / replay:.2f}** | "
            f"{replay_cpu:.2f} | {a_cpu / replay_cpu:.2f} |")
        add(f"| materialize epoch 1 (originals read before) | {epoch1:.2f} | {fmt(n / epoch1)} | "
            f"**{a_wall / epoch1:.2f}** | {epoch1_cpu:.2f} | {a_cpu / epoch1_cpu:.2f} |")
        add("")
        add(f"Goal: replay ≥ 5× faster than the cold materialize. Epoch 1's own `seconds`: {epoch1_reported:.2f}.")
        add("")

    # 5. Catalog
    def catalog_section():
        catalog = results["catalog"]
        add("## 5. Catalog")
        add("")
        if mode["catalog_samples"]:
            add(f"> **Quick mode:** a run of {catalog['samples']:,} samples instead of 1,281,167; rates are "
                "comparable, history latency and bytes per record less so. Run the full mode for the real figure.")
            add("")
        add(f"`Tools/bench/catalog{' --samples ' + str(mode['catalog_samples']) if mode['catalog_samples'] else ''}` "
            "(synthetic 224×224 run: RandomFlip, RandomRotation 0.1, RandomZoom 0.1, RandomCrop 200×200, "
            "RandomContrast 0.2; record 10 epochs, continue to 90; time one sample's history in the process "
            "(200 samples) and through the release CLI, process start included (100 processes), and `stats` "
            "over every recorded epoch). No peer.")
        add("")
        for note in catalog["notes"]:
            add(f"    {note}")
        if catalog["notes"]:
            add("")
        lines.extend(catalog["table"])
        add("")
    # 10. The catalog on PostgreSQL, beside SQLite
    def catalog_pg_section():
        catalog = results["catalog-pg"]
        add("## 10. Catalog on PostgreSQL")
        add("")
        add(f"`Tools/bench/catalog --postgresql{' --samples ' + str(mode['catalog_samples']) if mode['catalog_samples'] else ''}`: "
            "the same run with the store's catalog in a private PostgreSQL 15 server on this machine "
            "(`Tools/pg-server`, default durable settings: fsync and synchronous commit on; TCP on 127.0.0.1). "
            "Records are loaded with `COPY`; history reads one row per epoch over one connection.")
        add("")
        for note in catalog["notes"]:
            add(f"    {note}")
        if catalog["notes"]:
            add("")
        lines.extend(catalog["table"])
        add("")
        if "catalog" in results:
            def result(table, prefix):
                for row in table:
                    if row.startswith(prefix):
                        return row.split("|")[2].strip()
                return "–"
            add("Side by side with section 5 (SQLite), when both ran in the same work folder:")
            add("")
            add("| measure | SQLite | PostgreSQL |")
            add("|---|---|---|")
            for prefix, label in (("| record 10 epochs", "record 10 epochs"),
                                  ("| record epochs", "record the other 80 epochs"),
                                  ("| history over", "history, library, warm (median / p99)"),
                                  ("| history, CLI `augstore", "history, CLI incl. process start (median / p99)"),
                                  ("| stats over", "stats over every epoch")):
                add(f"| {label} | {result(results['catalog']['table'], prefix)} | {result(catalog['table'], prefix)} |")
            add("")
    # 6. Loader
    def loader_section():
        loader = results["loader"]
        ours, materialized, theirs = loader["augstore"], loader["materialize"], loader["peer"]
        n = loader["images"]

        def mid(entries, epoch, field):
            return median([r[epoch][field] if epoch else r[field] for r in entries])

        first, later, peer = (mid(ours, "epoch0", "seconds"), mid(ours, "epoch1", "seconds"),
                              mid(theirs, None, "seconds"))
        first_cpu, later_cpu, peer_cpu = (mid(ours, "epoch0", "cpu_seconds"), mid(ours, "epoch1", "cpu_seconds"),
                                          mid(theirs, None, "cpu_seconds"))
        m_first, m_later = mid(materialized, "epoch0", "seconds"), mid(materialized, "epoch1", "seconds")
        m_first_cpu, m_later_cpu = mid(materialized, "epoch0", "cpu_seconds"), mid(materialized, "epoch1", "cpu_seconds")
        peer_names = sorted({r["loader"] for r in theirs})
        add("## 6. Loader: batches into a Python training loop (2 cores)")
        add("")
        add(f"{n:,} images of 224×224 through the pipeline of section 3, delivered in batches of 64 into a Python "
            "loop that touches every batch (`int(images[:, 0, 0, 0].sum())` and its labels); median of "
            f"{len(ours)} repetitions, the three sides below taking turns (and turns to go first), each measurement "
            "in a fresh process (`Tools/bench/loader_loop.py`) started after the disk was synced. "
            + ("The stores live in memory (`/dev/shm`, tmpfs), as in sections 3 and 7, and each is deleted right "
               "after its two epochs (see the note on freed memory above). " if loader.get("tmpfs") else
               "Every store is kept until all repetitions are done: on ext4 without a journal, each file created "
               "within seconds of a deletion first skips every recently deleted inode, which cost a first epoch "
               "right after `augstore cache clear` a quarter of its CPU time. ")
            + "Loader times "
            "run from opening the loader (engine or worker start included) to its end (engine or workers shut "
            "down), the interpreter's start and the imports excluded on both sides.")
        add("")
        add("- **augstore loader**: a fresh store per repetition (`init`, `dataset add`, `pipeline add`, `run create "
            "loader-K --seed K`, untimed: its cache, the decoded-original tier included, is empty), then "
            "`augstore.open(STORE).run(\"loader-K\").loader(epochs=0, batch_size=64, prefetch=4, "
            "jobs=2)` (the package from `Tools/python/src`, the release `augstore` as `AUGSTORE_BIN`): the run's "
            "first epoch, which records the epoch's parameters, decodes every PNG (filling the decoded-original "
            "tier), renders and streams the batches over the engine's pipe and records every tensor's digest. Then "
            "the same with `epochs=1` in a new process: a later epoch, the originals from the decoded tier.")
        add("- **materialize**: the same two epochs in another fresh store, of a run with the same seed (so the same "
            "parameters, order and tensors): `augstore materialize materialize-K --epochs 0 --jobs 2 --json`, then "
            "`--epochs 1`; every tensor written to the cache as a `.npy` file instead of streamed. Process "
            "wall-clock time.")
        add(f"- **PyTorch-style loader**: {'; '.join(f'`{name}`' for name in peer_names)}: each worker decodes with "
            "`cv2.imread(…, IMREAD_UNCHANGED)` + BGR→RGB and applies `Tools/bench/pipeline_peer.py`'s Albumentations "
            "pipeline (section 3), 64 results collated with `np.stack` in the worker and passed to the main process. "
            "It decodes every PNG in every epoch, so each of its epochs costs the same.")
        add("")
        add("| | seconds | images/s | augstore / PyTorch-style (images/s) | CPU seconds (user + system) | "
            "CPU ms / image | augstore / PyTorch-style (CPU per image) | first batch after (s) |")
        add("|---|---:|---:|---:|---:|---:|---:|---:|")
        add(f"| augstore loader, a later epoch (epoch 1: originals from the decoded tier) | {later:.2f} | "
            f"{fmt(n / later)} | **{peer / later:.2f}** | {later_cpu:.2f} | {later_cpu / n * 1e3:.2f} | "
            f"**{peer_cpu / later_cpu:.2f}** | {mid(ours, 'epoch1', 'first_batch'):.2f} |")
        add(f"| augstore loader, a run's first epoch (epoch 0: empty cache, decodes the PNGs) | {first:.2f} | "
            f"{fmt(n / first)} | **{peer / first:.2f}** | {first_cpu:.2f} | {first_cpu / n * 1e3:.2f} | "
            f"**{peer_cpu / first_cpu:.2f}** | {mid(ours, 'epoch0', 'first_batch'):.2f} |")
        add(f"| PyTorch-style loader, 2 workers, any epoch | {peer:.2f} | {fmt(n / peer)} | 1.00 | {peer_cpu:.2f} | "
            f"{peer_cpu / n * 1e3:.2f} | 1.00 | {mid(theirs, None, 'first_batch'):.2f} |")
        later_process, peer_process = mid(ours, "epoch1", "process"), mid(theirs, None, "process")
        add(f"| (augstore loader, later epoch, whole process including imports) | {later_process:.2f} | "
            f"{fmt(n / later_process)} | {peer_process / later_process:.2f} | | | | |")
        add(f"| (PyTorch-style loader, whole process including imports) | {peer_process:.2f} | {fmt(n / peer_process)} "
            "| 1.00 | | | | |")
        add("")
        add(f"**A later epoch: {peer / later:.2f}× the PyTorch-style loader's images/s** ({peer_cpu / later_cpu:.2f}× "
            f"on CPU time per image). **A run's first epoch: {peer / first:.2f}×** ({peer_cpu / first_cpu:.2f}× on "
            "CPU). Goal: a later epoch ≥ 2.")
        add("")
        add("Transport: the loader's epoch against the same epoch through `augstore materialize` (the same work, "
            "tensors into `.npy` cache files instead of the engine's pipe and a Python loop):")
        add("")
        add("| epoch | loader seconds | materialize seconds | loader images/s | materialize images/s | "
            "transport overhead (loader / materialize − 1) | loader / materialize (CPU) | goal |")
        add("|---|---:|---:|---:|---:|---:|---:|---|")
        for label, a, m, a_cpu, m_cpu in (
                ("a run's first (empty cache, decodes the PNGs)", first, m_first, first_cpu, m_first_cpu),
                ("a later one (decoded tier warm)", later, m_later, later_cpu, m_later_cpu)):
            add(f"| {label} | {a:.2f} | {m:.2f} | {fmt(n / a)} | {fmt(n / m)} | **{(a / m - 1) * 100:+.1f} %** | "
                f"{a_cpu / m_cpu:.2f} | ≤ +10 % |")
        add("")
        add(f"materialize's own per-epoch `seconds`: {mid(materialized, 'epoch0', 'reported'):.2f} (first), "
            f"{mid(materialized, 'epoch1', 'reported'):.2f} (later). The loop waited for batches "
            f"{mid(ours, 'epoch0', 'wait'):.2f} s (first epoch) and {mid(ours, 'epoch1', 'wait'):.2f} s (later) "
            f"of the loader's time; opening the run (`augstore.open(…).run(…)`, one engine start) took "
            f"{mid(ours, 'epoch1', 'open'):.2f} s.")
        add("")
        add("Every repetition (seconds, CPU seconds in brackets):")
        add("")
        add("| repetition | loader epoch 0 | loader epoch 1 | materialize epoch 0 | materialize epoch 1 | "
            "PyTorch-style epoch |")
        add("|---:|---:|---:|---:|---:|---:|")
        for i, (a, m, p) in enumerate(zip(ours, materialized, theirs)):
            add(f"| {i + 1} | " + " | ".join(f"{r['seconds']:.2f} ({r['cpu_seconds']:.2f})" for r in (
                a["epoch0"], a["epoch1"], m["epoch0"], m["epoch1"], p)) + " |")
        add("")

    def jpeg_section():
        jpeg = results["jpeg"]
        runs = jpeg["runs"]
        n = jpeg["images"]
        add("## 7. A run's first epoch over JPEG photos (2 workers)")
        add("")
        add(f"{n:,} JPEG photos of 500×375 (Pillow, quality 90) through Resizing 224×224 and then the pipeline of "
            "section 3, each result written as a `.npy` file; a fresh store per repetition (`materialize --epochs 0 "
            "--jobs 2`: decodes every JPEG), median of "
            f"{len(runs['python'])} repetitions, the sides taking turns. augstore: the full decode (accurate IDCT, "
            "fancy upsampling, Pillow's pixels). Python: `pipeline_peer.py --resize 224` (cv2.imread + "
            "Albumentations Resize and the same "
            "transforms, 2 processes). "
            + (f"Stores and outputs were in memory (`{jpeg['work']}`, tmpfs) for both sides: on this machine's ext4 "
               "every file created within minutes of a deletion first scans the recently deleted inodes, which "
               "swung single epochs by ±40 % depending on what ran before; each measurement's files were deleted right "
               "after it (see the note on freed memory above)." if jpeg.get("work") == "/dev/shm" else ""))
        add("")
        p = median([r["seconds"] for r in runs["python"]])
        p_cpu = median([r["cpu"] for r in runs["python"]])
        add("| first epoch | seconds | images/s | vs Python | CPU s | vs Python (CPU) |")
        add("|---|---:|---:|---:|---:|---:|")
        for side, label in (("exact", "augstore"), ("python", "Python loader (cv2 + Albumentations)")):
            t = median([r["seconds"] for r in runs[side]])
            c = median([r["cpu"] for r in runs[side]])
            add(f"| {label} | {t:.2f} | {fmt(n / t)} | **{p / t:.2f}** | {c:.2f} | **{p_cpu / c:.2f}** |")
        add("")
        exact = median([r["seconds"] for r in runs["exact160"]])
        scaled = median([r["seconds"] for r in runs["scaled160"]])
        add("`jpeg_dct_scaling` applies when a pipeline shrinks JPEGs to half their size or less (libjpeg-turbo's "
            "SIMD reduced IDCTs: 1/2, 1/4, 1/8). Measured with Resizing 160×160 first (500×375 decodes at 1/2: 250×188) "
            "and the same pipeline with RandomCrop 136×136, exact and with `\"jpeg_dct_scaling\": true`:")
        add("")
        add("| first epoch, Resizing 160×160 | seconds | images/s | CPU s |")
        add("|---|---:|---:|---:|")
        for side, label in (("exact160", "augstore, exact decode"), ("scaled160", "augstore, jpeg_dct_scaling")):
            t = median([r["seconds"] for r in runs[side]])
            c = median([r["cpu"] for r in runs[side]])
            add(f"| {label} | {t:.2f} | {fmt(n / t)} | {c:.2f} |")
        add("")
        add(f"DCT scaling speeds that epoch up {exact / scaled:.2f}×. Its tensors differ from the exact path's "
            f"(same seed, so the same draws) by {statistics.mean(jpeg['mean_abs']):.2f} on average (mean over the "
            f"epoch's tensors of the mean absolute difference, uint8 scale); the largest single difference is "
            f"{max(jpeg['max_abs'])}. The field is part of the pipeline's fingerprint, so a run records which path "
            "it took. Goal: a run's first epoch ≥ 2× the Python loader.")
        add("")

    def memory_section():
        memory = results["memory"]
        n = memory["samples"]
        add("## 8. Memory over an ImageNet-sized epoch")
        add("")
        add(f"Peak resident memory (`ru_maxrss` of the process, from `wait4`) over one epoch of {n:,} samples: "
            f"{memory['distinct']:,} distinct 16×16 RGB PNGs under {n:,} paths in 1,000 class folders (hard links: "
            "each sample has its own path, sample key, draws, tensor and cache file, while the store holds only "
            f"{memory['distinct']:,} originals). Pipeline: "
            + ", ".join(t["type"] for t in memory["spec"]["transforms"])
            + " (RandomCrop 12×12). A fresh store"
            + (" in memory (tmpfs)" if memory.get("tmpfs") else "")
            + " with two runs of the same seed; `dataset add` first, then each command in its own process "
            "(`Tools/bench/memory.py`).")
        add("")
        add("| command | seconds | peak resident (MiB) | of which anonymous, largest process (MiB) | "
            "of which mapped files, largest process (MiB) | goal |")
        add("|---|---:|---:|---:|---:|---|")
        add(f"| `augstore dataset add` ({n:,} files) | {memory['dataset_add']['seconds']:.1f} | "
            f"{memory['dataset_add']['peak_mib']:,.0f} | | | |")
        m = memory["materialize"]
        add(f"| `augstore materialize R --epochs 0 --jobs 2` (records the epoch, renders {n:,} tensors into the "
            f"cache, stores their digests) | {m['seconds']:.1f} | **{m['peak_mib']:,.0f}** | "
            f"{m.get('anonymous_mib', 0):,.0f} | {m.get('mapped_mib', 0):,.0f} | < 1,024 |")
        loader = memory["loader"]
        add(f"| Python loader, `loader(epochs=0, batch_size={loader['batch_size']}, prefetch=4, jobs=2)`: the "
            f"engine (records the epoch, streams every batch, records the digests) | {loader['seconds']:.1f} | "
            f"**{loader['peak_mib']:,.0f}** | {loader.get('anonymous_mib', 0):,.0f} | "
            f"{loader.get('mapped_mib', 0):,.0f} | < 1,024 |")
        add(f"| (the loader's Python process) | | {loader['python_mib']:,.0f} | | | |")
        add("")
        add("Peak resident is the kernel's high-water mark of the process (`ru_maxrss`). The two columns beside it "
            "are sampled every 0.2 s (`/proc/PID/status`): anonymous memory (the heap) and pages of mapped files, "
            "mostly the catalog, which SQLite reads through a memory map; those are page cache shared with the "
            "file, which the kernel can drop, but they count as resident.")
        add("")

    def serve_section():
        serve = results["serve"]
        add("## 9. `augstore serve`: a page of 64 thumbnails")
        add("")
        add(f"`Tools/bench/serve.py`: the samples page of one epoch (`/runs/r/samples?epoch=E&limit=64`) and its "
            f"{serve['thumbnails']} thumbnails (96 px PNGs of 224×224 tensors, {serve.get('thumbnail_bytes', 0):,} bytes "
            "in all), fetched 6 at a time like a browser. Cold: a freshly started server; warm: the same page again "
            "(thumbnails from the server's memory). Goal: ≤ 300 ms warm.")
        add("")
        add("| view | ms (median) | loads |")
        add("|---|---:|---:|")
        for key, label in (("cold_cached", "cold, epoch materialized (tensors from the cache)"),
                           ("cold_originals", "cold, epoch not materialized (decoded and augmented)"),
                           ("warm", "warm")):
            add(f"| {label} | {serve[key + '_median'] * 1000:.0f} | {len(serve[key])} |")
        add("")

    for key, section, title in (("decode", decode_section, "1. PNG decode"), ("kernels", kernels_section, "2. Kernels"),
                                ("pipeline", pipeline_section, "3–4. One epoch and replay"),
                                ("catalog", catalog_section, "5. Catalog"),
                                ("loader", loader_section, "6. Loader"),
                                ("jpeg", jpeg_section, "7. JPEG first epoch"),
                                ("memory", memory_section, "8. Memory"),
                                ("serve", serve_section, "9. augstore serve"),
                                ("catalog-pg", catalog_pg_section, "10. Catalog on PostgreSQL")):
        if key in results:
            section()
        else:
            add(f"## {title}")
            add("")
            add("Not measured in this work folder yet: run with `--only " + key + "` or without `--only`.")
            add("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--augstore", required=True)
    parser.add_argument("--probe", required=True)
    parser.add_argument("--mode", choices=sorted(MODES), default="quick")
    parser.add_argument("--work", required=True, help="temporary folder: images, stores, outputs")
    parser.add_argument("--output", required=True)
    parser.add_argument("--command", default="Tools/bench/run")
    parser.add_argument("--only", nargs="*",
                        default=["decode", "kernels", "pipeline", "catalog", "loader", "jpeg", "memory", "serve",
                                 "catalog-pg"])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--large-images", type=int, default=200)
    args = parser.parse_args()
    mode = MODES[args.mode]
    started = datetime.datetime.now(datetime.timezone.utc)
    reported_start = page_reporting()
    load_start = os.getloadavg()[0]
    os.makedirs(args.work, exist_ok=True)

    image_folder = os.path.join(args.work, "images")
    make_images(image_folder, args.images, args.large_images)
    small = png_files(os.path.join(image_folder, "small"))
    large = png_files(os.path.join(image_folder, "large"))
    results = {"images": {
        "small": len(small), "large": len(large),
        "small_bytes": sum(os.path.getsize(p) for p in small),
        "large_bytes": sum(os.path.getsize(p) for p in large),
        "photos": sorted(os.listdir(os.path.join(image_folder, "small"))),
    }}
    results_path = os.path.join(args.work, "results.json")
    if os.path.exists(results_path) and set(args.only) != set(parser.get_default("only")):
        with open(results_path) as f:
            previous = json.load(f)
        results.update({k: v for k, v in previous.items() if k != "images"})
    run_work = os.path.join(args.work, "scratch")
    os.makedirs(run_work, exist_ok=True)
    if "decode" in args.only:
        jpegs = png_files(os.path.join(image_folder, "jpeg"), ".jpg")
        results["decode"] = bench_decode(
            args.probe, {"224×224": small, "500×375": large, "500×375 JPEG q90": jpegs}, mode)
    if "kernels" in args.only:
        picked = small[:: max(1, len(small) // 16)][:16]  # spread over the photographs
        results["kernel_images"] = picked
        results["kernels"] = bench_kernels(picked, mode, run_work)
    if "pipeline" in args.only:
        results["pipeline"] = bench_pipeline(args.augstore, os.path.join(image_folder, "small"), small, mode,
                                             run_work)
    if "catalog" in args.only:
        results["catalog"] = bench_catalog(mode)
    if "catalog-pg" in args.only:
        results["catalog-pg"] = bench_catalog(mode, postgresql=True)
    if "loader" in args.only:
        results["loader"] = bench_loader(args.augstore, os.path.join(image_folder, "small"), small, mode, run_work)
    if "jpeg" in args.only:
        jpeg_folder = os.path.join(args.work, "jpeg-photos")
        make_jpegs(jpeg_folder, args.images)
        results["jpeg"] = bench_jpeg(args.augstore, jpeg_folder, png_files(jpeg_folder, ".jpg"), mode, run_work)
    if "memory" in args.only:
        results["memory"] = bench_memory(args.augstore, args.work)
    if "serve" in args.only:
        results["serve"] = bench_serve(args.augstore, os.path.join(image_folder, "small"), mode, run_work)
    with open(results_path, "w") as f:
        json.dump(results, f)
    results["load"] = (load_start, os.getloadavg()[0])
    reported_end = page_reporting()
    if reported_start is not None and reported_end is not None:
        results["page_reporting"] = (reported_start, reported_end)
    finished = datetime.datetime.now(datetime.timezone.utc)
    text = render(args, args.mode, mode, machine(args.augstore), results, started, finished)
    with open(args.output, "w") as f:
        f.write(text + "\n")
    log(f"wrote {args.output}")


if __name__ == "__main__":
    main()
