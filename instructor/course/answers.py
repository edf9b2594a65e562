"""Build the autograder's answer files from the reference solution.

Two files, made by the same code from different seeds:

- gan-checks.npz (public, shipped to students): the inputs and expected values of
  the notebook's check cells and of `python -m pytest tests`;
- instructor/grader/gan-checks-private.npz (the grader's, never shipped to students): other
  inputs, and other fixed weights (its own weight salt), so a table of outputs
  memorised from the public file matches nothing the grader asks.

Every expected value is computed here by the reference gan.py from inputs drawn
with fixed seeds, and stored next to those inputs. The zips are written with
fixed timestamps so that a rerun on the same machine gives the same bytes.
"""
import copy
import io
import json
import os
import zipfile

import numpy as np
import torch

from autograder import trained
from autograder.answers import load_answers
from autograder.answers import SAMPLES
from autograder.produce.models import ROWS, run_traced
from autograder.produce.optimizer import adam_steps, optimizer_model, optimizer_settings
from autograder.produce.weights import set_check_weights
from instructor import ROOT
from instructor.grader import score

PUBLIC = os.path.join(ROOT, "gan-checks.npz")
PRIVATE = score.ANSWERS
# (seed of the inputs, salt of the fixed weights) of each file.
PUBLIC_SEEDS = (231, "public:")
PRIVATE_SEEDS = (48271, "private-7f3a9c:")

N_LOGITS = 64  # rows of logits_real / logits_fake, as in the course file
N_BIG = 8  # rows of the large logits (|x| from 30 to 160): a naive exp overflows, a naive log of a sigmoid too
N_IMAGES = 16  # images (or noise vectors) per forward check
OPTIM_STEPS = 4  # optimizer steps on fixed gradients


def _float32_exact(x):
    """float64 values that float32 represents exactly, so a float32 student loss
    sees the very inputs the float64 reference saw."""
    return x.astype(np.float32).astype(np.float64)


def _losses(d_fn, g_fn, real, fake, suffix, prefix=""):
    """Reference loss values and input gradients, in float64."""
    r = torch.tensor(real, dtype=torch.float64, requires_grad=True)
    f = torch.tensor(fake, dtype=torch.float64, requires_grad=True)
    d = d_fn(r, f)
    d.backward()
    f2 = torch.tensor(fake, dtype=torch.float64, requires_grad=True)
    g = g_fn(f2)
    g.backward()
    return {
        f"{prefix}d_{suffix}": np.float64(d.item()),
        f"{prefix}g_{suffix}": np.float64(g.item()),
        f"{prefix}d_{suffix}_grad_real": r.grad.numpy(),
        f"{prefix}d_{suffix}_grad_fake": f.grad.numpy(),
        f"{prefix}g_{suffix}_grad_fake": f2.grad.numpy(),
    }


def _probes(d_fn, g_fn, real, fake, other_real, other_fake, suffix):
    """The reference's values on the inputs the checks vary to tell where a wrong loss differs:
    the discriminator's with each input changed alone, with the two exchanged and with each batch
    repeated twice; the generator's with its input changed and repeated (in that order)."""
    t = lambda x: torch.tensor(x, dtype=torch.float64)  # noqa: E731
    twice = lambda x: np.concatenate([x, x])  # noqa: E731
    with torch.no_grad():
        d = [d_fn(t(a), t(b)).item() for a, b in ((other_real, fake), (real, other_fake), (fake, real),
                                                   (twice(real), twice(fake)))]
        g = [g_fn(t(x)).item() for x in (other_fake, twice(fake))]
    return {f"d_{suffix}_probes": np.array(d), f"g_{suffix}_probes": np.array(g)}


def _forward(model, inputs, salt):
    """Reference output in float64, with the grader's fixed weights, in training mode
    (BatchNorm uses batch statistics, as in the course)."""
    model = set_check_weights(model, salt).double().train()
    with torch.no_grad():
        return model(torch.tensor(inputs, dtype=torch.float64)).numpy()


def _layers(model, inputs, salt):
    """The layers the reference's model runs on the check's input, in order, as the checks
    describe a student's (autograder.produce.models.run_traced): a JSON string, which the
    messages hold a student's model against layer by layer; and the values each layer got and
    gave at the trace's sample positions, from the model in float64: (L, 2, ROWS, SAMPLES)
    float32, NaN where a row has fewer."""
    def traced(model, dtype):
        _, layers, failure = run_traced(model, torch.tensor(inputs, dtype=dtype))
        assert failure is None, failure
        return layers

    layers = traced(set_check_weights(model, salt).train(), torch.float32)
    exact = traced(copy.deepcopy(model).double(), torch.float64)
    samples = np.full((len(layers), 2, ROWS, SAMPLES), np.nan, dtype=np.float32)
    for i, layer in enumerate(exact):
        for j, key in enumerate(("in_sample", "out_sample")):
            if key in layer:
                rows = layer[key]
                samples[i, j, :rows.shape[0], :rows.shape[1]] = rows
    for layer in layers:
        layer.pop("in_sample", None), layer.pop("out_sample", None)
    return np.array(json.dumps(layers)), samples


