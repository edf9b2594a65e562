"""What a student reads: one typical mistake, the sentence it must produce.

Each case swaps one function of the reference solution for a mistake students make
and runs the part's checks as every grading path does (produce, then judge). The
messages must say what was measured and what to change in that function, name only
causes the model can have, and report one cause once.
"""
import os

import numpy as np
import pytest
import torch
import torch.nn as nn

import gan as ref
from autograder.answers import load_answers, reference_layers
from autograder.hints import losses as loss_hints
from autograder.hints.layers import layer_difference, layer_hint
from autograder.judge import judge
from autograder.measures import course_rel_error
from autograder.produce import produce
from autograder.produce.student import ERROR_TEXT, student_error
from instructor import ROOT
from instructor.tests.test_autograder_fairness import module_with
from instructor.tests.variants import conv, edited, of, swapped


@pytest.fixture(scope="module")
def answers():
    return load_answers(os.path.join(ROOT, "gan-checks.npz"))


def results(part, replacements, answers):
    return judge(part, produce(part, module_with(replacements), "cpu", answers), answers)


# -- the mistakes -----------------------------------------------------------------

def generator_by_weights(noise_dim=96):
    """The layers registered, and the forward pass written with their weights: the middle one
    applied without its transpose (square, so no shape error shows it)."""
    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2, self.fc3 = nn.Linear(noise_dim, 1024), nn.Linear(1024, 1024), nn.Linear(1024, 784)

        def forward(self, z):
            x = torch.relu(z @ self.fc1.weight.t() + self.fc1.bias)
            x = torch.relu(x @ self.fc2.weight + self.fc2.bias)
            return torch.tanh(x @ self.fc3.weight.t() + self.fc3.bias)

    return Generator()


def seeded(draw):
    def sample_noise(batch_size, dim, seed=None):
        if seed is not None:
            torch.manual_seed(seed)
        return draw(batch_size, dim)

    return sample_noise


def dc_generator(eps=1e-5, flatten=True):
    def edit(layers):
        for m in layers:
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.eps = eps
        return layers if flatten else [m for m in layers if not isinstance(m, ref.Flatten)]

    return edited("build_dc_generator", ref.build_dc_generator, edit)


dc_classifier_relu = edited("build_dc_classifier", ref.build_dc_classifier, swapped(nn.LeakyReLU, lambda m: nn.ReLU()))


def generator_with_the_constant(noise_dim=ref.NOISE_DIM, seed=None):
    return ref.generator(ref.NOISE_DIM, seed)


generator_without_tanh = edited("generator", ref.generator, lambda layers: [m for m in layers if type(m) is not nn.Tanh])


def ls_discriminator_loss_no_half(scores_real, scores_fake):
    return ((scores_real - 1) ** 2).mean() + (scores_fake ** 2).mean()


def ls_generator_loss_no_half(scores_fake):
    return ((scores_fake - 1) ** 2).mean()


