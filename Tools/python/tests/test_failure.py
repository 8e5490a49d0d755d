"""The engine dying, interrupts and garbage collection: errors name run, epoch and batch; no process
is left behind; nothing hangs."""

import gc
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import augstore

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")


def process_gone(pid, within=10.0):
    """Whether `pid` has exited (and been reaped, or is a zombie) within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(")")[-1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_engine_killed_mid_epoch_raises_naming_run_epoch_and_batch(fresh_run):
    run = fresh_run()
    loader = run.loader(epochs=range(2), batch_size=4, prefetch=1)
    iterator = iter(loader)
    next(iterator)
    next(iterator)
    pid = loader.engine_pid
    os.kill(pid, signal.SIGKILL)
    started = time.monotonic()
    with pytest.raises(augstore.EngineError) as failure:
        for _ in iterator:
            pass
    assert time.monotonic() - started < 30
    message = str(failure.value)
    assert f"run '{run.name}' epoch 0 batch" in message and "killed by signal 9" in message
    assert "\n" not in message
    # The loader's state still names the first batch not delivered, and a new engine resumes there.
    state = loader.state_dict()
    rest = list(loader)
    assert (rest[0].epoch, rest[0].index) == (state["epoch"], state["next_batch"])


def test_garbage_collecting_a_loader_ends_its_engine(fresh_run):
    run = fresh_run()
    loader = run.loader(epochs=range(3), batch_size=4, prefetch=4)
    iterator = iter(loader)
    next(iterator)
    pid = loader.engine_pid
    assert pid is not None
    del iterator, loader
    gc.collect()
    assert process_gone(pid)


def test_close_and_context_manager_end_the_engine(fresh_run):
    run = fresh_run()
    with run.loader(epochs=0, batch_size=4) as loader:
        next(iter(loader))
        pid = loader.engine_pid
    assert process_gone(pid)


@pytest.mark.parametrize("how", ["sigint", "exit"])
def test_ctrl_c_or_exit_leaves_no_engine_behind(fresh_run, store_path, how, tmp_path):
    run = fresh_run()
    pid_file = tmp_path / "engine.pid"
    # If the child ever hangs, faulthandler writes every thread's stack to its stderr after 45 s, and the
    # assertion below shows it.
    # A process started in the background by a non-interactive shell inherits SIGINT as ignored, and
    # Python then installs no KeyboardInterrupt handler: the child restores Python's own, as an
    # interactive training script has it.
    script = textwrap.dedent(f"""
        import faulthandler, signal, sys, time
        signal.signal(signal.SIGINT, signal.default_int_handler)
        faulthandler.dump_traceback_later(45)
        sys.path.insert(0, {SRC!r})
        import augstore
        loader = augstore.open({store_path!r}).run({run.name!r}).loader(epochs=range(50), batch_size=2)
        for number, batch in enumerate(loader):
            if number == 1:
                open({str(pid_file)!r}, "w").write(str(loader.engine_pid))
                if {how!r} == "exit":
                    sys.exit(0)
            time.sleep(0.05)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline and child.poll() is None, child.stderr.read()
        time.sleep(0.05)
    engine = int(pid_file.read_text())
    if how == "sigint":
        child.send_signal(signal.SIGINT)
    # Ending the engine may wait up to 10 s for it to commit before killing it; on a loaded machine the
    # whole exit can take a while, so the bound is generous. What matters is that it ends.
    try:
        _, errors = child.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        child.kill()
        _, errors = child.communicate()
        raise AssertionError(f"the child did not exit within 90 s; its stderr:\n{errors.decode(errors='replace')}")
    if how == "sigint":
        assert b"KeyboardInterrupt" in errors
    assert process_gone(engine)


def test_a_forked_worker_leaves_its_parents_engine_alone(fresh_run):
    run = fresh_run()
    loader = run.loader(epochs=range(2), batch_size=4)
    iterator = iter(loader)
    first = next(iterator)
    pid = loader.engine_pid
    child = os.fork()
    if child == 0:  # the child drops its copy of the loader and exits
        del iterator, loader
        gc.collect()
        os._exit(0)
    os.waitpid(child, 0)
    assert not process_gone(pid, within=0.5)
    assert (next(iterator).index, first.index) == (1, 0)
