"""Speed-ups for gan.run_a_gan: the same training, faster. Nothing here is part of the assignment.

run_a_gan calls speed_up() once, before its first iteration, when fast_kernels=True
(the default) or fast=True. With fast_kernels=False and fast=False this module is not
even imported, and the loop does exactly the float operations of the course's loop.

What each speed-up buys (2-core AMD EPYC VM, torch 2.15, `python -m instructor benchmark`,
figures/benchmark-cpu.md), and why the results stay the same up to float rounding:

- MNIST as one tensor (TensorLoader, load_mnist(fast=True)): the images live on the training
  device as one float tensor and batches are slices of it, with no per-image PIL conversion
  and no copy to the device per batch. The values are exactly the course loader's.
- fused Adam (use_fused_adam): a fresh torch.optim.Adam runs its fused kernel, one pass
  over memory instead of a dozen; a vanilla GAN's two Adam steps drop from about 6 ms to
  1 ms per iteration on the CPU. It computes the same update formula.
- channels-last (channels_last): on a CPU a convolutional D keeps its activations in the
  NHWC layout that oneDNN's convolutions and max-pooling prefer, about a fifth faster
  (max-pooling alone about 15 ms less per DCGAN iteration). Same arithmetic, another
  memory order.
- oneDNN linear layers (OneDNNLinearMode): on a CPU where it is timed to be at least 1.25x
  faster (once per process, about 50 ms), every F.linear of the two steps multiplies with
  oneDNN instead of PyTorch's default BLAS (MKL, which runs at about half speed on AMD
  processors): a batch-128 1024x1024 layer's forward takes 0.75 ms instead of 2.2 ms. The
  same products by another library; tests compare values and gradients with F.linear.
- CUDA graphs (GraphedStep, cuda_graphs=True on a GPU): each step is recorded once and replayed
  with one launch instead of about a hundred small ones. The kernels are the ones a plain
  step runs. Not yet measured on a GPU (figures/gpu-report.md is to be made).

Together, on the 2-core AMD EPYC VM (2026-12-05, figures/benchmark-cpu.md): vanilla GAN 1.56x,
LSGAN 1.29x, DCGAN 1.31x the course loop, oneDNN not chosen (1.57x, 1.54x, 1.49x in an earlier
run that day where it was); the ratio varies with the host CPU and its load.
Two correct runs that differ only by rounding drift apart over a whole GAN training, as
any two runs of a GAN do; the tests therefore compare a few SGD iterations, and
figures/quality.md shows the digits are as good.
"""
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def speed_up(d_step, g_step, D, D_solver, G_solver, batch_size, device, kernels=True, cuda_graphs=False):
    """The training steps (d_step, g_step) of run_a_gan, made faster: kernels=True switches
    fresh Adam optimizers to their fused kernel and, on a CPU, runs a convolutional D
    channels-last and the linear layers through oneDNN where that pays; cuda_graphs=True, on a
    GPU, replays each step as a CUDA graph. Returns the new (d_step, g_step)."""
    on_gpu_graphs = cuda_graphs and device.type == "cuda"
    if kernels or on_gpu_graphs:
        for solver in (D_solver, G_solver):
            use_fused_adam(solver, capturable=on_gpu_graphs)  # graphs keep Adam's step counts on the GPU
    if kernels and device.type == "cpu":
        channels_last(D, batch_size)
        d_step, g_step = onednn_linears(d_step), onednn_linears(g_step)
    if cuda_graphs:  # graphed() leaves a step as it is where there are no graphs (a CPU)
        d_step, g_step = graphed(d_step, device), graphed(g_step, device)
    return d_step, g_step


# -- MNIST as one tensor on the training device -----------------------------------------


def tensor_loaders(dataset, batch_size, device, *ranges):
    """One TensorLoader per (start, stop) range of torchvision's MNIST `dataset`, from one
    float tensor on `device` (default: CPU). The batches equal the course's ToTensor +
    DataLoader ones: uint8 / 255 in float32 is exactly what ToTensor computes per image."""
    images = dataset.data.unsqueeze(1).to(device or "cpu").float().div_(255)
    labels = dataset.targets.to(device or "cpu")
    return tuple(TensorLoader(images[a:b], labels[a:b], batch_size) for a, b in ranges)