def adam_that_never_steps(model):
    """The assignment's Adam, its step() replaced on the instance: it reports the right settings."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.999))
    optimizer.step = lambda closure=None: None
    return optimizer


def optimizer_default_betas(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3)


def cuda_labels_loss(logits_real, logits_fake):  # the course's old `dtype = torch.cuda.FloatTensor`
    dtype = torch.cuda.FloatTensor
    ones, zeros = torch.ones(logits_real.shape).type(dtype), torch.zeros(logits_fake.shape).type(dtype)
    return ref.bce_loss(logits_real, ones) + ref.bce_loss(logits_fake, zeros)


FIRST_BN1D = of(nn.BatchNorm1d, ref.build_dc_generator())[0].num_features  # the reference's, as the messages quote it

# (case id, part, replacements, sentences the student must see, words they must not see)
CASES = [
    ("noise shifted but not stretched", "noise",
     {"sample_noise": seeded(lambda b, d: torch.rand(b, d) - 0.5)},
     ["span only [-0.500, 0.500]", "stretch torch.rand's [0, 1) by 2"], ["torch.randn", "normal"]),
    ("noise stretched and shifted wrongly", "noise",
     {"sample_noise": seeded(lambda b, d: 2 * torch.rand(b, d) - 0.5)},
     ["values must lie in [-1, 1)", "Values reach [-0.500, 1.500], outside [-1, 1)"], ["torch.randn"]),
    ("noise from numpy", "noise",
     {"sample_noise": seeded(lambda b, d: torch.from_numpy(np.random.uniform(-1, 1, (b, d))).float())},
     ["the function draws nothing from it", "not with numpy's"], ["keep the provided"]),
    ("one noise vector for the whole batch", "noise",
     {"sample_noise": seeded(lambda b, d: (2 * torch.rand(1, d) - 1).repeat(b, 1))},
     ["only 1 differ", "not one vector repeated for the whole batch"], ["centred", "stretch"]),
    ("one noise value per row", "noise",
     {"sample_noise": seeded(lambda b, d: (2 * torch.rand(b, 1) - 1).expand(b, d))},
     ["only 1 differ", "not one value per row"], ["centred", "stretch"]),
    ("DC classifier with ReLU", "dc_classifier", {"build_dc_classifier": dc_classifier_relu},
     ["yours runs ReLU()"], ["BatchNorm", "eps"]),
    ("DC generator with BatchNorm eps 1e-3", "dc_generator", {"build_dc_generator": dc_generator(eps=1e-3)},
     [f"The first BatchNorm1d is BatchNorm1d({FIRST_BN1D}, eps=0.001), where the architecture has "
      f"BatchNorm1d({FIRST_BN1D}) (yours has eps=0.001, the architecture's eps=1e-05)"], ["layer order"]),
    ("DC generator with BatchNorm eps 1e-4", "dc_generator", {"build_dc_generator": dc_generator(eps=1e-4)},
     [f"BatchNorm1d({FIRST_BN1D}, eps=0.0001)"], []),
    ("DC generator with BatchNorm eps 1e-6", "dc_generator", {"build_dc_generator": dc_generator(eps=1e-6)},
     [f"BatchNorm1d({FIRST_BN1D}, eps=1e-06)"], []),
    ("generator sized by NOISE_DIM", "generator", {"generator": generator_with_the_constant},
     ["its input size must be the noise_dim argument, not the constant NOISE_DIM"], ["too wide"]),
    ("LSGAN loss without the halves", "lsgan_loss",
     {"ls_discriminator_loss": ls_discriminator_loss_no_half, "ls_generator_loss": ls_generator_loss_no_half},
     ["ls_discriminator_loss(scores_real, scores_fake)", "ls_generator_loss(scores_fake)"], ["logits"]),
    ("Adam with the default betas", "optimizer", {"get_optimizer": optimizer_default_betas},
     ["betas=(0.9, 0.999) where the assignment's is betas=(0.5, 0.999)"], ["np.float64", "reports Adam's settings"]),
    ("noise that seeds torch again", "noise", {"sample_noise": seeded(lambda b, d: torch.seed() and 2 * torch.rand(b, d) - 1)},
     ["seeds it again after the provided torch.manual_seed(seed) line"], ["numpy"]),
    ("Adam whose step() does nothing", "optimizer", {"get_optimizer": adam_that_never_steps},
     ["though it reports Adam's settings: its step() computes something else"], ["settings differ"]),
    ("a learning rate given as a tensor", "optimizer",
     {"get_optimizer": lambda m: torch.optim.Adam(m.parameters(), lr=torch.tensor(1e-3), betas=(0.5, 0.999))},
     ["(a tensor of dtype float32) where the assignment's is lr=0.001"], []),
    ("fake logits detached in the discriminator's loss", "gan_loss",
     {"discriminator_loss": lambda r, f: bce(r, 1) + bce(f.detach(), 0)},
     ["no gradient reached logits_fake, though logits_real got one"], ["no gradient reached the logits"]),
    ("a generator whose forward uses its layers' weights", "generator", {"generator": generator_by_weights},
     ["its forward pass never calls them"], ["Check the layer order"]),
]


@pytest.mark.parametrize("part,replacements,said,unsaid", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_mistake_gets_the_sentence_that_fits_it(part, replacements, said, unsaid, answers):
    messages = " | ".join(message for _, ok, message in results(part, replacements, answers) if not ok)
    assert messages, "the mistake passed every check"
    for sentence in said:
        assert sentence in messages
    for word in unsaid:
        assert word not in messages


def test_a_generator_without_tanh_fails_and_no_check_claims_its_range(answers):
    found = results("generator", {"generator": generator_without_tanh}, answers)
    assert not all(ok for _, ok, _ in found)
    assert not any("[-1, 1]" in message for _, ok, message in found if ok)  # nothing measured that


def test_an_unflattened_dc_generator_gets_one_message_for_its_one_cause(answers):
    found = [(name, message) for name, ok, message in
             results("dc_generator", {"build_dc_generator": dc_generator(flatten=False)}, answers) if not ok]
    first = found[0][1]
    assert "expected shape (16, 784), got (16, 1, 28, 28). Flatten the images to (N, 784)" in first
    assert [m for _, m in found[1:]] == [f"not checked: the same failure as {found[0][0]} above"] * (len(found) - 1)


needs_no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason="the message is for a grader without CUDA")


@needs_no_gpu
def test_cuda_in_sample_noise_is_reported_once_with_advice_for_that_function(answers):
    noise = seeded(lambda b, d: (2 * torch.rand(b, d) - 1).cuda())
    found = [m for _, ok, m in results("noise", {"sample_noise": noise}, answers) if not ok]
    assert "asked for a CUDA GPU" in found[0] and "make the noise on the CPU" in found[0]
    assert "NVIDIA driver" not in found[0] and "ones_like" not in found[0]
    assert all(m.startswith("not checked: the same failure as noise_shape_and_dtype above") for m in found[1:])


@needs_no_gpu
def test_cuda_labels_in_a_loss_are_reported_once_with_advice_for_losses(answers):
    found = [m for _, ok, m in results("gan_loss", {"discriminator_loss": cuda_labels_loss}, answers) if not ok]
    assert sum("asked for a CUDA GPU" in m for m in found) == 1
    assert "torch.ones_like(logits)" in found[0] and "NVIDIA driver" not in found[0]


def test_the_smoke_test_trains_with_the_provided_loop_whatever_the_file_brings(answers):
    def own_run_a_gan(D, G, D_solver, G_solver, discriminator_loss, generator_loss, loader_train, show_every=250,
                      batch_size=128, noise_size=96, num_epochs=10):
        raise RuntimeError("the file's own copy of the loop ran")

    student = module_with({"run_a_gan": own_run_a_gan})
    produced = produce("training", student, "cpu", answers, provided=ref)
    assert all(ok for _, ok, _ in judge("training", produced, answers))
    own = produce("training", student, "cpu", answers)  # without `provided`: the file's own loop
    assert "the file's own copy of the loop ran" in str(own["vanilla"])


@pytest.mark.slow
def test_an_import_failure_is_said_once_per_pytest_run(tmp_path):
    """The first test says why gan.py does not import; the other 35 point to it."""
    import subprocess
    import sys

    (tmp_path / "gan.py").write_text("import torch\n\ndef sample_noise(:\n    pass\n")
    out = subprocess.run([sys.executable, "-m", "pytest", "tests", "--gan", str(tmp_path / "gan.py"), "-q", "-rN",
                          "-p", "no:cacheprovider", "-k", "cpu"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)  # -rN: no summary lines, whose width depends on the terminal
    assert out.stdout.count("SyntaxError at line 3") == 1, out.stdout[-3000:]
    assert "not run: gan.py does not import (the first failed test says why)" in out.stdout


# -- losses: a wrong value is matched against the known mistakes ----------------------

def sig_bce(x, y):  # what students write with nn.BCELoss
    return nn.BCELoss()(torch.sigmoid(x), torch.full_like(x, y))


def bce(x, y):
    return ref.bce_loss(x, torch.full_like(x, y))


# (function, the student's version, words of the sentence that names it)
LOSS_MISTAKES = [
    ("discriminator_loss", lambda r, f: sig_bce(r, 1) + sig_bce(f, 0), "nn.BCELoss"),
    ("discriminator_loss", lambda r, f: bce(r, 0) + bce(f, 1), "labels swapped"),
    ("discriminator_loss", lambda r, f: bce(r, 0.9) + bce(f, 0), "label smoothing (a real target of 0.9)"),
    ("discriminator_loss", lambda r, f: ref.bce_loss(torch.cat([r, f]), torch.cat([torch.ones_like(r),
                                                                                   torch.zeros_like(f)])),
     "one bce_loss over real and fake"),
    ("discriminator_loss", lambda r, f: (r.clamp(min=0) - r + (1 + (-r.abs()).exp()).log()).sum()
     + (f.clamp(min=0) + (1 + (-f.abs()).exp()).log()).sum(), "sums where the means belong"),
    ("generator_loss", lambda f: -bce(f, 0), "saturating loss of the minimax game"),
    ("generator_loss", lambda f: bce(f, 0), "scored against 0, as the discriminator does"),
    ("generator_loss", lambda f: bce(f, 0.9), "label smoothing"),
    ("ls_discriminator_loss", lambda r, f: ((r - 1) ** 2).mean() + (f ** 2).mean(), "no 1/2"),
    ("ls_discriminator_loss", lambda r, f: 0.5 * ((r - 1) ** 2).mean() + 0.5 * ((f + 1) ** 2).mean(),
     "the paper's other choice"),
    ("ls_discriminator_loss", lambda r, f: 0.5 * torch.mean(r - 1 ** 2) + 0.5 * torch.mean(f ** 2),
     "Python reads as scores_real - (1 ** 2)"),
    ("ls_generator_loss", lambda f: 0.5 * torch.mean(f - 1 ** 2), "Python reads as scores_fake - (1 ** 2)"),
    ("ls_generator_loss", lambda f: 0.5 * (f ** 2).mean(), "the paper's other choice"),
    ("ls_generator_loss", lambda f: 0.5 * ((f - 1) ** 2).sum(), "a sum where the mean belongs"),
]
PART_OF = {"discriminator_loss": "gan_loss", "generator_loss": "gan_loss", "ls_discriminator_loss": "lsgan_loss",
           "ls_generator_loss": "lsgan_loss"}


@pytest.mark.parametrize("function,wrong,named", LOSS_MISTAKES, ids=[f"{f}: {n}" for f, _, n in LOSS_MISTAKES])
@pytest.mark.parametrize("answer_file", ["public", "private"])
def test_a_known_wrong_loss_is_named(function, wrong, named, answer_file, answers):
    ans = answers if answer_file == "public" else load_answers(
        os.path.join(ROOT, "instructor", "grader", "gan-checks-private.npz"))
    failed = [m for name, ok, m in results(PART_OF[function], {function: wrong}, ans)
              if not ok and name.startswith(function)]
    assert "That is the value of" in failed[0] and named in failed[0], failed[0]
    assert all(m.startswith("not checked: the same failure as") for m in failed[1:]), failed  # one cause, said once


def test_a_correct_loss_written_otherwise_is_never_told_of_a_mistake(answers):
    """Losses that are right (BCEWithLogitsLoss, the LSGAN halves written as a division) pass, so no
    mistake is named; and no two known mistakes give the same value on the checks' inputs."""
    bce_logits = nn.BCEWithLogitsLoss()
    variants = {"discriminator_loss": lambda r, f: bce_logits(r, torch.ones_like(r)) + bce_logits(f, torch.zeros_like(f)),
                "generator_loss": lambda f: bce_logits(f, torch.ones_like(f)),
                "ls_discriminator_loss": lambda r, f: ((r - 1) ** 2).mean() / 2 + f.pow(2).mean() / 2,
                "ls_generator_loss": lambda f: torch.mean((f - 1) ** 2) / 2}
    for part in ("gan_loss", "lsgan_loss"):
        assert all(ok for _, ok, _ in results(part, variants, answers))
    for function, mistakes in loss_hints.LOSS_MISTAKES.items():
        for prefix in ("", "big_"):
            inputs = [answers[f"{prefix}logits_{w}"].astype(np.float64) for w in ("real", "fake")]
            values = [float(formula(*inputs[-formula.__code__.co_argcount:])) for _, _, formula in mistakes]
            for i, a in enumerate(values):
                for b in values[i + 1:]:
                    assert course_rel_error(a, b) > loss_hints.MISTAKE_MATCH, (function, prefix, values)


