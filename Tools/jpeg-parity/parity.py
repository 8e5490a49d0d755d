"""JPEG parity for augstore's JPEGDecoder on real photographs.

Saves crops of scikit-image's sample photographs (astronaut, chelsea, coffee; random positions and
sizes, odd sizes included) with Pillow at qualities 75, 90 and 95, subsamplings 4:4:4, 4:2:2 and 4:2:0,
baseline and progressive, plus greyscale; decodes each file with augstore (Tools/image-probe), with
Pillow (`np.asarray(Image.open(f).convert("RGB" or "L"))`) and with TensorFlow, and prints per group the
number of files decoded bit-exactly and the largest |difference| on the uint8 scale.

Goal: augstore equals Pillow exactly on every file (exit code 1 otherwise).

Where TensorFlow differs, and why: `tf.io.decode_jpeg`'s default `dct_method=""` does not mean
"libjpeg's default". TensorFlow maps it to JDCT_IFAST, libjpeg's fast but less accurate integer IDCT
(tensorflow/core/kernels/image/decode_image_op.cc: "The TensorFlow-chosen default is IFAST, sacrificing
decoding image quality for speed"), whereas libjpeg's own default (JDCT_DEFAULT = JDCT_ISLOW, the
accurate integer IDCT) is what Pillow, OpenCV and augstore use. So default TF pixels differ from
Pillow's by a few levels on most files; with `dct_method="INTEGER_ACCURATE"` (JDCT_ISLOW) TF uses the
same IDCT and the same fancy upsampling (TF's `fancy_upscaling=True` default) and matches exactly.
`tf.io.decode_image` (what `keras.utils.image_dataset_from_directory` calls) has no `dct_method`
argument and keeps the IFAST default too. The table shows all three. (First run, Pillow 13.0.0 with
libjpeg-turbo 3.2.0, TF 2.21.0, system libturbojpeg 2.1.5, 288 files: Pillow 288/288 exact; TF default
and decode_image 0/288 exact, max 18, mean 0.96; TF INTEGER_ACCURATE 288/288 exact.)
"""

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402
from PIL import Image, features  # noqa: E402
from skimage import data as skdata  # noqa: E402

QUALITIES = (75, 90, 95)
SUBSAMPLINGS = {"4:4:4": 0, "4:2:2": 1, "4:2:0": 2}
SEED = 20240611


def groups():
    for subsampling in SUBSAMPLINGS:
        for progressive in (False, True):
            for quality in QUALITIES:
                yield ("RGB", subsampling, progressive, quality)
    for progressive in (False, True):
        for quality in QUALITIES:
            yield ("L", "4:0:0", progressive, quality)


def crops(rng, count):
    photos = [skdata.astronaut(), skdata.chelsea(), skdata.coffee()]
    for index in range(count):
        photo = photos[index % len(photos)]
        height = int(rng.integers(8, min(257, photo.shape[0])))
        width = int(rng.integers(8, min(257, photo.shape[1])))
        top = int(rng.integers(0, photo.shape[0] - height + 1))
        left = int(rng.integers(0, photo.shape[1] - width + 1))
        yield np.ascontiguousarray(photo[top:top + height, left:left + width])


def save(pixels, mode, subsampling, progressive, quality):
    image = Image.fromarray(pixels)
    if mode == "L":
        image = image.convert("L")
        options = {}
    else:
        options = {"subsampling": SUBSAMPLINGS[subsampling]}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, progressive=progressive, **options)
    return buffer.getvalue()


def hwc(array):
    array = np.asarray(array)
    return array[:, :, None] if array.ndim == 2 else array


