"""python -m instructor <command>: the instructor's tools, one entry point."""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m instructor", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("answers", help="regenerate gan-checks.npz from the reference gan.py")
    p.add_argument("--gan", default=os.path.join(ROOT, "gan.py"), help="the reference solution")
    p.add_argument("--out", default=os.path.join(ROOT, "gan-checks.npz"))

    p = sub.add_parser("classifier", help="train the MNIST classifier behind the IS/FID scores (quality/)")
    p.add_argument("--data-dir", default=None, help="folder holding MNIST/raw/ (default: $GAN_DATA_DIR or ./datasets)")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("notebook", help="execute GANs-PyTorch.ipynb headless (papermill)")
    p.add_argument("--out", default="GANs-PyTorch.executed.ipynb")
    p.add_argument("--tiny", action="store_true", help="the tiny setting CI uses (about a minute on a CPU)")
    p.add_argument("--data-dir", default=None)

    p = sub.add_parser("benchmark", help="time the course's training setup against ours; prints ratios")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--models", nargs="+", default=list(("vanilla", "lsgan", "dcgan")))
    p.add_argument("--device", default=None, help="cpu or cuda (default: both when a GPU is present)")
    p.add_argument("--iterations", type=int, default=None, help="iterations per timed run")
    p.add_argument("--repeats", type=int, default=5)

    p = sub.add_parser("quality", help="train the three GANs (reference solution), score IS/FID, write figures/")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--models", nargs="+", default=["vanilla", "lsgan", "dcgan"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--epochs", type=int, default=None, help="default: the course's 10 / 10 / 5")
    p.add_argument("--samples", type=int, default=10000)
    p.add_argument("--device", default="auto")

    args = parser.parse_args(argv)
    if args.command == "answers":
        from instructor import answers

        answers.main(args)
    elif args.command == "classifier":
        from instructor import classifier

        classifier.main(args)
    elif args.command == "notebook":
        from instructor import notebook

        notebook.main(args)
    elif args.command == "benchmark":
        from instructor import benchmark

        benchmark.main(args)
    elif args.command == "quality":
        from instructor import quality_run

        quality_run.main(args)


if __name__ == "__main__":
    main()
