"""Time the course's training setup against ours, in one process, and write the table.

Course: torchvision MNIST with ToTensor per image, DataLoader + ChunkSampler, and
the course's loop (fakes detached after a full autograd forward, D's weights
receiving gradients in the generator step). Ours: load_mnist(fast=True) and
gan.run_a_gan, timed as it runs by default, with fast_kernels=False (the float
operations of the course's loop: its Adam kernel, its memory layout, its matrix-product
library) to show what each change brings, and on a GPU also with fast=True (CUDA graphs). All train the same freshly
built models with the same optimizers for the same number of iterations; runs
alternate, and the median of the repeats is reported, because a shared machine's
speed drifts from run to run. On a GPU it also times the notebook's three full
trainings (autograder.course.EPOCHS) with CUDA graphs, start-up and recording included.

The table goes to figures/benchmark-<device>.md with the device, the torch version
and the date; the README quotes it. --profile writes figures/profile-<device>.md: where
an iteration of ours spends its time, and its products' and convolutions' FLOP rates
against one large product's.
"""
import contextlib
import datetime
import io
import os
import statistics
import time

import torch

import accel
import gan
from autograder.course import EPOCHS, NUM_TRAIN
from instructor import ROOT

ITERATIONS = {"cpu": {"vanilla": 100, "lsgan": 100, "dcgan": 12}, "cuda": {"vanilla": 300, "lsgan": 300, "dcgan": 300}}
FULL_RUN = {name: epochs * (NUM_TRAIN // 128) for name, epochs in EPOCHS.items()}  # iterations of the course's runs


def course_loop(D, G, D_solver, G_solver, discriminator_loss, generator_loss, loader_train,
                batch_size=128, noise_size=gan.NOISE_DIM):
    """The course's run_a_gan, one epoch, printing left out."""
    device = next(G.parameters()).device
    for x, _ in loader_train:
        if len(x) != batch_size:
            continue
        D_solver.zero_grad()
        real_data = x.to(device)
        logits_real = D(2 * (real_data - 0.5))
        g_fake_seed = gan.sample_noise(batch_size, noise_size).to(device)
        fake_images = G(g_fake_seed).detach()
        logits_fake = D(fake_images.view(batch_size, 1, 28, 28))
        d_total_error = discriminator_loss(logits_real, logits_fake)
        d_total_error.backward()
        D_solver.step()

        G_solver.zero_grad()
        g_fake_seed = gan.sample_noise(batch_size, noise_size).to(device)
        fake_images = G(g_fake_seed)
        gen_logits_fake = D(fake_images.view(batch_size, 1, 28, 28))
        g_error = generator_loss(gen_logits_fake)
        g_error.backward()
        G_solver.step()


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


AGAINST = {}  # "against": another gan.py (--against), whose run_a_gan is timed beside ours


def setups(device):
    return (("course", "ours, course kernels", "ours") + (("ours, fast",) if device.type == "cuda" else ())
            + (("against",) if AGAINST else ()))


def load_other_gan(path):
    """Another version of gan.py as a module of its own (say, the last commit's, to check
    that a change left the speed alone)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gan_against", os.path.abspath(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def time_run(setup, name, loader, device, epochs=1):
    """Seconds to train freshly built models for `epochs` epochs over `loader`."""
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan(name, device=device, seed=0)
    _sync(device)
    start = time.perf_counter()
    if setup == "course":
        course_loop(D, G, D_solver, G_solver, d_loss, g_loss, loader)
    else:
        loop = AGAINST["module"].run_a_gan if setup == "against" else gan.run_a_gan
        with contextlib.redirect_stdout(io.StringIO()):  # run_a_gan prints iteration 0
            loop(D, G, D_solver, G_solver, d_loss, g_loss, loader, show_every=10**9, num_epochs=epochs,
                 progress=False, fast_kernels=setup != "ours, course kernels", fast=setup == "ours, fast")
    _sync(device)
    return time.perf_counter() - start


def device_name(device):
    if device.type == "cuda":
        return torch.cuda.get_device_name()
    model = "CPU"
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    return f"{model}, {torch.get_num_threads()} threads"


def write_table(device, rows, full, repeats):
    names = setups(device)
    lines = [f"Training speed on {device_name(device)}, torch {torch.__version__}, "
             f"{datetime.date.today().isoformat()} (`python -m instructor benchmark`): median ms per iteration "
             f"of {repeats} alternating repeats; speed-up = course / ours (fastest of ours)."
             + (" Ours computes the linear layers' products with "
                + ("oneDNN (timed 1.25x or more faster than the default here)." if accel.onednn_linear_pays()
                   else "the default kernel (oneDNN was not 1.25x faster here).") if device.type == "cpu" else ""),
             "",
             "| model | iterations timed | " + " | ".join(f"{s} ms/it" for s in names)
             + " | speed-up | course full run | ours full run |",
             "|---|---|" + "---|" * len(names) + "---|---|---|"]
    for name, n, ms in rows:
        best = min(ms[s] for s in names if s != "course")
        lines.append(f"| {name} | {n} x {repeats} | " + " | ".join(f"{ms[s]:.2f}" for s in names)
                     + f" | {ms['course'] / best:.2f}x | {ms['course'] * FULL_RUN[name] / 1e3:.0f} s "
                       f"| {best * FULL_RUN[name] / 1e3:.0f} s |")
    if full:
        lines += ["", "The notebook's three trainings at course settings, `run_a_gan(fast=True)`, start-up and "
                      "recording included:", "", "| model | epochs | seconds |", "|---|---|---|"]
        lines += [f"| {name} | {EPOCHS[name]} | {seconds:.1f} |" for name, seconds in full.items()]
        lines.append(f"| all three | | {sum(full.values()):.1f} |")
    path = os.path.join(ROOT, "figures", f"benchmark-{device.type}.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path, "\n".join(lines)


PRODUCTS = ("aten::mm", "aten::addmm", "mkldnn::_linear_pointwise")  # the linear layers' products


def flops_per_iteration(name, device, loader, n):
    """FLOP of one iteration's matrix products and convolutions (forward and backward),
    counted on the course's kernels, which do the same arithmetic as ours."""
    from torch.utils.flop_counter import FlopCounterMode

    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan(name, device=device, seed=0)
    with FlopCounterMode(display=False) as counter, contextlib.redirect_stdout(io.StringIO()):
        gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, loader, show_every=10**9, num_epochs=1,
                      progress=False, fast_kernels=False)
    counts = {str(op): flop for op, flop in counter.get_flop_counts()["Global"].items()}
    products = sum(f for op, f in counts.items() if op.split(".")[-1] in ("mm", "addmm", "bmm"))
    return products / n, (sum(counts.values()) - products) / n


def best_product_rate(device):
    """FLOP/s of one 2048 x 2048 product, the best of five, through PyTorch's default
    kernel and, on a CPU, through oneDNN: the machine's practical peak."""
    a, b = torch.randn(2048, 2048, device=device), torch.randn(2048, 2048, device=device)
    kernels = {"default": lambda: a @ b}
    if device.type == "cpu" and hasattr(torch.ops.mkldnn, "_linear_pointwise"):
        kernels["oneDNN"] = lambda: accel.onednn_mm(a, b)
    rates = {}
    for kernel, product in kernels.items():
        for _ in range(3):
            product()
        times = []
        for _ in range(5):  # the best of five: a shared machine is slower at times
            _sync(device)
            start = time.perf_counter()
            for _ in range(4):
                product()
            _sync(device)
            times.append(time.perf_counter() - start)
        rates[kernel] = 4 * 2 * 2048 ** 3 / min(times)
    return rates


def profile(name, device, n, peak):
    """Where one of our iterations spends its time, per op, and the rates of its matrix
    products and convolutions against `peak`, the FLOP/s of one large product here."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    loader = accel.TensorLoader(torch.rand(n * 128, 1, 28, 28, device=device),
                              torch.zeros(n * 128, dtype=torch.long, device=device), 128)
    product_flop, conv_flop = flops_per_iteration(name, device, loader, n)
    time_run("ours", name, loader, device)  # warm-up, and the one-off choice of kernels
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan(name, device=device, seed=0)
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    with torch_profile(activities=activities) as prof, contextlib.redirect_stdout(io.StringIO()):
        _sync(device)
        start = time.perf_counter()
        gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, loader, show_every=10**9, num_epochs=1,
                      progress=False)
        _sync(device)
        wall = (time.perf_counter() - start) / n * 1e3
    events = prof.key_averages()

    def ms(e):  # the time an op keeps the device itself busy, per iteration
        if device.type == "cuda":
            return getattr(e, "self_device_time_total", getattr(e, "self_cuda_time_total", 0)) / n / 1e3
        return e.self_cpu_time_total / n / 1e3

    total = sum(ms(e) for e in events)
    product_ms = sum(ms(e) for e in events if e.key in PRODUCTS)
    conv_ms = sum(ms(e) for e in events if "conv" in e.key)  # self times: wrappers add only their own
    lines = [f"{name}: {wall:.1f} ms per iteration under the profiler, of which "
             + (f"the GPU's kernels run {total:.1f} ms (the rest is launching them)" if device.type == "cuda"
                else f"the ops' self time {total:.1f} ms")]
    for kind, spent, flop in (("matrix products", product_ms, product_flop), ("convolutions", conv_ms, conv_flop)):
        if flop and spent:
            lines.append(f"    {kind}: {spent:.1f} ms, {flop / 1e9:.2f} GFLOP at {flop / spent / 1e6:.0f} GFLOP/s "
                         f"({flop * 1e3 / spent / peak:.0%} of the large product; floor {flop / peak * 1e3:.1f} ms)")
    for e in sorted(events, key=lambda e: -ms(e))[:12]:
        lines.append(f"    {e.key:42s} {ms(e):7.2f} ms/it  {e.count // n:4d} calls/it")
    print("\n" + "\n".join(lines), flush=True)
    return lines


def write_profile(device, rates, blocks):
    path = os.path.join(ROOT, "figures", f"profile-{device.type}.md")
    with open(path, "w") as f:
        f.write(f"Where an iteration of `run_a_gan` spends its time on {device_name(device)}, torch "
                f"{torch.__version__}, {datetime.date.today().isoformat()} (`python -m instructor benchmark "
                "--profile`). Self time per op under the profiler; FLOP counted on the course's kernels, which "
                "do the same arithmetic; rates against the faster of one 2048^3 product alone: "
                + ", ".join(f"{k} {r / 1e9:.0f} GFLOP/s" for k, r in rates.items())
                + ".\n\n```\n" + "\n\n".join("\n".join(b) for b in blocks) + "\n```\n")
    return path


def main(args):
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    if args.device:
        devices = [torch.device(args.device)]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads"
          + (f", {torch.cuda.get_device_name()}" if torch.cuda.is_available() else ", no GPU"), flush=True)
    if args.profile:
        for device in devices:
            rates = best_product_rate(device)
            print(f"{device_name(device)}, one 2048^3 product alone: "
                  + ", ".join(f"{k} {r / 1e9:.0f} GFLOP/s" for k, r in rates.items()), flush=True)
            blocks = [profile(name, device, 30 if name != "dcgan" or device.type == "cuda" else 6,
                              max(rates.values())) for name in (args.models or gan.GANS)]
            print(f"\nwrote {write_profile(device, rates, blocks)}")
        return
    if args.against:
        AGAINST["module"] = load_other_gan(args.against)
        print(f"'against' is run_a_gan of {args.against}; the table is printed, figures/ is left alone")
    for device in devices:
        rows, full = [], {}
        for name in (args.models or gan.GANS):
            n = args.iterations or ITERATIONS[device.type][name]
            loaders = {"course": gan.load_mnist(args.data_dir, num_train=n * 128)[0]}
            loaders["ours"] = gan.load_mnist(args.data_dir, fast=True, device=device, num_train=n * 128)[0]
            for setup in setups(device):  # warm-up (allocator, kernels, caches)
                time_run(setup, name, loaders["course" if setup == "course" else "ours"], device)
            times = {setup: [] for setup in setups(device)}
            for _ in range(args.repeats):
                for setup in setups(device):
                    loader = loaders["course" if setup == "course" else "ours"]
                    times[setup].append(time_run(setup, name, loader, device) / n)
            ms = {setup: statistics.median(t) * 1e3 for setup, t in times.items()}
            rows.append((name, n, ms))
            best = min((s for s in ms if s not in ("course", "against")), key=ms.get)
            print(f"{name:8s} {device.type:4s} " + "   ".join(f"{s} {ms[s]:.2f} ms/it" for s in ms)
                  + f"   x{ms['course'] / ms[best]:.2f}", flush=True)
            paired = sorted(c / o for c, o in zip(times["course"], times[best]))
            print(f"    course/{best} of each repeat: {paired[0]:.2f} to {paired[-1]:.2f}, "
                  f"median {statistics.median(paired):.2f}", flush=True)
            if AGAINST:
                paired = sorted(a / o for a, o in zip(times["against"], times["ours"]))
                print(f"    against/ours of each repeat: {paired[0]:.2f} to {paired[-1]:.2f}, "
                      f"median {statistics.median(paired):.2f}", flush=True)
            if device.type == "cuda" and not args.no_full:
                loader = gan.load_mnist(args.data_dir, fast=True, device=device)[0]
                full[name] = time_run("ours, fast", name, loader, device, EPOCHS[name])
                print(f"    full course run, fast=True: {full[name]:.1f} s", flush=True)
        if not AGAINST:
            path, table = write_table(device, rows, full, args.repeats)
            print(f"\n{table}\n\nwrote {path}", flush=True)
