"""Can one submission lower another's score? `python -m instructor contention`.

Each attack on what submissions share (instructor/tests/hostile.py, SHARED_ATTACKS:
memory held outside any process's RSS, children whose memory adds up, CPU crowding,
spending the kernel's per-user namespace counters) is graded with `python -m
instructor batch --jobs 2`, sealed, beside an untouched reference, the whole batch
in a fresh process inside a memory cgroup that stands in for the machine. A clean
batch (the reference beside the reference) gives the victim's usual time. For each
case: the attacker's score and the limit its report names, the victim's score and
seconds, and the peak memory of the attacker's own cgroup, against its budget.
Needs root and cgroups (v1 or v2). `--write` puts the table in figures/grading-limits.md.
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile

from autograder.course import FULL
from instructor import ROOT
from instructor.grader import batch
from instructor.sandbox import cgroup, limits

LIMITS = limits.Limits(part_timeout=20, import_timeout=10, memory_mb=2048)
MACHINE_MB = 6144  # the outer cgroup: what the machine has for the whole batch
SUBMISSION_MB = LIMITS.memory_mb + limits.SANDBOX_MB  # what each sandbox's cgroup allows


def contend(attacker, victim, limits_=LIMITS, machine_mb=MACHINE_MB, root=ROOT):
    """Batch-grade two gan.py sources side by side; returns {"attacker": results.json,
    "victim": results.json, "machine_peak_mb", "machine_oom_kills"}."""
    with tempfile.TemporaryDirectory(prefix="gan-contention-") as work:
        for name, source in (("a_attacker", attacker), ("b_victim", victim)):
            os.makedirs(os.path.join(work, "subs", name))
            with open(os.path.join(work, "subs", name, "gan.py"), "w", encoding="utf-8") as f:
                f.write(source)
        out = os.path.join(work, "out")
        command = [sys.executable, "-m", "instructor", "batch", os.path.join(work, "subs"), "--out", out,
                   "--jobs", "2", "--isolation", "sealed", "--part-timeout", str(limits_.part_timeout),
                   "--import-timeout", str(limits_.import_timeout), "--memory-mb", str(limits_.memory_mb)]
        with cgroup.Cgroup(machine_mb, prefix="gan-machine") as machine:
            proc = subprocess.run(command, cwd=root, capture_output=True, text=True, preexec_fn=machine.join,
                                  timeout=900)
            found = {"machine_peak_mb": machine.peak_mb(), "machine_oom_kills": machine.oom_kills()}
        for who in ("attacker", "victim"):
            path = batch.results_path(out, f"{'a' if who == 'attacker' else 'b'}_{who}")
            try:
                with open(path, encoding="utf-8") as f:
                    found[who] = json.load(f)
            except (OSError, ValueError) as err:
                raise RuntimeError(f"batch wrote no {who} results.json ({err}); exit code {proc.returncode}: "
                                   f"{proc.stdout[-1500:]}{proc.stderr[-1500:]}")
        return found


def row(name, found):
    """One line of the table: the figures a case is judged by."""
    attacker, victim = found["attacker"], found["victim"]
    lost = [t["name"] for t in attacker["tests"] if t["score"] < t["max_score"]]
    return {"case": name, "attacker_score": attacker["score"], "attacker_lost": lost,
            "attacker_peak_mb": attacker["extra_data"]["isolation"].get("cgroup_peak_mb"),
            "victim_score": victim["score"], "victim_seconds": victim["execution_time"],
            "victim_mode": victim["extra_data"]["isolation"]["mode"],
            "attacker_mode": attacker["extra_data"]["isolation"]["mode"],
            "grader_errors": [r["extra_data"]["grader_error"] for r in (attacker, victim)
                              if r["extra_data"]["grader_error"]]}


def main(args):
    from instructor.tests import hostile

    reference = hostile.sources()["reference"]
    rows = [row("clean: the reference beside the reference", contend(reference, reference))]
    for case in hostile.SHARED_ATTACKS:
        rows.append(row(case.name, contend(case.edit(hostile.sources()[case.base]), reference)))
        print(rows[-1], flush=True)
    rows.append(row("clean again", contend(reference, reference)))
    clean = min(rows[0]["victim_seconds"], rows[-1]["victim_seconds"])  # the faster clean run: the stricter
    lines = [f"Each attack graded with `batch --jobs 2`, sealed, beside an untouched reference, inside a "
             f"{MACHINE_MB:,} MB memory cgroup standing in for the machine (cgroup v{cgroup.version()}, "
             f"{datetime.date.today().isoformat()}, `python -m instructor contention`). Limits: "
             f"{LIMITS.part_timeout:g} s a part, {LIMITS.memory_mb:,} MB a part, {SUBMISSION_MB:,} MB and "
             f"{limits.SUBMISSION_PIDS} processes for all of a submission's processes together.", "",
             "| case | attacker score (parts lost) | attacker's cgroup peak | victim score | victim seconds | "
             "victim / clean |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['case']} | {r['attacker_score']:g}/{FULL:g} ({', '.join(r['attacker_lost']) or 'none'}) | "
                     f"{r['attacker_peak_mb'] or 0:,.0f} MB | {r['victim_score']:g}/{FULL:g} | "
                     f"{r['victim_seconds']:.1f} s | {r['victim_seconds'] / clean:.2f} |")
    lines += ["", f"victim / clean: against the faster clean run ({clean:.1f} s). The peak counts the page cache "
              "the cgroup touched (cgroup v1's max_usage_in_bytes); a peak at the budget means the kernel held "
              "the attacker there and its OOM killer took the attacker's processes, no one else's.", ""]
    print("\n".join(lines))
    if args.write:
        path = os.path.join(ROOT, "figures", "grading-limits.md")
        with open(path, "w") as f:
            f.write("\n".join(lines))
        print(f"wrote {path}")