def test_a_loss_that_is_not_a_scalar_is_told_so_by_every_check(answers):
    found = [m for name, ok, m in results("gan_loss", {"generator_loss": lambda f: ref.bce_loss(f, torch.ones_like(f))
                                                        * torch.ones(f.shape[0])}, answers)
             if not ok and name.startswith("generator_loss")]
    assert "expected a scalar tensor (shape ()), got shape (64,)" in found[0], found
    elsewhere = [m for m in found[1:] if "fails where its inputs are not on the CPU" in m]  # torch.ones(N): a CPU tensor
    assert len(elsewhere) == 1, found
    assert all(m.startswith("not checked: the same failure as generator_loss_value") for m in found[1:]
               if m not in elsewhere), found


# -- models: held against the reference layer by layer -----------------------------------

def dc_classifier(pool_stride=2, conv_stride=1, pool=True):
    def edit(layers):
        return [conv(m, stride=conv_stride) if type(m) is nn.Conv2d else nn.MaxPool2d(m.kernel_size, pool_stride)
                if type(m) is nn.MaxPool2d else m for m in layers if pool or type(m) is not nn.MaxPool2d]

    return edited("build_dc_classifier", ref.build_dc_classifier, edit)


def dc_generator_with(first=None, last=None, bn2=nn.BatchNorm2d, second_bn1d=True):
    """The reference's DC generator with its transposed convolutions set otherwise ({setting: value}),
    its BatchNorm2d of another kind, or the BatchNorm1d after its second Linear left out."""
    def edit(layers):
        deconvs, norms = of(nn.ConvTranspose2d, layers), of(nn.BatchNorm1d, layers)
        settings = {id(deconvs[0]): first or {}, id(deconvs[-1]): last or {}}
        return [conv(m, **settings[id(m)]) if id(m) in settings else bn2(m.num_features)
                if type(m) is nn.BatchNorm2d else m for m in layers if second_bn1d or m is not norms[1]]

    return edited("build_dc_generator", ref.build_dc_generator, edit)


