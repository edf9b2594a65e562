"""Hostile and broken submissions, made from the reference gan.py by small edits.

Each case is (name, edit, expected points per part that differ from full marks,
a phrase the report must contain). edit(source, grader_root) returns the hostile
source; grader_root is where the grader's files live, as a submission that knows
the autograder's layout (/autograder/source on Gradescope) would guess.
"""
from instructor.release import CODE_END, CODE_START


def append(code):
    return lambda src, root: src + "\n\n" + code + "\n"


def block(function, code, keep_reference=False, then=""):
    """Replace (or extend) the student block of `function`."""

    def edit(src, root):
        start = src.index(f"def {function}(")
        a = src.index(CODE_START, start) + len(CODE_START) + 1
        b = src.rindex("\n", 0, src.index(CODE_END, a)) + 1  # the end marker's line
        body = src[a:b] if keep_reference else ""
        indented = "".join(f"    {line}\n" for line in code.strip("\n").splitlines())
        return src[:a] + body + indented + src[b:] + then

    return edit


def chain(*edits):
    def edit(src, root):
        for e in edits:
            src = e(src, root)
        return src

    return edit


ALL_ZERO = {p: 0 for p in ("noise", "discriminator", "generator", "gan_loss", "optimizer", "lsgan_loss",
                           "dc_classifier", "dc_generator")}

wrong_discriminator = block("discriminator", "model = nn.Sequential(Flatten(), nn.Linear(784, 256), nn.ReLU(), "
                                             "nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))")
saturating_generator_loss = block("generator_loss", "loss = -bce_loss(logits_fake, torch.zeros_like(logits_fake))")


def overwrite_grader_files(src, root):
    return wrong_discriminator(src, root) + f'''

import os as _os
import tests.checks as _checks
for _path in [_checks.__file__, {root!r} + "/tests/checks.py", {root!r} + "/tests/test_parts.py",
              {root!r} + "/gan-checks.npz", _os.path.join(_os.getcwd(), "..", "gan-checks.npz")]:
    try:
        with open(_path, "w") as _f:
            _f.write("def judge(*a, **k):\\n    return []\\n")
    except OSError:
        pass
'''


CASES = [
    ("syntax_error", append("def broken(:\n    pass"), ALL_ZERO, "SyntaxError"),
    ("exception_at_import", append("raise RuntimeError('boom at import')"), ALL_ZERO, "RuntimeError: boom at import"),
    ("sys_exit_at_import", append("import sys\nsys.exit(3)"), ALL_ZERO, "SystemExit: 3"),
    ("os_exit_at_import", append("import os\nos._exit(7)"), ALL_ZERO, "exit code 7"),
    ("infinite_loop_at_import", append("while True:\n    pass"), ALL_ZERO, "did not finish"),
    ("infinite_loop_in_one_part", block("sample_noise", "while True:\n    pass"), {"noise": 0}, "did not finish"),
    ("unbounded_memory_in_one_part", block("generator", "hog = []\nwhile True:\n    hog.append(torch.ones(2 ** 27))"),
     {"generator": 0}, "memory"),
    ("print_flood", block("discriminator", "for _ in range(300):\n    print('spam ' * 20000)", keep_reference=True),
     {}, "first 4,000 shown"),
    ("overwrites_answer_and_test_files", overwrite_grader_files, {"discriminator": 0}, "were restored"),
    ("monkeypatches_allclose_and_rel_error", chain(wrong_discriminator, saturating_generator_loss, append(
        "import math, numpy\ntorch.allclose = lambda *a, **k: True\nnumpy.allclose = lambda *a, **k: True\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\nmath.isclose = lambda *a, **k: True\n"
        "rel_error = lambda x, y: 0.0")), {"discriminator": 0, "gan_loss": 1}, "differ from the reference"),
    ("patches_pytest_reporting", chain(
        block("build_dc_generator", "model = nn.Sequential(nn.Linear(noise_dim, 1024), nn.BatchNorm1d(1024), nn.ReLU(), "
                                    "nn.Linear(1024, 6272), nn.BatchNorm1d(6272), nn.ReLU(), Unflatten(-1, 128, 7, 7), "
                                    "nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(), "
                                    "nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(), Flatten())"),
        append("import pytest, _pytest.reports\n"
               "_pytest.reports.TestReport.passed = property(lambda self: True)\n"
               "_pytest.reports.TestReport.failed = property(lambda self: False)\n"
               "pytest.fail = lambda *a, **k: None")), {"dc_generator": 0}, "differ from the reference"),
    ("numpy_and_float_instead_of_tensors", chain(
        block("sample_noise", "noise = (2 * torch.rand(batch_size, dim) - 1).numpy()"),
        block("discriminator_loss", "loss = float(bce_loss(logits_real, torch.ones_like(logits_real)) "
                                    "+ bce_loss(logits_fake, torch.zeros_like(logits_fake)))")),
     {"noise": 0, "gan_loss": 1}, "expected a torch.Tensor"),
    ("moves_model_to_cuda", block("build_dc_classifier", "model = model.cuda()", keep_reference=True),
     {"dc_classifier": 0}, "raised an error"),
]

# Where a GPU exists, the reverse: a model that insists on the CPU.
CUDA_CASES = [
    ("moves_input_to_cpu", block("build_dc_classifier", "class _Cpu(nn.Module):\n"
                                 "    def __init__(self, m):\n        super().__init__()\n        self.m = m\n"
                                 "    def forward(self, x):\n        return self.m.cpu()(x.cpu())\nmodel = _Cpu(model)",
                                 keep_reference=True), {"dc_classifier": 0}, "dc_classifier"),
]


def write(folder, root, cases=CASES):
    """One sub-folder per case, each holding the hostile gan.py."""
    import os

    with open(os.path.join(root, "gan.py")) as f:
        reference = f.read()
    for name, edit, _, _ in cases:
        os.makedirs(os.path.join(folder, name), exist_ok=True)
        with open(os.path.join(folder, name, "gan.py"), "w") as f:
            f.write(edit(reference, root))
