"""PNG parity for augstore's own PNG decoder (decoder version 2) against Pillow.

Decodes every file of these groups with augstore (Tools/image-probe, the current decoder version) and
with Pillow, and reports per file `equal` or `different` (with the first differing position), per group
the counts, and exit code 1 on any difference:

  fixtures/png          Tests/AugStoreImagingTests/Fixtures/png (pypng-written: every colour type and
                        bit depth, Adam7, tRNS, odd sizes)
  fixtures/png-samples  Tests/AugStoreImagingTests/Fixtures/png-samples (Pillow- and pypng-written, with
                        gAMA/cHRM/sRGB/iCCP chunks)
  pngsuite              PngSuite: the images pypng's source distribution embeds (code/pngsuite.py, found
                        with --pypng-source), and/or every PNG of --pngsuite DIR (the full suite,
                        corrupt x* files included: there both decoders must refuse)
  photos                the benchmark's 224x224 crops of scikit-image's photographs saved by Pillow
                        (Tools/bench/run.py's make_images; --photos DIR reuses a folder it wrote)
  opencv                crops of those photos at random sizes saved by cv2.imwrite as RGB, grey, RGBA
                        (8 bits) and RGB, grey (16 bits), cycling through libpng's filter choices
                        (none, sub, up, average, Paeth, fast, all), compression levels and zlib
                        strategies

The reference for each colour type and bit depth is the one the fixtures use
(Tools/fixtures/make_png_sample_fixtures.py, `pillow_pixels`): Pillow's samples as stored, 1-bit through
convert("L"), palettes through convert("RGB"/"RGBA"), 16-bit samples as their high byte, a tRNS colour
key as an alpha channel (0 where the pixel equals the key). Two cases Pillow cannot express are taken
from pypng's raw samples instead, see `reference`. A file both decoders refuse counts as equal; a file
only one of them refuses is a difference, except PngSuite's deliberately corrupt files (names starting
with "x"), which augstore must refuse whatever Pillow does (Pillow does not check IDAT CRCs, so it decodes
xcsn0g01).

First run (Pillow 13.0.0, numpy 2.4.6, pypng 0.20220715.0, opencv-python-headless 5.0.0; augstore's
decoder version 2 at `faa57fa`, release build): 2,692 files, 2,692 equal, 0 different. Fixture set 93
(png) + 96 (png-samples) equal; PngSuite 203 (pypng's 28 + the full 2017 suite's 175) equal, of which the
14 deliberately corrupt files refused; 2,000 bench photo crops (Pillow-saved, 224x224) equal; 300
OpenCV-saved PNGs (RGB, grey, RGBA at 8 bits, RGB and grey at 16 bits; filters none, sub, up, average,
Paeth, fast, all) equal. Command: `Tools/png-parity/run --photos /tmp/bench-full/images/small
--pngsuite DIR` (DIR: PngSuite-2017jul19 unpacked).
"""

import argparse
import glob
import importlib.util
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import png  # pypng
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "Tests/AugStoreImagingTests/Fixtures")
SEED = 20261201


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pngsuite.py looks itself up there
    spec.loader.exec_module(module)
    return module


SAMPLES = load_module("make_png_sample_fixtures", os.path.join(ROOT, "Tools/fixtures/make_png_sample_fixtures.py"))


# ---------------------------------------------------------------------------------------------------
# Reference


def pypng_key_alpha(data):
    """The alpha channel of a tRNS colour key compared at the file's bit depth, from pypng's raw
    samples: 0 where every sample equals the key, else 255."""
    reader = png.Reader(bytes=data)
    width, height, rows, info = reader.read()
    planes = info["planes"]
    raw = np.array([np.asarray(row, dtype=np.int64) for row in rows]).reshape(height, width, planes)
    key = np.array(info["transparent"] if isinstance(info["transparent"], tuple) else (info["transparent"],))
    return np.where(np.all(raw == key, axis=2), 0, 255).astype(np.uint8)