discriminator_leaky_at_the_end = edited("discriminator", ref.discriminator,
                                        lambda layers: layers + [nn.LeakyReLU(0.01)])


def generator_rescaled(noise_dim=ref.NOISE_DIM, seed=None):
    class Rescaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = ref.generator(noise_dim)

        def forward(self, z):
            return (self.net(z) + 1) / 2

    return Rescaled()


def ran(model, x):
    """[(layer, the shape it got, the shape it gave or None)] of every layer module the model ran on
    x, in order, up to the one that raised if one did: the shapes the messages quote."""
    seen = []
    leaves = [m for m in model.modules() if not list(m.children())]
    hooks = [m.register_forward_pre_hook(lambda m, args: seen.append([m, tuple(args[0].shape), None]))
             for m in leaves] + [m.register_forward_hook(lambda m, args, out: seen[-1].__setitem__(2, tuple(out.shape)))
                                 for m in leaves]
    try:
        model(x)
    except RuntimeError:
        pass
    finally:
        for hook in hooks:
            hook.remove()
    return seen


def ran_of(kind, model, x):
    """ran()'s entries for the layers of type `kind`."""
    return [entry for entry in ran(model, x) if type(entry[0]) is kind]


# What the DC models' messages quote, from the reference and the mistakes themselves, on the checks'
# batch of 16 (images for the classifier, noise for the generator); never today's sizes typed again.
IMAGES, NOISE = torch.zeros(16, 1, 28, 28), torch.zeros(16, ref.NOISE_DIM)
DC_D, DC_G = ref.build_dc_classifier(16), ref.build_dc_generator()
SECOND_BN1D = of(nn.BatchNorm1d, DC_G)[1].num_features  # 7 * 7 * 128
FIRST_DECONV = of(nn.ConvTranspose2d, DC_G)[0]
FIRST_DECONV_OUT = FIRST_DECONV.out_channels  # 64
SMALLER_KERNEL = FIRST_DECONV.kernel_size[0] - 1  # a kernel other than the reference's
POOLED_BY_1 = dc_classifier(pool_stride=1)(16)
STRIDED = of(nn.Conv2d, dc_classifier(conv_stride=2, pool=False)(16))[0]
PADDED_OUT = dc_generator_with(last={"output_padding": 1})()