def compare(a, b):
    """(exact, max |a - b|, mean |a - b|); a shape mismatch counts as max 255."""
    if a.shape != b.shape:
        return False, 255, 255.0
    difference = np.abs(a.astype(np.int16) - b.astype(np.int16))
    return bool(difference.max() == 0), int(difference.max()), float(difference.mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--probe", required=True, help="the image-probe executable")
    parser.add_argument("--crops", type=int, default=12, help="crops per group (24 groups)")
    parser.add_argument("--json", help="also write the results here")
    options = parser.parse_args()

    rng = np.random.default_rng(SEED)
    work = tempfile.mkdtemp(prefix="augstore-jpeg-parity-")
    files = []  # (group, path)
    for group in groups():
        mode, subsampling, progressive, quality = group
        for index, pixels in enumerate(crops(rng, options.crops)):
            name = f"{mode}_{subsampling.replace(':', '')}_{'prog' if progressive else 'base'}_q{quality}_{index:03d}"
            path = os.path.join(work, name + ".jpg")
            with open(path, "wb") as handle:
                handle.write(save(pixels, mode, subsampling, progressive, quality))
            files.append((group, path))

    listing = os.path.join(work, "files.txt")
    with open(listing, "w") as handle:
        handle.write("\n".join(path for _, path in files) + "\n")
    out = os.path.join(work, "augstore")
    done = subprocess.run([options.probe, "--out", out, "--list", listing], capture_output=True, text=True)
    failed = [line for line in done.stdout.splitlines() if line.startswith("error ")]
    if done.returncode not in (0, 1):
        sys.exit(f"image-probe failed: {done.stderr.strip()}")

    decoders = ["pillow", "tf_default", "tf_accurate", "tf_decode_image"]
    rows = {}
    for group, path in files:
        with open(path, "rb") as handle:
            jpeg = handle.read()
        npy = os.path.join(out, os.path.basename(path)[:-4] + ".npy")
        ours = np.load(npy) if os.path.exists(npy) else np.zeros((0, 0, 0), np.uint8)
        image = Image.open(io.BytesIO(jpeg))
        theirs = {
            "pillow": hwc(image.convert("L" if image.mode == "L" else "RGB")),
            "tf_default": tf.io.decode_jpeg(jpeg).numpy(),
            "tf_accurate": tf.io.decode_jpeg(jpeg, dct_method="INTEGER_ACCURATE").numpy(),
            "tf_decode_image": tf.io.decode_image(jpeg, expand_animations=False).numpy(),
        }
        row = rows.setdefault(group, {"files": 0, **{d: {"exact": 0, "max": 0, "mean_sum": 0.0} for d in decoders}})
        row["files"] += 1
        for decoder in decoders:
            exact, worst, mean = compare(ours, theirs[decoder])
            row[decoder]["exact"] += int(exact)
            row[decoder]["max"] = max(row[decoder]["max"], worst)
            row[decoder]["mean_sum"] += mean

    versions = {
        "pillow": Image.__version__, "pillow_libjpeg_turbo": features.version("libjpeg_turbo"),
        "tensorflow": tf.__version__,
        "system_libturbojpeg": subprocess.run(["pkg-config", "--modversion", "libturbojpeg"],
                                              capture_output=True, text=True).stdout.strip(),
    }
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"{len(files)} files in {len(rows)} groups; image-probe refused {len(failed)}")
    header = f"{'group':28} {'n':>3}  " + "  ".join(f"{d + ' exact/max/mean':>27}" for d in decoders)
    print(header)
    print("-" * len(header))
    totals = {d: {"exact": 0, "max": 0, "mean_sum": 0.0} for d in decoders}
    for group, row in rows.items():
        mode, subsampling, progressive, quality = group
        label = f"{'grey' if mode == 'L' else 'RGB'} {subsampling} {'progressive' if progressive else 'baseline'} q{quality}"
        cells = []
        for decoder in decoders:
            cell = row[decoder]
            cells.append(f"{cell['exact']:>5}/{row['files']:<3} {cell['max']:>3} {cell['mean_sum'] / row['files']:>7.3f}")
            totals[decoder]["exact"] += cell["exact"]
            totals[decoder]["max"] = max(totals[decoder]["max"], cell["max"])
            totals[decoder]["mean_sum"] += cell["mean_sum"]
        print(f"{label:28} {row['files']:>3}  " + "  ".join(f"{c:>27}" for c in cells))
    print("-" * len(header))
    print(f"{'all':28} {len(files):>3}  " + "  ".join(
        f"{totals[d]['exact']:>5}/{len(files):<3} {totals[d]['max']:>3} {totals[d]['mean_sum'] / len(files):>7.3f}"
        .rjust(27) for d in decoders))
    for line in failed[:10]:
        print(line)

    if options.json:
        summary = {
            "versions": versions, "files": len(files), "refused": failed,
            "groups": [{"mode": g[0], "subsampling": g[1], "progressive": g[2], "quality": g[3], "files": r["files"],
                        **{d: {"exact": r[d]["exact"], "max_abs_diff": r[d]["max"],
                               "mean_abs_diff": r[d]["mean_sum"] / r["files"]} for d in decoders}}
                       for g, r in rows.items()],
            "totals": {d: {"exact": totals[d]["exact"], "max_abs_diff": totals[d]["max"]} for d in decoders},
        }
        with open(options.json, "w") as handle:
            json.dump(summary, handle, indent=2)
            handle.write("\n")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if totals["pillow"]["exact"] == len(files) and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