def reference(data):
    """Pillow's pixels by the fixtures' definition (`pillow_pixels`), as uint8 HWC, or None when
    Pillow refuses the file.

    Two colour keys are compared at the file's bit depth from pypng's raw samples, because Pillow
    reports them in a form its 8-bit pixels cannot be compared with: a 16-bit RGB key (Pillow keeps the
    16-bit key values but returns 8-bit samples), and a 1-, 2- or 4-bit grey key (Pillow reports the raw
    key, its pixels are scaled to 0...255)."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception:
        return None
    depth, colour = data[24], data[25]
    key = image.info.get("transparency")
    if key is not None and ((colour == 2 and depth == 16) or (colour == 0 and depth < 8)):
        base = SAMPLES.pillow_pixels(strip_trns(data))
        return np.dstack([base, pypng_key_alpha(data)])
    return SAMPLES.pillow_pixels(data)


def strip_trns(data):
    """`data` without its tRNS chunk."""
    out, offset = bytearray(data[:8]), 8
    while offset + 12 <= len(data):
        length = int.from_bytes(data[offset:offset + 4], "big")
        end = offset + 12 + length
        if data[offset + 4:offset + 8] != b"tRNS":
            out += data[offset:end]
        offset = end
    return bytes(out)


def compare(ours, theirs):
    """None when equal, else a one-line description of the first difference."""
    if ours is None and theirs is None:
        return None
    if ours is None:
        return "augstore refuses the file, Pillow decodes it"
    if theirs is None:
        return "Pillow refuses the file, augstore decodes it"
    if ours.shape != theirs.shape:
        return f"shape {ours.shape} (augstore) vs {theirs.shape} (Pillow)"
    different = np.argwhere(ours != theirs)
    if len(different) == 0:
        return None
    y, x, c = different[0]
    worst = int(np.abs(ours.astype(np.int16) - theirs.astype(np.int16)).max())
    return (f"{len(different)} samples differ (max |d| {worst}); first at y={y} x={x} c={c}: "
            f"{ours[y, x, c]} (augstore) vs {theirs[y, x, c]} (Pillow)")


# ---------------------------------------------------------------------------------------------------
# Inputs


def fixture_files():
    yield from (("fixtures/png", p) for p in sorted(glob.glob(os.path.join(FIXTURES, "png", "*.png"))))
    yield from (("fixtures/png-samples", p) for p in sorted(glob.glob(os.path.join(FIXTURES, "png-samples", "*.png"))))


def pngsuite_files(work, pypng_source, folder):
    if pypng_source:
        suite = load_module("pngsuite", os.path.join(pypng_source, "code", "pngsuite.py"))
        target = os.path.join(work, "pngsuite-pypng")
        os.makedirs(target, exist_ok=True)
        for name, data in sorted(suite.png.items()):
            path = os.path.join(target, f"pypng-{name}.png")
            with open(path, "wb") as handle:
                handle.write(data)
            yield "pngsuite", path
    if folder:
        for path in sorted(glob.glob(os.path.join(folder, "*.png"))):
            yield "pngsuite", path


def photo_files(work, folder, count):
    if not folder:
        sys.path.insert(0, os.path.join(ROOT, "Tools/bench"))
        import run as bench  # Tools/bench/run.py: imports cv2, needs scikit-image for the photographs

        folder = os.path.join(work, "bench-images")
        bench.make_images(folder, count, 0)
        folder = os.path.join(folder, "small")
    paths = sorted(glob.glob(os.path.join(folder, "**", "*.png"), recursive=True))
    if len(paths) < count:
        sys.exit(f"{folder} holds {len(paths)} PNGs, {count} wanted")
    return [("photos", p) for p in paths[:count]]


def opencv_files(work, photos, count):
    import cv2

    filters = [("none", cv2.IMWRITE_PNG_FILTER_NONE), ("sub", cv2.IMWRITE_PNG_FILTER_SUB),
               ("up", cv2.IMWRITE_PNG_FILTER_UP), ("avg", cv2.IMWRITE_PNG_FILTER_AVG),
               ("paeth", cv2.IMWRITE_PNG_FILTER_PAETH), ("fast", cv2.IMWRITE_PNG_FAST_FILTERS),
               ("all", cv2.IMWRITE_PNG_ALL_FILTERS)]
    strategies = [cv2.IMWRITE_PNG_STRATEGY_DEFAULT, cv2.IMWRITE_PNG_STRATEGY_FILTERED,
                  cv2.IMWRITE_PNG_STRATEGY_RLE, cv2.IMWRITE_PNG_STRATEGY_FIXED,
                  cv2.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY]
    kinds = ["rgb8", "grey8", "rgba8", "rgb16", "grey16"]
    rng = random.Random(SEED)
    target = os.path.join(work, "opencv")
    os.makedirs(target, exist_ok=True)
    files = []
    for index in range(count):
        _, source = photos[index % len(photos)]
        pixels = np.asarray(Image.open(source).convert("RGB"))
        height, width = rng.randint(1, pixels.shape[0]), rng.randint(1, pixels.shape[1])
        top, left = rng.randint(0, pixels.shape[0] - height), rng.randint(0, pixels.shape[1] - width)
        crop = np.ascontiguousarray(pixels[top:top + height, left:left + width, ::-1])  # BGR for OpenCV
        kind = kinds[index % len(kinds)]
        name, flag = filters[(index // len(kinds)) % len(filters)]
        if kind == "grey8":
            crop = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
        elif kind == "rgba8":
            alpha = np.array([[rng.randrange(256)]], np.uint8) ^ crop[:, :, 1:2]
            crop = np.dstack([crop, alpha])
        elif kind in ("rgb16", "grey16"):
            wide = crop.astype(np.uint16) * 257 ^ np.uint16(rng.randrange(65536))
            crop = wide[:, :, 0] if kind == "grey16" else wide
        params = [cv2.IMWRITE_PNG_FILTER, flag, cv2.IMWRITE_PNG_COMPRESSION, rng.randint(0, 9),
                  cv2.IMWRITE_PNG_STRATEGY, rng.choice(strategies)]
        path = os.path.join(target, f"cv-{index:04d}-{kind}-{name}-{width}x{height}.png")
        if not cv2.imwrite(path, crop, params):
            sys.exit(f"cv2.imwrite failed for {path}")
        files.append(("opencv", path))
    return files


# ---------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--probe", required=True, help="the image-probe executable")
    parser.add_argument("--photos", help="a folder of the benchmark's 224x224 PNGs (else they are made)")
    parser.add_argument("--photo-count", type=int, default=2000)
    parser.add_argument("--opencv", type=int, default=300, help="PNGs saved by cv2.imwrite (0: none)")
    parser.add_argument("--pypng-source", help="pypng's unpacked source distribution (for code/pngsuite.py)")
    parser.add_argument("--pngsuite", help="a folder holding PngSuite's PNGs")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--verbose", action="store_true", help="print a line for equal files too")
    options = parser.parse_args()

    work = tempfile.mkdtemp(prefix="augstore-png-parity-")
    files = list(fixture_files())
    files += pngsuite_files(work, options.pypng_source, options.pngsuite)
    photos = photo_files(work, options.photos, options.photo_count)
    files += photos
    if options.opencv:
        files += opencv_files(work, photos, options.opencv)

    # image-probe writes DIR/<stem>.npy: give every file a unique stem through a symlink.
    links = os.path.join(work, "links")
    os.makedirs(links)
    stems = []
    for index, (_, path) in enumerate(files):
        stem = f"f{index:05d}"
        os.symlink(os.path.abspath(path), os.path.join(links, stem + ".png"))
        stems.append(stem)
    listing = os.path.join(work, "files.txt")
    with open(listing, "w") as handle:
        handle.write("\n".join(os.path.join(links, s + ".png") for s in stems) + "\n")
    out = os.path.join(work, "augstore")
    done = subprocess.run([options.probe, "--out", out, "--list", listing], capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"image-probe failed: {done.stderr.strip()}")
    refusals = {}
    for line in done.stdout.splitlines():
        if line.startswith("error "):
            path, _, message = line[len("error "):].partition(": ")
            refusals[os.path.basename(path)[:-4]] = message

    groups = {}
    differences = []
    for (group, path), stem in zip(files, stems):
        with open(path, "rb") as handle:
            data = handle.read()
        npy = os.path.join(out, stem + ".npy")
        ours = None if stem in refusals or not os.path.exists(npy) else np.load(npy)
        theirs = reference(data)
        problem = compare(ours, theirs)
        corrupt = group == "pngsuite" and os.path.basename(path).startswith(("x", "pypng-x"))
        if corrupt:
            problem = None if ours is None else "a deliberately corrupt file decoded"
        row = groups.setdefault(group, {"files": 0, "equal": 0, "both_refuse": 0, "different": 0})
        row["files"] += 1
        shown = os.path.relpath(path, ROOT) if path.startswith(ROOT) else path
        if problem is None:
            row["equal"] += 1
            row["both_refuse"] += int(ours is None)  # for corrupt files: augstore refuses
            if options.verbose:
                print(f"equal {shown}" + (f" (refused; augstore: {refusals.get(stem)})" if ours is None else ""))
        else:
            row["different"] += 1
            if stem in refusals:
                problem += f" ({refusals[stem]})"
            differences.append({"group": group, "file": shown, "problem": problem})
            print(f"different {shown}: {problem}")

    import PIL
    versions = {"pillow": PIL.__version__, "numpy": np.__version__, "pypng": png.__version__}
    if options.opencv:
        import cv2
        versions["opencv"] = cv2.__version__
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"{'group':22} {'files':>6} {'equal':>6} {'(refused)':>10} {'different':>10}")
    for group, row in groups.items():
        print(f"{group:22} {row['files']:>6} {row['equal']:>6} {row['both_refuse']:>10} {row['different']:>10}")
    total = sum(r["files"] for r in groups.values())
    print(f"{'all':22} {total:>6} {total - len(differences):>6} {sum(r['both_refuse'] for r in groups.values()):>10} "
          f"{len(differences):>10}")
    if options.json:
        with open(options.json, "w") as handle:
            json.dump({"versions": versions, "groups": groups, "differences": differences}, handle, indent=2)
            handle.write("\n")
    shutil.rmtree(work, ignore_errors=True)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
