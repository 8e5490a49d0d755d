"""The loader against the real engine and the real CLI: order, replay identity, ranks, resume, digests."""

import hashlib
import io
import json
import sqlite3

import numpy as np
import pytest

import augstore
from conftest import tensor_hash


def npy_digest(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


@pytest.mark.parametrize("cache", [False, True])
def test_every_batch_equals_cli_replay(fresh_run, cli, tmp_path, cache):
    run = fresh_run()
    batches = list(run.loader(epochs=[0, 1], batch_size=8, cache=cache))
    assert [(b.epoch, b.index) for b in batches] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    for batch in batches:
        images, labels, samples = cli.replay_batch(
            run.name, batch.epoch, batch.index, 8, tmp_path / f"{batch.epoch}-{batch.index}")
        assert batch.images.dtype == np.uint8 and batch.images.shape == (8, 28, 28, 3)
        assert np.array_equal(batch.images, images)
        assert batch.images.tobytes() == images.tobytes()
        assert np.array_equal(batch.labels, labels) and batch.labels.dtype == np.int64
        assert batch.samples == samples
        # Digests are the SHA-256 of each tensor's .npy bytes, as replay and history show them.
        assert batch.digests == [npy_digest(image) for image in batch.images]


def test_labels_and_samples_follow_the_recorded_order(fresh_run, cli):
    run = fresh_run()
    assert run.labels == ["discs", "squares", "stripes"]
    seen = []
    for batch in run.loader(epochs=3, batch_size=5):
        assert batch.epoch == 3
        for path, label in zip(batch.samples, batch.labels):
            assert run.labels[label] == path.split("/")[0]
        seen += batch.samples
    assert len(seen) == 24 and len(set(seen)) == 24
    history = cli.json("history", run.name, "--sample", seen[0])
    record = [entry for entry in history["epochs"] if entry["epoch"] == 3][0]
    assert record["position"] == 0


def test_first_delivery_records_digests_and_an_unrecorded_epoch_is_recorded_first(fresh_run, cli):
    run = fresh_run()
    before = cli("history", run.name, "--sample", "0", check=False)
    assert before.returncode == 1 and "no recorded epochs" in before.stderr
    batches = list(run.loader(epochs=[7], batch_size=8))
    assert [entry["epoch"] for entry in cli.json("history", run.name, "--sample", "0")["epochs"]] == [7]
    for batch in batches:
        for path, digest in zip(batch.samples, batch.digests):
            history = cli.json("history", run.name, "--sample", path)
            assert [entry["digest"] for entry in history["epochs"] if entry["epoch"] == 7] == [digest]
    # A later delivery checks against what was recorded and gives the same bytes.
    again = list(run.loader(epochs=[7], batch_size=8))
    assert [tensor_hash(b.images) for b in again] == [tensor_hash(b.images) for b in batches]


def test_a_tensor_that_differs_from_its_recorded_digest_is_an_error_naming_it(fresh_run, store_path):
    run = fresh_run()
    list(run.loader(epochs=[0], batch_size=8))
    with sqlite3.connect(f"{store_path}/catalog.sqlite") as db:
        db.execute("UPDATE tensors SET digest = randomblob(32) WHERE id IN "
                   "(SELECT id FROM tensors ORDER BY id DESC LIMIT 40)")
    with pytest.raises(augstore.AugstoreError, match=rf'run "{run.name}" epoch 0 sample \d+ .*recorded digest'):
        list(run.loader(epochs=[0], batch_size=8))


@pytest.mark.parametrize("batch_size,world_size", [(8, 2), (8, 4), (10, 2), (12, 3), (20, 4), (24, 8), (10, 5)])
def test_ranks_slices_concatenate_to_the_global_batch(fresh_run, batch_size, world_size):
    run = fresh_run()
    whole = list(run.loader(epochs=[0, 1], batch_size=batch_size))
    ranks = [list(run.loader(epochs=[0, 1], batch_size=batch_size, rank=rank, world_size=world_size))
             for rank in range(world_size)]
    for index, batch in enumerate(whole):
        slices = [rank_batches[index] for rank_batches in ranks]
        assert {(s.epoch, s.index) for s in slices} == {(batch.epoch, batch.index)}
        nonempty = [s for s in slices if len(s.samples)]
        assert np.array_equal(np.concatenate([s.images for s in nonempty]), batch.images)
        assert sum((s.samples for s in slices), []) == batch.samples
        assert np.array_equal(np.concatenate([s.labels for s in slices]), batch.labels)
        sizes = [len(s.samples) for s in slices]
        assert max(sizes) - min(sizes) <= 1 and sizes == sorted(sizes, reverse=True)


def test_drop_last_leaves_out_the_short_batch(fresh_run):
    run = fresh_run()
    loader = run.loader(epochs=range(2), batch_size=10, drop_last=True)
    assert len(loader) == 4
    assert [len(b.samples) for b in loader] == [10, 10, 10, 10]
    assert [len(b.samples) for b in run.loader(epochs=0, batch_size=10)] == [10, 10, 4]


@pytest.mark.parametrize("world_size", [1, 2, 4])
def test_state_dict_resumes_at_the_next_global_batch_on_any_world_size(fresh_run, world_size):
    run = fresh_run()
    reference = [b for b in run.loader(epochs=range(3), batch_size=4)]
    first = run.loader(epochs=range(3), batch_size=4, prefetch=3)
    taken = []
    for batch in first:
        taken.append(batch)
        if len(taken) == 8:  # mid-epoch 1
            break
    state = json.loads(json.dumps(first.state_dict()))
    assert state["epoch"] == 1 and state["next_batch"] == 2
    first.close()
    resumed = [run.loader(epochs=range(3), batch_size=4, rank=rank, world_size=world_size)
               for rank in range(world_size)]
    for loader in resumed:
        loader.load_state_dict(state)
    rest = list(zip(*[list(loader) for loader in resumed]))
    assert len(taken) + len(rest) == len(reference) == 18
    for expected, slices in zip(reference[8:], rest):
        assert all((s.epoch, s.index) == (expected.epoch, expected.index) for s in slices)
        assert np.array_equal(np.concatenate([s.images for s in slices]), expected.images)
    for expected, got in zip(reference[:8], taken):
        assert np.array_equal(expected.images, got.images)


def test_breaking_out_and_iterating_again_continues_where_it_stopped(fresh_run):
    run = fresh_run()
    reference = [(b.epoch, b.index, tensor_hash(b.images)) for b in run.loader(epochs=range(2), batch_size=8)]
    loader = run.loader(epochs=range(2), batch_size=8, prefetch=4)
    got = []
    for batch in loader:
        got.append((batch.epoch, batch.index, tensor_hash(batch.images)))
        if len(got) == 2:
            break
    got += [(b.epoch, b.index, tensor_hash(b.images)) for b in loader]
    assert got == reference
    # Finished: a new iteration starts over.
    assert [(b.epoch, b.index) for b in loader] == [(e, i) for e, i, _ in reference]


def test_load_state_dict_refuses_another_batch_size_run_or_epoch(fresh_run):
    run, other = fresh_run(), fresh_run()
    loader = run.loader(epochs=range(2), batch_size=4)
    next(iter(loader))
    state = loader.state_dict()
    with pytest.raises(ValueError, match="batch_size 4, this loader has 8"):
        run.loader(epochs=range(2), batch_size=8).load_state_dict(state)
    with pytest.raises(ValueError, match=f"state is for run '{run.name}'"):
        other.loader(epochs=range(2), batch_size=4).load_state_dict(state)
    with pytest.raises(ValueError, match="epoch 0, which this loader's epochs \\[5\\] lack"):
        run.loader(epochs=[5], batch_size=4).load_state_dict(state)
    with pytest.raises(ValueError, match="not an augstore loader state"):
        run.loader(epochs=[5], batch_size=4).load_state_dict({"epoch": 0})


@pytest.mark.parametrize("epochs,expected", [(2, [2]), (range(1, 3), [1, 2]), ([4, 0], [4, 0]),
                                             ((3,), [3])])
def test_epochs_take_an_int_a_range_or_a_list(fresh_run, epochs, expected):
    run = fresh_run()
    loader = run.loader(epochs=epochs, batch_size=24)
    assert loader.epochs == expected
    assert [b.epoch for b in loader] == expected


@pytest.mark.parametrize("arguments,message", [
    (dict(epochs=[-1], batch_size=4), "not an epoch"),
    (dict(epochs="0-2", batch_size=4), "epochs must be"),
    (dict(epochs=[], batch_size=4), "no epoch"),
    (dict(epochs=0, batch_size=0), "batch_size must be"),
    (dict(epochs=0, batch_size=6, world_size=4), "not divisible by world_size 4"),
    (dict(epochs=0, batch_size=8, rank=2, world_size=2), "rank 2 is not in 0..1"),
    (dict(epochs=0, batch_size=8, prefetch=-1), "prefetch must be"),
])
def test_bad_arguments_are_clear_errors(fresh_run, arguments, message):
    run = fresh_run()
    with pytest.raises(ValueError, match=message):
        run.loader(**arguments)


def test_missing_store_and_run_are_one_line_errors(store_path, tmp_path, binary):
    with pytest.raises(augstore.AugstoreError) as missing:
        augstore.open(str(tmp_path / "nowhere"))
    assert "nowhere: no augstore store here" in str(missing.value) and "\n" not in str(missing.value)
    with pytest.raises(augstore.AugstoreError) as no_run:
        augstore.open(store_path).run("no-such-run")
    assert "no-such-run" in str(no_run.value) and "\n" not in str(no_run.value)


def test_engine_not_found_or_of_another_protocol_is_refused(store_path, tmp_path, monkeypatch, binary):
    monkeypatch.setenv("AUGSTORE_BIN", str(tmp_path / "missing-augstore"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(augstore.AugstoreError, match="missing-augstore: not an executable"):
        augstore.open(store_path).run("demo")
    fake = tmp_path / "augstore"
    fake.write_text('#!/bin/sh\necho \'{"protocol": 99, "engine": "augstore 9.0.0"}\'\nsleep 5\n')
    fake.chmod(0o755)
    monkeypatch.setenv("AUGSTORE_BIN", str(fake))
    with pytest.raises(augstore.ProtocolMismatch,
                       match="augstore 9.0.0.* speaks engine protocol 99; this augstore Python package speaks protocol 1"):
        augstore.open(store_path).run("demo")
