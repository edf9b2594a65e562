"""The speed-ups of accel/: each one trains the same weights as the plain steps, up to float
rounding, and each is used only where it applies."""
import contextlib
import io

import pytest
import torch

import accel
import gan
from autograder.course import FORWARD_TOL
from autograder.measures import scale_error
from instructor.tests.test_training_loop import synthetic_loader


def _run_adam(params, grads, fused):
    """Six Adam steps (the course's settings) on fixed gradients; returns the optimizer."""
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.5, 0.999))
    if fused:
        accel.use_fused_adam(opt)
    for grad in grads:
        for p, g in zip(params, grad):
            p.grad = g.clone()
        opt.step()
    return opt


def test_fused_adam_gives_the_same_updates_up_to_rounding():
    if not accel.fused_adam_works(torch.device("cpu")):
        pytest.skip("this torch has no fused Adam kernel for the CPU")
    gen = torch.Generator().manual_seed(0)
    shapes = [(1024, 96), (1024,), (784, 1024)]
    start = [torch.randn(s, generator=gen) for s in shapes]
    grads = [[torch.randn(s, generator=gen) * 10.0 ** -k for s in shapes] for k in range(6)]  # shrinking
    plain = [p.clone().requires_grad_() for p in start]
    fused = [p.clone().requires_grad_() for p in start]
    assert not _run_adam(plain, grads, fused=False).param_groups[0]["fused"]
    assert _run_adam(fused, grads, fused=True).param_groups[0]["fused"]
    for a, b, s in zip(plain, fused, start):
        assert (a - s).abs().max() > 1e-3  # six steps of about lr each did move them
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)


def test_run_a_gan_switches_only_fresh_plain_adam_to_fused():
    D, G, _, _, d_loss, g_loss = gan.build_gan("vanilla", batch_size=16, seed=0)
    adam = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    sgd = torch.optim.SGD(D.parameters(), lr=1e-3)
    with contextlib.redirect_stdout(io.StringIO()):
        gan.run_a_gan(D, G, sgd, adam, d_loss, g_loss, synthetic_loader(), batch_size=16, num_epochs=1,
                      progress=False)
    assert not sgd.param_groups[0].get("fused")
    if accel.fused_adam_works(torch.device("cpu")):
        assert adam.param_groups[0]["fused"] is True
    kept = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    with contextlib.redirect_stdout(io.StringIO()):
        gan.run_a_gan(D, G, sgd, kept, d_loss, g_loss, synthetic_loader(), batch_size=16, num_epochs=1,
                      progress=False, fast_kernels=False)
    assert not kept.param_groups[0]["fused"]
    stepped = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    stepped.step()  # every parameter has a gradient from the run above
    accel.use_fused_adam(stepped)  # its step counters live on the CPU: must stay unfused
    assert not stepped.param_groups[0]["fused"]


def _train_with_sgd(name, fast_kernels, D=None, batches=2):
    """A few iterations with plain SGD, which keeps float rounding at its own size
    (Adam's first steps turn a rounding-sized gradient into a step of lr either way).
    Returns the trained D and what both models give on a fixed batch."""
    D0, G, _, _, d_loss, g_loss = gan.build_gan(name, batch_size=16, seed=0)
    D = D or D0
    solvers = [torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.5) for m in (D, G)]
    with contextlib.redirect_stdout(io.StringIO()):
        gan.run_a_gan(D, G, *solvers, d_loss, g_loss, synthetic_loader(batches), batch_size=16,
                      num_epochs=1, progress=False, fast_kernels=fast_kernels)
    gen = torch.Generator().manual_seed(1)
    images, noise = torch.rand(16, 1, 28, 28, generator=gen) * 2 - 1, torch.rand(16, gan.NOISE_DIM, generator=gen)
    with torch.no_grad():
        return D, [D(images), G(noise)]


def assert_same_up_to_rounding(fast, plain):
    """Two trainings agree when their models compute the same, to the checks' FORWARD_TOL of the
    outputs' scale. Weight by weight they need not: a rounding-sized difference that moves one
    max-pool's choice or one LeakyReLU's side shows in a few weights as a larger step, and how
    much larger depends on the architecture (a DC classifier with 48 channels where it has 32
    took one weight 2.5e-5 apart in two iterations), which a new term may change."""
    for a, b in zip(fast, plain):
        assert scale_error(a, b) <= FORWARD_TOL, scale_error(a, b)


def test_a_channels_last_discriminator_trains_the_same_weights_up_to_rounding(monkeypatch):
    monkeypatch.setattr(accel, "_ONEDNN_PAYS", [False])  # channels-last alone
    # Two iterations: at the third and fourth, a DCGAN whose noise has 64 entries turned a 1e-7
    # difference into 1.4e-5, then 1.4e-4 (a GAN's two steps amplify any difference), at 96 it stays 6e-8.
    D, fast = _train_with_sgd("dcgan", True)
    conv = [m for m in D.modules() if isinstance(m, torch.nn.Conv2d)][-1]  # the last Conv2d
    assert conv.weight.is_contiguous(memory_format=torch.channels_last) and not conv.weight.is_contiguous()
    _, plain = _train_with_sgd("dcgan", False)
    assert_same_up_to_rounding(fast, plain)