def _architecture(gan, noise):
    """The reference DC generator's layers as it runs them (its trace), which the grader builds its
    own generator from (autograder.trained.generator); checked here: with the reference's
    weights, the grader's copy gives the reference's outputs."""
    torch.manual_seed(0)
    reference = gan.build_dc_generator(gan.NOISE_DIM).train()
    _, layers, failure = run_traced(reference, torch.tensor(noise, dtype=torch.float32))
    assert failure is None, failure
    record = np.array(json.dumps([{k: v for k, v in layer.items() if not k.endswith("_sample")} for layer in layers]))
    copy = trained.fit(reference.state_dict(), trained.generator({trained.ARCHITECTURE: record}))
    with torch.no_grad():
        x = torch.tensor(noise, dtype=torch.float32)
        assert torch.equal(copy(x), reference(x).reshape(len(x), -1)), "the grader's generator is not the reference's"
    return record


def build(gan, seeds=PUBLIC_SEEDS):
    """All arrays of one answer file, computed with the reference module `gan`."""
    seed, salt = seeds
    rng = np.random.default_rng(seed)
    a = {"weight_salt": np.array(salt), "noise_dim": np.int64(gan.NOISE_DIM)}
    # Losses: the course's keys, then logits large enough to overflow a naive exp.
    a["logits_real"] = _float32_exact(rng.normal(1.0, 2.0, size=(N_LOGITS, 1)))
    a["logits_fake"] = _float32_exact(rng.normal(-1.0, 2.0, size=(N_LOGITS, 1)))
    big = lambda: _float32_exact(rng.choice([-1.0, 1.0], size=(N_BIG, 1)) * rng.uniform(30, 160, size=(N_BIG, 1)))
    a["big_logits_real"] = big()
    a["big_logits_fake"] = big()
    for prefix in ("", "big_"):
        real, fake = a[prefix + "logits_real"], a[prefix + "logits_fake"]
        a.update(_losses(gan.discriminator_loss, gan.generator_loss, real, fake, "loss_true", prefix))
        a.update(_losses(gan.ls_discriminator_loss, gan.ls_generator_loss, real, fake, "loss_lsgan_true", prefix))
    # Other logits of the same kind, which the checks change one input to (hints.losses.measured)
    a["other_logits_real"] = _float32_exact(rng.normal(1.0, 2.0, size=(N_LOGITS, 1)))
    a["other_logits_fake"] = _float32_exact(rng.normal(-1.0, 2.0, size=(N_LOGITS, 1)))
    for d_fn, g_fn, suffix in ((gan.discriminator_loss, gan.generator_loss, "loss_true"),
                               (gan.ls_discriminator_loss, gan.ls_generator_loss, "loss_lsgan_true")):
        a.update(_probes(d_fn, g_fn, a["logits_real"], a["logits_fake"], a["other_logits_real"],
                         a["other_logits_fake"], suffix))

    # Models: parameter counts for the sizes the course fixes, forward outputs with fixed weights.
    images = lambda: _float32_exact(rng.uniform(-1, 1, size=(N_IMAGES, 1, 28, 28)))
    noise = lambda: _float32_exact(rng.uniform(-1, 1, size=(N_IMAGES, gan.NOISE_DIM)))
    a["d_params_true"] = np.int64(gan.count_params(gan.discriminator()))
    a["g_params_true"] = np.int64(gan.count_params(gan.generator(4)))
    a["dc_d_params_true"] = np.int64(gan.count_params(gan.build_dc_classifier(N_IMAGES)))
    a["dc_g_params_true"] = np.int64(gan.count_params(gan.build_dc_generator(4)))
    # the trained DCGAN: the generator the notebook trains, its parameters counted (the texts quote them),
    # its layers as it runs them (the grader builds its own copy from them) and the seed of the noise
    # the grader samples it with (the private file's is the grader's own)
    a["trained_params_true"] = np.int64(gan.count_params(gan.build_dc_generator(gan.NOISE_DIM)))
    a[trained.SEED] = np.int64(seed)
    a["d_input"] = images()
    a["d_output_true"] = _forward(gan.discriminator(), a["d_input"], salt)
    a["d_layers_true"], a["d_samples_true"] = _layers(gan.discriminator(), a["d_input"], salt)
    a["g_input"] = noise()
    a["g_output_true"] = _forward(gan.generator(gan.NOISE_DIM), a["g_input"], salt)
    a["g_layers_true"], a["g_samples_true"] = _layers(gan.generator(gan.NOISE_DIM), a["g_input"], salt)
    a["dc_d_input"] = images()
    a["dc_d_output_true"] = _forward(gan.build_dc_classifier(N_IMAGES), a["dc_d_input"], salt)
    a["dc_d_layers_true"], a["dc_d_samples_true"] = _layers(gan.build_dc_classifier(N_IMAGES), a["dc_d_input"],
                                                            salt)
    a["dc_g_input"] = noise()
    a["dc_g_output_true"] = _forward(gan.build_dc_generator(gan.NOISE_DIM), a["dc_g_input"], salt)
    a["dc_g_layers_true"], a["dc_g_samples_true"] = _layers(gan.build_dc_generator(gan.NOISE_DIM), a["dc_g_input"],
                                                            salt)
    a[trained.ARCHITECTURE] = _architecture(gan, a["dc_g_input"])

    # Optimizer settings of the reference get_optimizer, and the weights of a small model
    # after a few steps on fixed gradients (of shrinking size, where Adam's steps differ
    # most from a sign).
    group = gan.get_optimizer(torch.nn.Linear(2, 1)).param_groups[0]
    a["optim_lr_true"] = np.float64(group["lr"])
    a["optim_betas_true"] = np.array(group["betas"], dtype=np.float64)
    a["optim_weight_decay_true"] = np.float64(group["weight_decay"])
    a["optim_settings_true"] = np.array(json.dumps(optimizer_settings(group)))
    model = set_check_weights(optimizer_model(), salt)
    a["optim_params_start"] = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).double().numpy()
    n = len(a["optim_params_start"])
    a["optim_grads"] = _float32_exact(rng.normal(size=(OPTIM_STEPS, n)) * np.logspace(0, -2, OPTIM_STEPS)[:, None])
    a["optim_params_true"] = adam_steps(model, gan.get_optimizer(model), a["optim_grads"])
    return {k: np.asarray(v) for k, v in sorted(a.items())}