# (case, part, replacements, sentences the first message of the part must hold)
MODEL_MISTAKES = [
    ("max-pooling with stride 1", "dc_classifier", {"build_dc_classifier": dc_classifier(pool_stride=1)},
     ["it raised in layer", f"Linear(in_features={of(nn.Linear, DC_D)[0].in_features}",
      f"which got an input of shape {ran_of(nn.Linear, POOLED_BY_1, IMAGES)[0][1]}",
      f"The second Conv2d gets an input of shape {ran_of(nn.Conv2d, POOLED_BY_1, IMAGES)[1][1]}, where the "
      f"architecture's gets {ran_of(nn.Conv2d, DC_D, IMAGES)[1][1]}",
      "MaxPool2d(kernel_size=2, stride=1"]),
    ("strided convolutions in place of max-pooling", "dc_classifier",
     {"build_dc_classifier": dc_classifier(conv_stride=2, pool=False)},
     [f"The first Conv2d is {STRIDED!r}",
      f"yours has stride={STRIDED.stride}, the architecture's stride={of(nn.Conv2d, DC_D)[0].stride}"]),
    ("BatchNorm1d after a transposed convolution", "dc_generator",
     {"build_dc_generator": dc_generator_with(bn2=nn.BatchNorm1d)},
     [f"BatchNorm1d({FIRST_DECONV_OUT}", f"which got an input of shape {ran_of(nn.BatchNorm2d, DC_G, NOISE)[0][1]}",
      f"After the first ConvTranspose2d, the architecture has BatchNorm2d({FIRST_DECONV_OUT}); your model has "
      f"BatchNorm1d({FIRST_DECONV_OUT})"]),
    ("output_padding=1", "dc_generator", {"build_dc_generator": dc_generator_with(last={"output_padding": 1})},
     [f"expected shape {tuple(DC_G(NOISE).shape)}, got {tuple(PADDED_OUT(NOISE).shape)}",
      "The second ConvTranspose2d is", "yours sets output_padding=(1, 1), which the architecture's leaves at its default",
      f"it gives an output of shape {ran_of(nn.ConvTranspose2d, PADDED_OUT, NOISE)[-1][2]}, where "
      f"{ran_of(nn.ConvTranspose2d, DC_G, NOISE)[-1][2]} is wanted"]),
    (f"no BatchNorm1d({SECOND_BN1D})", "dc_generator", {"build_dc_generator": dc_generator_with(second_bn1d=False)},
     [f"{2 * SECOND_BN1D:,} too few",
      f"After the second Linear, the architecture has BatchNorm1d({SECOND_BN1D}); your model has none"]),
    (f"transposed convolution with kernel {SMALLER_KERNEL}", "dc_generator",
     {"build_dc_generator": dc_generator_with(first={"kernel_size": SMALLER_KERNEL})},
     [f"The first ConvTranspose2d is ConvTranspose2d({FIRST_DECONV.in_channels}, {FIRST_DECONV_OUT}, "
      f"kernel_size=({SMALLER_KERNEL}, {SMALLER_KERNEL})",
      f"yours has kernel_size=({SMALLER_KERNEL}, {SMALLER_KERNEL}), the architecture's "
      f"kernel_size={FIRST_DECONV.kernel_size}"]),
    ("LeakyReLU after the last Linear", "discriminator", {"discriminator": discriminator_leaky_at_the_end},
     ["after the third Linear, the architecture runs nothing; yours runs LeakyReLU(negative_slope=0.01)"]),
    ("Tanh output moved to [0, 1]", "generator", {"generator": generator_rescaled},
     ["moved from [-1, 1] to [0, 1]", "return the final Tanh's output as it is"]),
]