def test_a_discriminator_that_needs_the_usual_layout_keeps_it():
    class ViewFlatten(torch.nn.Module):  # the course's old Flatten: .view needs contiguous input
        def forward(self, x):
            return x.view(x.shape[0], -1)

    torch.manual_seed(0)
    D = gan.build_dc_classifier(16)
    D[7] = ViewFlatten()
    D, _ = _train_with_sgd("dcgan", True, D)
    conv = [m for m in D.modules() if isinstance(m, torch.nn.Conv2d)][-1]
    assert conv.weight.is_contiguous() and D.training


# -- linear layers through oneDNN ------------------------------------------------------

needs_onednn = pytest.mark.skipif(not hasattr(torch.ops.mkldnn, "_linear_pointwise"),
                                  reason="this torch has no oneDNN linear")


@needs_onednn
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("needs_grad", [(True, True, True), (False, True, True), (True, False, False)],
                         ids=["all", "weights only (noise in)", "input only (frozen D)"])
def test_onednn_linear_gives_f_linear_values_and_gradients(bias, needs_grad):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(40, 16, generator=gen).t()  # (16, 40), not contiguous: as after a transpose
    w, b = torch.randn(30, 40, generator=gen), torch.randn(30, generator=gen) if bias else None
    results = []
    for onednn in (True, False):
        tensors = [t.detach().clone().requires_grad_(g) if t is not None else None
                   for t, g in zip((x, w, b), needs_grad)]
        with accel.OneDNNLinearMode() if onednn else contextlib.nullcontext():
            y = torch.nn.functional.linear(*tensors)
        assert (type(y.grad_fn).__name__ == "OneDNNLinearBackward") == onednn
        (y.tanh() * torch.arange(30.0)).sum().backward()
        results.append([y.detach()] + [t.grad for t in tensors if t is not None])
    for a, b_ in zip(*results):
        if a is None or b_ is None:
            assert a is None and b_ is None
        else:
            torch.testing.assert_close(a, b_, rtol=1e-5, atol=1e-5)


@needs_onednn
def test_onednn_linear_allows_a_second_derivative():
    """A gradient penalty (WGAN-GP, say) differentiates a gradient: create_graph=True."""
    grads = []
    for onednn in (True, False):
        torch.manual_seed(0)
        x, layer = torch.randn(8, 5, requires_grad=True), torch.nn.Linear(5, 3)
        with accel.OneDNNLinearMode() if onednn else contextlib.nullcontext():
            (grad_x,) = torch.autograd.grad(layer(x).tanh().sum(), x, create_graph=True)
            grad_x.square().sum().backward()
        grads.append(layer.weight.grad)
    torch.testing.assert_close(*grads)


def test_onednn_linear_mode_leaves_other_linears_alone():
    layer = torch.nn.Linear(5, 3)
    batched, doubled = torch.randn(2, 4, 5), torch.randn(4, 5, dtype=torch.float64)
    with accel.OneDNNLinearMode():
        outputs = [layer(batched), layer.double()(doubled)]  # not a matrix; not float32
    assert all(y.grad_fn is not None and "OneDNN" not in type(y.grad_fn).__name__ for y in outputs)
    torch.testing.assert_close(outputs[1], layer(doubled))


def test_onednn_linear_mode_falls_back_where_onednn_refuses(monkeypatch):
    def refuse(*args):
        raise RuntimeError("could not create a primitive")

    monkeypatch.setattr(accel, "onednn_mm", refuse)
    layer, x = torch.nn.Linear(5, 3), torch.randn(4, 5)
    with accel.OneDNNLinearMode():
        y = layer(x)
    assert "OneDNN" not in type(y.grad_fn).__name__
    torch.testing.assert_close(y, x @ layer.weight.t() + layer.bias)


@needs_onednn
@pytest.mark.parametrize("name", gan.GANS)
def test_onednn_linears_train_the_same_weights_up_to_rounding(name, monkeypatch):
    monkeypatch.setattr(accel, "_ONEDNN_PAYS", [True])  # whatever this machine's timing says
    products = []
    onednn_mm = accel.onednn_mm
    monkeypatch.setattr(accel, "onednn_mm", lambda *args: products.append(1) or onednn_mm(*args))
    _, fast = _train_with_sgd(name, True)
    assert len(products) >= 2 * 9  # 2 iterations; D and G's linear layers, forward and backward
    _, plain = _train_with_sgd(name, False)
    assert_same_up_to_rounding(fast, plain)


