"""Limits per submission: no submission can take what another one, graded beside it, needs.

The attacks on shared memory, processes, CPU and the kernel's per-user counters
(hostile.SHARED_ATTACKS) are each graded in a batch beside an untouched reference,
inside a memory cgroup the test makes (instructor/measure/contention.py): the victim keeps
10/10 within twice its clean time, the attacker loses only what its attack spends,
its report names the limit it hit, and its cgroup never held more than its budget.
The cgroup v2 protocol, which this machine (v1) cannot run, is checked against a
file tree laid out as cgroup v2's.
"""
import os
import statistics

import pytest

from autograder import course
from autograder.answers import load_answers
from instructor.grader import score
from instructor.grader.run import make_pool
from instructor.measure import contention
from instructor.sandbox import cgroup, limits
from instructor.sandbox.process import SandboxError
from instructor.tests import FULL, hostile

needs_cgroups = pytest.mark.skipif(cgroup.available() is not None,
                                   reason=f"no cgroup can be made here: {cgroup.available()}")


@pytest.fixture(scope="module")
def sealed():
    with make_pool(load_answers(score.ANSWERS), mode="sealed") as pool:
        try:
            pool.start()
        except SandboxError as err:
            if os.environ.get("CI"):
                pytest.fail(f"CI must grade sealed: {err}")
            pytest.skip(f"no sealed sandbox here: {err}")


@pytest.fixture(scope="module")
def clean_seconds(sealed):
    """The victim's time beside another untouched reference: the median of three runs."""
    reference = hostile.sources()["reference"]
    runs = [contention.contend(reference, reference) for _ in range(3)]
    assert all(r["victim"]["score"] == FULL for r in runs)
    return statistics.median(r["victim"]["execution_time"] for r in runs)


def attacker_text(results):
    return results["output"] + "\n".join(t["output"] for t in results["tests"])


@pytest.mark.slow
@needs_cgroups
@pytest.mark.parametrize("case", hostile.SHARED_ATTACKS, ids=[c.name for c in hostile.SHARED_ATTACKS])
def test_an_attack_on_shared_resources_costs_only_the_attacker(case, clean_seconds):
    found = contention.contend(case.edit(hostile.sources()[case.base]), hostile.sources()["reference"])
    row = contention.row(case.name, found)
    print(row)
    victim, attacker = found["victim"], found["attacker"]
    assert victim["score"] == FULL and row["victim_mode"] == "sealed", victim["output"]
    assert victim["execution_time"] <= 2 * clean_seconds, (victim["execution_time"], clean_seconds)
    assert not row["grader_errors"], row["grader_errors"]
    points = {t["name"]: t["score"] for t in attacker["tests"]}
    expected = hostile.expected_points(case, course.POINTS)
    assert points == {course.PART_TITLES[p]: v for p, v in expected.items()}, attacker["output"]
    assert case.phrase.format(budget=contention.SUBMISSION_MB) in attacker_text(attacker)
    assert row["attacker_mode"] == "sealed"
    assert row["attacker_peak_mb"] is not None and row["attacker_peak_mb"] <= contention.SUBMISSION_MB + 1


def test_batch_jobs_get_cpus_of_their_own_where_there_are_enough(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4})
    monkeypatch.setattr(limits, "cpu_limit", lambda: 5.0)
    assert limits.cpu_shares(2) == [[0, 1], [2, 3]]
    monkeypatch.setattr(limits, "cpu_limit", lambda: 1.5)  # a quota of 1.5 CPUs: one whole CPU for two jobs
    assert limits.cpu_shares(2) == [None, None]


