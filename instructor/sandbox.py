"""Run a student's gan.py away from the grader: `python -m instructor.sandbox SPEC.json`.

This process imports torch, numpy and the producing half of the checks, but never
the student's module. For the import and then for each part it forks a child that
starts its own process group, limits its memory, sends its output into a pipe,
imports gan.py and writes what tests.checks.produce returns to a JSON file. The
parent kills a child that outlives its time limit and records how each child
ended. Forking after torch is imported saves a second of start-up per part; CUDA is
never touched here, so each child can initialise it itself.

The grader (instructor/grading.py) reads the JSON files as data and decides the
score in a process that has never run student code.
"""
import importlib.util
import json
import os
import resource
import signal
import sys
import threading
import time
import traceback

import numpy as np
import torch  # noqa: F401  (imported before forking, to be shared by the children)

from tests import checks

OUTPUT_KEEP = 4000  # characters of a part's output kept for the report


def encode(value):
    """Plain data -> JSON-compatible data (numpy arrays become tagged lists)."""
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, np.ndarray):
        return {"__ndarray__": value.astype(np.float64).ravel().tolist(), "shape": list(value.shape)}
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def decode(value):
    if isinstance(value, dict):
        if "__ndarray__" in value:
            return np.asarray(value["__ndarray__"], dtype=np.float64).reshape(value["shape"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _vm_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(phase, spec, inputs, write_fd):
    """In the forked child: never returns."""
    code = 1
    try:
        os.setsid()
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(write_fd, 1)
        os.dup2(write_fd, 2)
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = sys.stdout
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if spec["memory_mb"] and spec["device"] == "cpu":  # CUDA maps huge virtual ranges: no limit there
            limit = _vm_bytes() + spec["memory_mb"] * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        out_path = os.path.join(spec["workdir"], f"{phase}.json")
        try:
            module_spec = importlib.util.spec_from_file_location("gan", spec["gan_path"])
            module = importlib.util.module_from_spec(module_spec)
            sys.modules["gan"] = module
            module_spec.loader.exec_module(module)
        except BaseException as err:  # SyntaxError, SystemExit, KeyboardInterrupt, anything
            detail = "".join(traceback.format_exception_only(type(err), err)).strip()
            result = {"__failure__": f"importing gan.py failed: {detail}"}
        else:
            result = {} if phase == "import" else checks.produce(phase, module, spec["device"], inputs)
        data = json.dumps(encode(result))
        with open(out_path + ".tmp", "w") as f:
            f.write(data)
        os.replace(out_path + ".tmp", out_path)
        code = 0
    except BaseException:
        try:
            traceback.print_exc()
        except BaseException:
            pass
    finally:
        os._exit(code)


def _drain(fd, store):
    """Keep the first OUTPUT_KEEP characters a child prints, count the rest."""
    with os.fdopen(fd, "rb", buffering=0) as f:
        while True:
            chunk = f.read(65536)
            if not chunk:
                break
            store["bytes"] += len(chunk)
            if len(store["head"]) < OUTPUT_KEEP:
                store["head"] += chunk[: OUTPUT_KEEP - len(store["head"])]


def run_phase(phase, spec, inputs, timeout):
    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(phase, spec, inputs, write_fd)
    os.close(write_fd)
    store = {"head": b"", "bytes": 0}
    reader = threading.Thread(target=_drain, args=(read_fd, store), daemon=True)
    reader.start()
    timed_out, status = False, None
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > timeout:
            timed_out = True
            break
        time.sleep(0.01)
    try:  # the child and anything it started
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if timed_out:
        _, status = os.waitpid(pid, 0)
    reader.join(timeout=2)
    record = {
        "seconds": round(time.monotonic() - start, 3),
        "timed_out": timed_out,
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "output": store["head"].decode("utf-8", "replace"),
        "output_bytes": store["bytes"],
    }
    return record


def main(spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    with np.load(spec["inputs"], allow_pickle=False) as f:
        inputs = {k: f[k] for k in f.files}
    status = {}
    for phase in ["import"] + spec["groups"]:
        timeout = spec["import_timeout"] if phase == "import" else spec["part_timeout"]
        status[phase] = run_phase(phase, spec, inputs, timeout)
        with open(os.path.join(spec["workdir"], "status.json"), "w") as f:
            json.dump(status, f)
        if phase == "import" and not _imported(spec["workdir"]):
            break  # the grader reports the import failure for every part


def _imported(workdir):
    try:
        with open(os.path.join(workdir, "import.json")) as f:
            return "__failure__" not in json.load(f)
    except (OSError, ValueError):
        return False


if __name__ == "__main__":
    main(sys.argv[1])