def test_onednn_linears_are_used_only_where_they_pay(monkeypatch):
    def step():
        return "stepped"

    monkeypatch.setattr(accel, "_ONEDNN_PAYS", [False])
    assert accel.onednn_linears(step) is step
    monkeypatch.setattr(accel, "_ONEDNN_PAYS", [True])
    assert accel.onednn_linears(step) is not step and accel.onednn_linears(step)() == "stepped"


def test_measuring_onednn_leaves_the_random_numbers_alone(monkeypatch):
    monkeypatch.setattr(accel, "_ONEDNN_PAYS", [])
    state = torch.get_rng_state()
    assert accel.onednn_linear_pays() in (True, False)
    assert torch.equal(torch.get_rng_state(), state) and len(accel._ONEDNN_PAYS) == 1


# -- the CUDA-graph fast path ---------------------------------------------------------

def replay_by_rerunning(step, inputs):
    """A stand-in for a CUDA graph on the CPU: replaying runs the step again on the same
    input buffers, so the bookkeeping around it (buffers, warm-up, fresh outputs) is tested."""
    replay_by_rerunning.replays = getattr(replay_by_rerunning, "replays", 0)

    def replay():
        replay_by_rerunning.replays += 1
        return step(*inputs)

    return replay


def train(name, fast, n_batches=8, **kwargs):
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan(name, batch_size=16, seed=0)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, synthetic_loader(n_batches), batch_size=16,
                      num_epochs=1, progress=False, cuda_graphs=fast, **kwargs)
    return [p.detach().clone() for p in list(D.parameters()) + list(G.parameters())], out.getvalue()


@pytest.mark.parametrize("name", gan.GANS)
def test_graphed_steps_train_the_same_weights_as_plain_steps(name, monkeypatch):
    monkeypatch.setattr(accel, "graph_capture_for", lambda device: replay_by_rerunning)
    replay_by_rerunning.replays = 0
    graphed, _ = train(name, fast=True)
    assert replay_by_rerunning.replays == 2 * (8 - 3)  # both steps: 3 warm-up calls, then replays
    monkeypatch.setattr(accel, "graph_capture_for", lambda device: None)
    plain, _ = train(name, fast=False)
    for a, b in zip(graphed, plain):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_a_step_that_cannot_be_recorded_runs_plainly(monkeypatch):
    def refuse(step, inputs):
        raise RuntimeError("operation not permitted when stream is capturing")

    monkeypatch.setattr(accel, "graph_capture_for", lambda device: refuse)
    recorded_not, printed = train("vanilla", fast=True)
    assert printed.count("cannot be recorded as a CUDA graph") == 2  # once per step, then silence
    monkeypatch.setattr(accel, "graph_capture_for", lambda device: None)
    plain, _ = train("vanilla", fast=False)
    for a, b in zip(recorded_not, plain):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_fast_changes_nothing_on_the_cpu():
    assert accel.graph_capture_for(torch.device("cpu")) is None
    fast, _ = train("dcgan", fast=True)
    plain, _ = train("dcgan", fast=False)
    for a, b in zip(fast, plain):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize("name", gan.GANS)
def test_cuda_graphs_train_the_same_weights_as_plain_steps_on_a_gpu(name):
    """The real thing: CUDA graphs against plain steps, with the same (fused, capturable)
    Adam kernel in both, so only the recording differs."""
    trained = []
    for fast in (True, False):
        D, G, _, _, d_loss, g_loss = gan.build_gan(name, batch_size=16, seed=0, device="cuda")
        solvers = [torch.optim.Adam(m.parameters(), lr=1e-3, betas=(0.5, 0.999), fused=True, capturable=True)
                   for m in (D, G)]
        with contextlib.redirect_stdout(io.StringIO()) as out:
            gan.run_a_gan(D, G, *solvers, d_loss, g_loss, synthetic_loader(12), batch_size=16, num_epochs=1,
                          progress=False, cuda_graphs=fast)
        assert "cannot be recorded" not in out.getvalue()
        trained.append([p.detach().cpu() for p in list(D.parameters()) + list(G.parameters())])
    for a, b in zip(*trained):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_the_course_arithmetic_needs_no_accel(monkeypatch, capsys):
    """fast_kernels=False, cuda_graphs=False never imports accel/; without accel/ the default
    trains as well, on the course's kernels, and says so once."""
    monkeypatch.setitem(__import__("sys").modules, "accel", None)  # `import accel` now raises ImportError
    for kwargs, note in (({"fast_kernels": False}, False), ({}, True)):
        D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan("vanilla", batch_size=16, seed=0)
        gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, synthetic_loader(), batch_size=16, num_epochs=1,
                      progress=False, show_every=100, **kwargs)
        assert ("accel/ is not beside gan.py" in capsys.readouterr().out) == note
        assert not D_solver.param_groups[0].get("fused")
