"""The loader on a store whose catalog is a PostgreSQL database: four processes as four ranks load
one run at once, each recording its slices' tensor digests in the shared catalog.

Needs a PostgreSQL server: `Tools/test` starts a private one and sets AUGSTORE_TEST_POSTGRES (and
PGPASSFILE); without it these tests are skipped."""

import glob
import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest

import augstore

SERVER = os.environ.get("AUGSTORE_TEST_POSTGRES")
pytestmark = pytest.mark.skipif(not SERVER, reason="AUGSTORE_TEST_POSTGRES names no PostgreSQL server")

RANK_SCRIPT = """
import json, sys, hashlib
import numpy as np
import augstore
store, run, rank, world = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
loader = augstore.open(store).run(run).loader(epochs=[0, 1], batch_size=8, rank=rank, world_size=world)
out = []
for batch in loader:
    for path, image in zip(batch.samples, batch.images):
        out.append([batch.epoch, path, hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest()])
json.dump(out, sys.stdout)
"""


def psql():
    found = shutil.which("psql") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))), None)
    assert found, "psql not found (Debian's postgresql-client)"
    return found


@pytest.fixture
def database():
    """A new database on the test server, dropped afterwards; yields its URL."""
    name = f"py_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    subprocess.run([psql(), SERVER, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    yield SERVER.rsplit("/", 1)[0] + "/" + name
    subprocess.run([psql(), SERVER, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                   capture_output=True)


def cli(binary, store, *arguments):
    result = subprocess.run([binary, *arguments, "--store", store], capture_output=True, text=True)
    assert result.returncode == 0, f"augstore {' '.join(arguments)}: {result.stderr.strip()}"
    return result.stdout


def test_four_ranks_on_a_postgresql_store_record_what_one_process_records(binary, database, tmp_path):
    stores = {}
    for kind in ["sqlite", "postgresql"]:
        store = str(tmp_path / kind)
        subprocess.run([binary, "demo", "--store", store], check=True, capture_output=True)
        cli(binary, store, "run", "create", "r", "--dataset", "shapes@v1", "--pipeline", "shapes-aug",
            "--seed", "7")
        stores[kind] = store
    cli(binary, stores["postgresql"], "catalog", "copy", "--to", database)
    assert os.path.isfile(os.path.join(stores["postgresql"], "catalog.json"))

    # One process on the SQLite store.
    whole = subprocess.run([sys.executable, "-c", RANK_SCRIPT, stores["sqlite"], "r", "0", "1"],
                           check=True, capture_output=True, text=True)
    expected = sorted(map(tuple, json.loads(whole.stdout)))

    # Four processes at once on the PostgreSQL store.
    ranks = [subprocess.Popen([sys.executable, "-c", RANK_SCRIPT, stores["postgresql"], "r", str(rank), "4"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for rank in range(4)]
    got = []
    for process in ranks:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        got.extend(map(tuple, json.loads(out)))
    assert sorted(got) == expected
    assert len(got) == 2 * 24

    # Every sample's history, with the digests the ranks recorded, is what the single process recorded.
    for sample in range(24):
        histories = [cli(binary, stores[kind], "history", "r", "--sample", str(sample), "--json")
                     for kind in ["sqlite", "postgresql"]]
        assert histories[0] == histories[1]
    verified = json.loads(cli(binary, stores["postgresql"], "verify", "--json"))
    assert verified.get("problems", []) == []
