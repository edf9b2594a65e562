"""Time the course's training setup against ours, in one process, and print ratios.

Course: torchvision MNIST with ToTensor per image, DataLoader + ChunkSampler, and
the course's loop (fakes detached after a full autograd forward, D's weights
receiving gradients in the generator step). Ours: load_mnist(fast=True) and
gan.run_a_gan, timed twice: as it runs by default, and with fused_adam=False
(the optimizers' default Adam kernel, as in the course) to show what each change
brings. All train the same freshly built models with the same optimizers for the
same number of iterations; runs alternate, and the median of the repeats is
reported, because a shared machine's speed drifts from run to run.
"""
import contextlib
import io
import statistics
import time

import torch

import gan

ITERATIONS = {"cpu": {"vanilla": 100, "lsgan": 100, "dcgan": 12}, "cuda": {"vanilla": 300, "lsgan": 300, "dcgan": 300}}
FULL_RUN = {"vanilla": 3900, "lsgan": 3900, "dcgan": 1950}  # 10, 10 and 5 epochs of 390 iterations


def course_loop(D, G, D_solver, G_solver, discriminator_loss, generator_loss, loader_train,
                batch_size=128, noise_size=96):
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


SETUPS = ("course", "ours, course Adam", "ours")


def time_run(setup, name, loader, device, iterations):
    """Seconds per iteration of one epoch over `loader` (iterations batches)."""
    D, G, D_solver, G_solver, d_loss, g_loss = gan.build_gan(name, device=device, seed=0)
    _sync(device)
    start = time.perf_counter()
    if setup == "course":
        course_loop(D, G, D_solver, G_solver, d_loss, g_loss, loader)
    else:
        with contextlib.redirect_stdout(io.StringIO()):  # run_a_gan prints iteration 0
            gan.run_a_gan(D, G, D_solver, G_solver, d_loss, g_loss, loader, show_every=10**9, num_epochs=1,
                          progress=False, fused_adam=setup == "ours")
    _sync(device)
    return (time.perf_counter() - start) / iterations


def main(args):
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    if args.device:
        devices = [torch.device(args.device)]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads"
          + (f", {torch.cuda.get_device_name()}" if torch.cuda.is_available() else ", no GPU"))
    rows = []
    for device in devices:
        for name in args.models:
            n = args.iterations or ITERATIONS[device.type][name]
            loaders = {"course": gan.load_mnist(args.data_dir, num_train=n * 128)[0]}
            loaders["ours"] = gan.load_mnist(args.data_dir, fast=True, device=device, num_train=n * 128)[0]
            time_run("ours", name, loaders["ours"], device, n)  # warm-up (allocator, kernels, caches)
            times = {setup: [] for setup in SETUPS}
            for _ in range(args.repeats):
                for setup in SETUPS:
                    loader = loaders["course" if setup == "course" else "ours"]
                    times[setup].append(time_run(setup, name, loader, device, n))
            ms = {setup: statistics.median(t) * 1e3 for setup, t in times.items()}
            rows.append((name, device.type, n, ms))
            print(f"{name:8s} {device.type:4s} " + "   ".join(f"{setup} {ms[setup]:.1f} ms/it" for setup in SETUPS)
                  + f"   x{ms['course'] / ms['ours']:.2f}", flush=True)
            paired = sorted(c / o for c, o in zip(times["course"], times["ours"]))
            print(f"    course/ours of each repeat: {paired[0]:.2f} to {paired[-1]:.2f}, "
                  f"median {statistics.median(paired):.2f}", flush=True)
            print("    all repeats, ms: " + "; ".join(f"{setup} {[round(t * 1e3, 1) for t in times[setup]]}"
                                               for setup in SETUPS), flush=True)

    print("\n| model | device | iterations timed | course ms/it | ours, course Adam ms/it | ours ms/it | speed-up "
          "| course full run | ours full run |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, dev, n, ms in rows:
        full = FULL_RUN[name]
        print(f"| {name} | {dev} | {n} x {args.repeats} | {ms['course']:.1f} | {ms['ours, course Adam']:.1f} "
              f"| {ms['ours']:.1f} | {ms['course'] / ms['ours']:.2f}x | {ms['course'] * full / 1e3:.0f} s "
              f"| {ms['ours'] * full / 1e3:.0f} s |")