def save(arrays, path):
    """np.savez, but with fixed zip timestamps so the bytes are reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for key, value in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(value), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())


def reference(path=os.path.join(ROOT, "gan.py")):
    """The reference solution at `path`, imported under a name of its own."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("reference_gan", path)
    gan = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gan)
    return gan


def _same(a, b):
    """Two stored arrays agree: the same shape and, for numbers, to 1e-9 (another machine's BLAS
    may sum in another order), else exactly."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
        return False
    return bool(np.allclose(a, b, rtol=1e-9, atol=0, equal_nan=True)) if a.dtype.kind in "fc" else bool(
        np.array_equal(a, b))


def stale(gan_path=os.path.join(ROOT, "gan.py"), files=None):
    """Sentences on each answer file that no longer holds what the reference at gan_path
    computes (recomputed here, a few seconds); [] when every file is current."""
    gan, problems = reference(gan_path), []
    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        for seeds, path in files or ((PUBLIC_SEEDS, PUBLIC), (PRIVATE_SEEDS, PRIVATE)):
            name = os.path.relpath(path, ROOT)
            try:
                stored = load_answers(path)
            except (OSError, ValueError) as err:
                problems.append(f"{name} cannot be read ({type(err).__name__})")
                continue
            fresh = build(gan, seeds)
            differ = sorted(k for k in set(fresh) | set(stored)
                            if k not in stored or k not in fresh or not _same(stored[k], fresh[k]))
            if differ:
                problems.append(f"{name} differs from what the reference computes in {', '.join(differ[:6])}"
                                + (f" and {len(differ) - 6} more" if len(differ) > 6 else ""))
    finally:
        torch.use_deterministic_algorithms(deterministic)
    return problems


def refuse_if_stale(what):
    """Stop a build of `what` (the release, the Gradescope zip) from answer files that no longer
    match the reference: the grader would then mark the reference itself wrong."""
    problems = stale()
    if problems:
        raise SystemExit(f"not building {what}: the answer files do not match gan.py's reference solution ("
                         + "; ".join(problems) + "). Run `python -m instructor answers` (or `python -m instructor "
                         "term`, which also rebuilds everything that follows from them), then build again.")


def main(args):
    gan = reference(args.gan)
    torch.use_deterministic_algorithms(True)
    for seeds, path in ((PUBLIC_SEEDS, args.out), (PRIVATE_SEEDS, args.private_out)):
        arrays = build(gan, seeds)
        save(arrays, path)
        print(f"wrote {len(arrays)} arrays to {path}")
