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


if __name__ == "__main__":
    main()
