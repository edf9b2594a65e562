"""Execute GANs-PyTorch.ipynb headless with papermill, at full or tiny settings."""
import os
import time

from instructor import ROOT

NOTEBOOK = os.path.join(ROOT, "GANs-PyTorch.ipynb")

# A setting that runs every cell in well under a minute on a CPU: one epoch over 1,024
# images for each GAN, and scores on 1,000 samples.
TINY = {
    "num_epochs_gan": 1,
    "num_epochs_lsgan": 1,
    "num_epochs_dcgan": 1,
    "num_train": 1024,
    "show_every": 2,
    "score_samples": 1000,
}


def execute(out, tiny=False, data_dir=None, timeout=None, notebook=NOTEBOOK, cwd=ROOT, **parameters):
    """Run a notebook (by default this package's) into `out`; papermill raises on the
    first cell error. Returns the seconds it took."""
    import papermill

    params = dict(TINY) if tiny else {}
    if data_dir:
        params["data_dir"] = os.path.abspath(data_dir)
    params.update(parameters)
    start = time.time()
    papermill.execute_notebook(notebook, out, parameters=params, cwd=cwd, kernel_name="python3",
                               progress_bar=False, execution_timeout=timeout)
    return time.time() - start


def main(args):
    seconds = execute(args.out, tiny=args.tiny, data_dir=args.data_dir)
    print(f"executed {NOTEBOOK} into {args.out} in {seconds:.0f} s")
