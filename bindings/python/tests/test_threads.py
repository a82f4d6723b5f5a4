"""The worker pool on a busy machine: training and batched prediction with the default number
of threads finish while other processes hog every core, instead of crawling behind a member the
OS has descheduled. Each job runs in a child process, so the pool starts with the default
thread count whatever this test process was given; the bound is generous (20 times the idle
time, plus a second), because this checks that nothing hangs or collapses, not how fast it is.
"""

import os
import subprocess
import sys
import time

import pytest

# A 1-layer GRU with hidden 256 at batch 1: 196,608 multiply-adds per character, above the
# pool's team threshold, so it is the kind of job that used to wait at a barrier per character.
JOB = r"""
import sys, time, charnn
sys.path.insert(0, sys.argv[1])
from conftest import generated_names, LABELS
names, labels = generated_names(240)
with charnn.Dataset(names, labels, LABELS) as data:
    model = charnn.Model(LABELS, kind="gru", hidden_size=256, num_layers=1)
    started = time.perf_counter()
    model.fit(data, epochs=1, progress=False)
    many = model.predict_many(names * 4)
    assert len(many) == len(names) * 4
    print(time.perf_counter() - started)
"""


def run_job(env):
    result = subprocess.run(
        [sys.executable, "-c", JOB, os.path.dirname(__file__)], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    return float(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the pool has no worker to wait for")
def test_default_threads_finish_while_other_processes_hog_the_cores():
    env = {k: v for k, v in os.environ.items() if k != "CHARNN_NUM_THREADS"}
    idle = min(run_job(env) for _ in range(2))
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        time.sleep(0.2)  # let them take the cores
        busy = run_job(env)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert busy < 20 * idle + 1.0, f"{busy:.2f} s next to {len(hogs)} busy processes, {idle:.2f} s idle"
