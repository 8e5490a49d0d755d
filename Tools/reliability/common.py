"""Shared helpers for the reliability scripts: fixed-seed numbers, PNG folders, running augstore,
snapshots of a store's records and digests, and the checks made after every fault.

Nothing here uses a system random number generator: every "random" choice comes from splitmix64
over a fixed seed, so a run of the scripts is repeatable (only the wall clock differs).
"""

import hashlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import time
import zlib

MASK = (1 << 64) - 1


def splitmix64(seed, index):
    """The index-th output of splitmix64 started at seed: a pure function, no state."""
    z = (seed + (index + 1) * 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def unit(seed, index):
    """A fraction in [0, 1) from splitmix64(seed, index)."""
    return splitmix64(seed, index) / float(1 << 64)


def png_bytes(seed, width, height):
    """A deterministic 8-bit RGB PNG whose pixels come from splitmix64(seed, ·)."""
    rows = bytearray()
    index = 0
    for _ in range(height):
        rows.append(0)
        for _ in range(width * 3):
            rows.append(splitmix64(seed, index) & 0xFF)
            index += 1

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 6))
            + chunk(b"IEND", b""))


def make_images(root, classes, per_class, width=32, height=24, seed_offset=0):
    """class0/img00000.png … like the Swift tests' ImageFolder.make."""
    for label in range(classes):
        for item in range(per_class):
            folder = os.path.join(root, f"class{label}")
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, f"img{item:05d}.png"), "wb") as handle:
                handle.write(png_bytes(seed_offset + label * 1_000_000 + item, width, height))


SPEC = {
    "transforms": [
        {"type": "RandomFlip", "mode": "horizontal"},
        {"type": "RandomRotation", "factor": 0.1},
        {"type": "RandomZoom", "height_factor": 0.1},
        {"type": "RandomCrop", "height": 20, "width": 20},
        {"type": "RandomContrast", "factor": 0.2},
        {"type": "RandomBrightness", "factor": 0.2},
    ]
}


class Augstore:
    """Runs one augstore binary."""

    def __init__(self, binary):
        self.binary = binary

    def argv(self, args, store):
        return [self.binary] + list(args) + (["--store", store] if store else [])

    def run(self, args, store=None, timeout=600, check=False, preexec=None):
        env = dict(os.environ)
        env.pop("AUGSTORE_STORE", None)
        done = subprocess.run(self.argv(args, store), capture_output=True, text=True, timeout=timeout, env=env,
                              stdin=subprocess.DEVNULL, preexec_fn=preexec)
        if check and done.returncode != 0:
            raise RuntimeError(f"augstore {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
        return done

    def start(self, args, store=None):
        env = dict(os.environ)
        env.pop("AUGSTORE_STORE", None)
        return subprocess.Popen(self.argv(args, store), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True, env=env)

    def json(self, args, store=None):
        done = self.run(list(args) + ["--json"], store, check=True)
        return json.loads(done.stdout)


def setup_store(aug, store, images, spec_path, run=True):
    """init, dataset add d, pipeline add aug, run create r (seed 11)."""
    aug.run(["init", store], check=True)
    aug.run(["dataset", "add", "d", "--from", images], store, check=True)
    aug.run(["pipeline", "add", "aug", "--spec", spec_path], store, check=True)
    if run:
        aug.run(["run", "create", "r", "--dataset", "d", "--pipeline", "aug", "--seed", "11"], store, check=True)


def copy_store(source, target):
    if os.path.exists(target):
        shutil.rmtree(target)
    shutil.copytree(source, target, symlinks=True)


# Snapshots ------------------------------------------------------------------------------------------

RECORDS_SQL = ("SELECT run, epoch, sample, position, original, params_json, digest FROM augmentation_records "
               "ORDER BY run, epoch, sample")
SAMPLES_SQL = ("SELECT d.name AS dataset, v.number AS version, s.position, s.path, s.label, s.object_hash "
               "FROM samples s JOIN dataset_versions v ON v.id = s.version_id JOIN datasets d ON d.id = v.dataset_id "
               "ORDER BY d.name, v.number, s.position")


def sql_rows(aug, store, query):
    """Rows of `augstore sql QUERY --json` (the catalog through the binary, with its SQL functions)."""
    return aug.json(["sql", query], store)["rows"]


def records_by_epoch(aug, store):
    """{epoch: [(sample, position, original, params_json)]} and {(epoch, sample): digest or None}."""
    rows = sql_rows(aug, store, RECORDS_SQL)
    records, digests = {}, {}
    for row in rows:
        records.setdefault(row["epoch"], []).append(
            (row["sample"], row["position"], row["original"], row["params_json"]))
        digests[(row["epoch"], row["sample"])] = row["digest"]
    return records, digests


def integrity(catalog_path):
    """PRAGMA integrity_check through Python's sqlite3 (a separate SQLite build from augstore's)."""
    connection = sqlite3.connect(catalog_path, timeout=60)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


def sha256_file(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def replayed_digests(folder):
    """{sample: sha256} of the <position>-<sample>.npy files written by `replay --all`."""
    result = {}
    for name in os.listdir(folder):
        stem = name[:-4] if name.endswith(".npy") else ""
        parts = stem.split("-")
        if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
            result[int(parts[1])] = sha256_file(os.path.join(folder, name))
    return result


class Tally:
    """Counts checks and failures; keeps the first few failure messages."""

    def __init__(self):
        self.checks = 0
        self.failures = []

    def check(self, ok, message):
        self.checks += 1
        if not ok:
            self.failures.append(message)
        return ok


def now():
    return time.monotonic()