class TensorLoader:
    """A DataLoader-like iterator over images already held as one tensor.

    Yields (x, y) batches as torchvision's MNIST + ToTensor + DataLoader would:
    x float32 of shape (B, 1, 28, 28) in [0, 1], y int64 of shape (B,), but
    slices them from a tensor that lives on the training device, so no per-image
    PIL conversion and no host-to-device copy happens inside the training loop.
    """

    def __init__(self, images, labels, batch_size=128, shuffle=False, seed=None):
        self.images, self.labels = images, labels
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = torch.Generator(device="cpu")
        if seed is not None:
            self.generator.manual_seed(seed)

    def __len__(self):
        return (len(self.images) + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        images, labels = self.images, self.labels
        if self.shuffle:  # one gather per epoch, then cheap contiguous slices
            order = torch.randperm(len(images), generator=self.generator).to(images.device)
            images, labels = images[order], labels[order]
        for i in range(0, len(images), self.batch_size):
            yield images[i : i + self.batch_size], labels[i : i + self.batch_size]


# -- Fused Adam and channels-last --------------------------------------------------------

_FUSED_ADAM = {}  # device type -> whether fused Adam runs there


def fused_adam_works(device):
    """Whether this torch has a fused Adam kernel for `device` (CPU: torch >= 2.4)."""
    if device.type not in _FUSED_ADAM:
        try:
            w = torch.zeros(1, device=device, requires_grad=True)
            w.grad = torch.ones_like(w)
            torch.optim.Adam([w], fused=True).step()
            _FUSED_ADAM[device.type] = True
        except (RuntimeError, TypeError, ValueError):
            _FUSED_ADAM[device.type] = False
    return _FUSED_ADAM[device.type]


def use_fused_adam(optimizer, capturable=False):
    """Make a fresh torch.optim.Adam use its fused kernel, which computes the same update
    in one pass over memory instead of a dozen (on the CPU, a vanilla GAN's two Adam steps
    drop from about 6 ms to 1 ms). Results change only by float rounding. capturable=True
    also keeps its step counts on the GPU, as CUDA graphs need. Any other optimizer, or an
    Adam that has already stepped or asked for something else, is left as it is."""
    if type(optimizer) is not torch.optim.Adam or optimizer.state:
        return
    params = [p for g in optimizer.param_groups for p in g["params"]]
    if not params or any(p.dtype != torch.float32 or p.device != params[0].device for p in params):
        return
    if any(g.get("fused") or g.get("foreach") or g.get("differentiable") or g.get("capturable")
           for g in optimizer.param_groups):
        return
    if fused_adam_works(params[0].device):
        for g in optimizer.param_groups:
            g["fused"] = True
            g["capturable"] = capturable


def channels_last(D, batch_size):
    """On a CPU, a convolutional D runs its convolutions and max-pooling about a fifth faster
    with activations stored channels-last (NHWC), the layout those kernels prefer. The values
    are the same up to float rounding. A D that cannot take it (a .view() that needs the
    usual layout, say) keeps the usual one; so does a D without convolutions."""
    if not any(isinstance(m, nn.Conv2d) for m in D.modules()):
        return
    training = D.training
    D.to(memory_format=torch.channels_last)
    try:
        D.eval()  # a trial batch that updates no BatchNorm statistics
        with torch.no_grad():
            D(torch.zeros(batch_size, 1, 28, 28, device=next(D.parameters()).device))
    except Exception:
        D.to(memory_format=torch.contiguous_format)
    finally:
        D.train(training)


# -- Linear layers through oneDNN on a CPU ----------------------------------------------
#
# Most of a vanilla GAN's time on a CPU goes into the matrix products of its linear layers
# (about 2.4 GFLOP per iteration). PyTorch hands them to its BLAS library, usually Intel's
# MKL, which runs far below the machine's peak on some processors (AMD's, in particular).
# PyTorch also ships oneDNN, the library behind its CPU convolutions. run_a_gan times one
# product of each kind once per process and, where oneDNN is clearly faster, sends every
# F.linear call of the two steps (nn.Linear calls it) there. Same products, other kernels:
# the results agree up to float rounding.


class OneDNNLinear(torch.autograd.Function):
    """F.linear(x, weight, bias) = x @ weight.T + bias for x of shape (N, in), with the
    forward product and the backward ones computed by oneDNN."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return onednn_mm(x, weight.t(), bias)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        # A second derivative (create_graph=True) needs products autograd can follow.
        mm = torch.mm if torch.is_grad_enabled() else onednn_mm
        grad_x = mm(grad, weight) if ctx.needs_input_grad[0] else None
        grad_weight = mm(grad.t(), x) if ctx.needs_input_grad[1] else None
        grad_bias = grad.sum(0) if ctx.has_bias and ctx.needs_input_grad[2] else None
        return grad_x, grad_weight, grad_bias


def onednn_mm(a, b, bias=None):
    """a @ b (+ bias) by oneDNN, for float32 CPU matrices a (n, k) and b (k, m) of any strides."""
    return torch.ops.mkldnn._linear_pointwise(a, b.t(), bias, "none", [], "")


def _linear_arguments(input, weight, bias=None):
    return input, weight, bias


class OneDNNLinearMode(torch.overrides.TorchFunctionMode):
    """While active, F.linear on float32 CPU matrices runs as OneDNNLinear; every other
    call, and any linear it does not cover, runs as usual."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is F.linear:
            x, weight, bias = _linear_arguments(*args, **kwargs)
            tensors = (x, weight) if bias is None else (x, weight, bias)
            if (all(type(t) in (torch.Tensor, nn.Parameter) and t.dtype == torch.float32
                    and t.device.type == "cpu" and t.layout == torch.strided for t in tensors)
                    and x.dim() == 2 and weight.dim() == 2 and (bias is None or bias.dim() == 1)
                    and x.shape[0] > 0 and x.shape[1] == weight.shape[1]):
                try:
                    if torch.is_grad_enabled() and any(t.requires_grad for t in tensors):
                        return OneDNNLinear.apply(x, weight, bias)
                    return onednn_mm(x, weight.t(), bias)
                except RuntimeError:  # oneDNN refused these tensors: the usual kernel takes them
                    pass
        return func(*args, **kwargs)


_ONEDNN_PAYS = []  # [whether oneDNN's products beat the default ones here], once measured


def onednn_linear_pays():
    """Whether oneDNN multiplies a (128, 1024) batch by a 1024 x 1024 weight correctly and
    at least 1.25 times as fast as torch.addmm, on this machine (measured once, in about
    50 ms, with a private random generator so that training's random numbers are unchanged)."""
    if not _ONEDNN_PAYS:
        try:
            gen = torch.Generator().manual_seed(0)
            x, w, b = (torch.randn(*shape, generator=gen) for shape in ((128, 1024), (1024, 1024), (1024,)))
            same = torch.allclose(onednn_mm(x, w.t(), b), torch.addmm(b, x, w.t()), rtol=1e-4, atol=1e-3)
            best = {"default": float("inf"), "onednn": float("inf")}
            for _ in range(4):  # alternate, keep the fastest of each: the machine may be busy
                for kind, product in (("default", lambda: torch.addmm(b, x, w.t())),
                                      ("onednn", lambda: onednn_mm(x, w.t(), b))):
                    start = time.perf_counter()
                    product()
                    product()
                    best[kind] = min(best[kind], time.perf_counter() - start)
            _ONEDNN_PAYS.append(same and best["onednn"] * 1.25 <= best["default"])
        except Exception:  # no such op in this torch, or it refuses these tensors: keep the default
            _ONEDNN_PAYS.append(False)
    return _ONEDNN_PAYS[0]


def onednn_linears(step):
    """step, with its linear layers' products through oneDNN where that pays (see above)."""
    if not onednn_linear_pays():
        return step

    def step_with_onednn_linears(*args):
        with OneDNNLinearMode():
            return step(*args)

    return step_with_onednn_linears


# -- CUDA graphs -----------------------------------------------------------------------
#
# A training step of these small GANs launches a hundred or so small GPU kernels, and on
# a fast GPU launching them takes longer than running them. A CUDA graph records the
# kernels of one step once and then replays them with a single launch. run_a_gan(cuda_graphs=True)
# records its D step and its G step; everything that changes from one step to the next
# (the batch, the noise) is copied into fixed input buffers first, and the outputs come
# back as fresh tensors, so the loop reads exactly as without them.


def cuda_capture(step, inputs):
    """Record step(*inputs) in a CUDA graph (recording runs nothing); returns a function
    that replays it and returns its outputs, which each replay overwrites."""
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        outputs = step(*inputs)

    def replay():
        graph.replay()
        return outputs

    return replay


def graph_capture_for(device):
    """How to record a step on `device`, or None where there are no graphs."""
    return cuda_capture if device.type == "cuda" else None


def graphed(step, device):
    capture = graph_capture_for(device)
    return step if capture is None else GraphedStep(step, capture)


class GraphedStep:
    """step(*tensors), replayed from a recording after a few plain calls.

    The first `warmup` calls run the step as it is (on a side stream on a GPU, as CUDA
    graphs require: it lets PyTorch set up its kernels and the optimizer its state). The
    next call records the step with its arguments copied into fixed buffers, then replays
    it; every later call copies its arguments into those buffers and replays. If the step
    cannot be recorded (say, a loss that calls .item()), it runs plainly from then on.
    """

    def __init__(self, step, capture, warmup=3):
        self.step, self.capture, self.warmup = step, capture, warmup
        self.calls, self.replay, self.failed = 0, None, False

    def __call__(self, *args):
        if self.failed:
            return self.step(*args)
        if self.replay is None:
            self.calls += 1
            if self.calls <= self.warmup:
                return self._warm(args)
            self.inputs = [a.clone() for a in args]
            try:
                self.replay = self.capture(self.step, self.inputs)
            except Exception as err:  # not recordable: run plainly from now on
                self.failed = True
                print(f"(cuda_graphs=True: this step cannot be recorded as a CUDA graph, so it runs without one: "
                      f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''})")
                if torch.cuda.is_available():
                    torch.cuda.synchronize()
                return self.step(*args)
        for buffer, a in zip(self.inputs, args):
            buffer.copy_(a, non_blocking=True)
        return _fresh(self.replay())

    def _warm(self, args):
        if args[0].device.type != "cuda":
            return self.step(*args)
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            outputs = self.step(*args)
        torch.cuda.current_stream().wait_stream(side)
        return outputs


def _fresh(outputs):
    """Copies of a recording's outputs, which its next replay overwrites."""
    if isinstance(outputs, tuple):
        return tuple(o.detach().clone() for o in outputs)
    return outputs.detach().clone()