@pytest.mark.slow
@needs_cgroups
def test_a_pool_with_cpus_of_its_own_runs_only_there():
    cpu = min(os.sched_getaffinity(0))
    with make_pool(load_answers(score.ANSWERS), cpus=[cpu]) as pool:
        pool.start()
        assert os.sched_getaffinity(pool.sandbox.proc.pid) == {cpu}
        cpusets = [d for d in pool.memory.cgroup.dirs if "/cpuset/" in d]
        if cpusets:  # cgroup v1 with a cpuset controller: the kernel holds it there, whatever the process asks
            with open(os.path.join(cpusets[0], "cpuset.cpus")) as f:
                assert f.read().strip() == str(cpu)


# -- cgroup v2, on a file tree laid out as its hierarchy


@pytest.fixture
def fake_v2(tmp_path, monkeypatch):
    """A cgroup v2 tree: the grader's cgroup /box with Gradescope's 768 MB and half a
    CPU; every write the code makes is recorded."""
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    box = tmp_path / "box"
    box.mkdir()
    (box / "memory.max").write_text(f"{768 << 20}\n")
    (box / "cpu.max").write_text("50000 100000\n")
    (box / "memory.events").write_text("low 0\nhigh 0\nmax 4\noom 1\noom_kill 3\n")
    monkeypatch.setattr(cgroup, "CGROUP", str(tmp_path))
    monkeypatch.setattr(cgroup, "own_cgroups", lambda: {"": "/box"})
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    writes = []
    real = cgroup.write

    def record(folder, name, value, optional=False):
        writes.append((os.path.relpath(folder, tmp_path), name, str(value)))
        real(folder, name, value, optional)

    monkeypatch.setattr(cgroup, "write", record)
    return tmp_path, writes


def test_cgroup_v2_limits_are_read_from_the_graders_cgroup_and_those_above(fake_v2):
    root, _ = fake_v2
    assert cgroup.version() == 2
    assert limits.memory_limit_mb() == 768 and limits.cpu_limit() == 0.5
    assert limits.usable_threads() == 1 and limits.lane_count() == 1
    assert limits.oom_kills() == 3
    (root / "memory.max").write_text(f"{512 << 20}\n")  # a tighter limit above counts too
    assert limits.memory_limit_mb() == 512


def test_cgroup_v2_sandbox_cgroup_is_a_sibling_of_the_graders_leaf(fake_v2):
    root, writes = fake_v2
    group = cgroup.Cgroup(2048, cpus=0, pids=1024, nested=True, prefix="gan-pool", cpuset=[1])
    name = os.path.relpath(group.dirs[0], root)
    assert os.path.dirname(name) == "box"  # beside the leaf, inside the grader's cgroup: its limits hold
    assert (root / "box" / "grader" / "cgroup.procs").read_text() == str(os.getpid())  # v2: processes in leaves
    assert ("box", "cgroup.subtree_control", "+memory +cpu +pids") in writes
    assert ("box", "cgroup.subtree_control", "+cpuset") in writes
    mine = {key: value for folder, key, value in writes if folder == name}
    assert mine == {"memory.max": str(2048 << 20), "memory.swap.max": "0", "memory.oom.group": "1",
                    "pids.max": "1024", "cpuset.cpus": "1"}  # cpus=0: a group of its own, no cpu.max quota
    (root / name / "memory.events").write_text("oom 2\noom_kill 2\n")
    (root / name / "memory.peak").write_text(f"{1500 << 20}\n")
    assert group.oom_kills() == 2 and group.peak_mb() == 1500
    group.join()
    assert (root / name / "cgroup.procs").read_text() == str(os.getpid())


def test_cgroup_v2_second_sandbox_reuses_the_leaf(fake_v2, monkeypatch):
    root, writes = fake_v2
    monkeypatch.setattr(cgroup, "own_cgroups", lambda: {"": "/box/grader"})  # where the first one moved us
    group = cgroup.Cgroup(1024, cpus=0.5, nested=True, prefix="gan-pool")
    assert os.path.dirname(os.path.relpath(group.dirs[0], root)) == "box"
    assert (os.path.relpath(group.dirs[0], root), "cpu.max", "50000 100000") in writes