@pytest.mark.parametrize("part,replacements,said", [c[1:] for c in MODEL_MISTAKES], ids=[c[0] for c in MODEL_MISTAKES])
def test_a_wrong_model_is_told_the_first_layer_that_differs(part, replacements, said, answers):
    first = next(m for _, ok, m in results(part, replacements, answers) if not ok)
    for sentence in said:
        assert sentence in first, first


@pytest.mark.parametrize("part", ["discriminator", "generator", "dc_classifier", "dc_generator"])
def test_a_correct_model_written_otherwise_differs_in_no_layer(part, answers):
    """The reference and the variants written as subclasses, with functional activations and
    layers registered in another order: full marks, and nothing for the layer comparison to say."""
    from instructor.tests import variants

    key = {"discriminator": "d", "generator": "g", "dc_classifier": "dc_d", "dc_generator": "dc_g"}[part]
    for module in (ref, module_with(variants.RIGHT[part])):
        produced = produce(part, module, "cpu", answers)
        assert all(ok for _, ok, _ in judge(part, produced, answers))
        reference = reference_layers(answers, key)
        assert layer_difference(produced["layers"], reference) == ""
        assert layer_hint(produced["layers"], reference) == ""


# -- once, whole, where the student looks -------------------------------------------------

def test_an_error_in_the_training_loop_names_the_students_line_not_the_graders_copy(answers):
    """The smoke test runs the assignment's run_a_gan from a copy students never see: an error
    raised through it points at the student's function, called from the provided loop."""
    import types

    with open(os.path.join(ROOT, "gan.py"), encoding="utf-8") as f:
        provided = types.ModuleType("gan_provided")
        exec(compile(f.read(), "provided_gan.py", "exec"), provided.__dict__)

    student = {}  # the student's function, as it runs from their gan.py
    exec(compile("def discriminator_loss(logits_real, logits_fake):\n    raise ValueError('a mistake')\n",
                 os.path.join("somewhere", "gan.py"), "exec"), student)
    produced = produce("training", module_with(student), "cpu", answers, provided=provided)
    said = str(produced["vanilla"])
    assert "(at gan.py:2 in discriminator_loss, called from the provided run_a_gan's d_step)" in said, said
    assert "provided_gan.py" not in said


def test_a_long_error_is_cut_in_its_own_text_so_the_advice_survives():
    try:
        raise RuntimeError("word " * 1000)
    except RuntimeError as err:
        said = student_error(err, "sample_noise")
    assert said.endswith("[...]") and len(said) < ERROR_TEXT + 100


def test_the_text_report_wraps_a_long_first_failure_instead_of_cutting_it():
    import time

    from instructor.grader import render, report

    message = "the first words of a long message " * 8 + "and the fix at its very end."
    parts = [{"part": "noise", "title": "Random noise", "points": 0, "max_points": 1,
              "checks": [("noise_is_uniform", False, message)]}]
    text = render.report_text(report.new("gan.py", "cpu", parts, time.time()))
    assert "and the fix at its very end." in " ".join(text.split())
    assert all(len(line) <= 140 for line in text.splitlines())
