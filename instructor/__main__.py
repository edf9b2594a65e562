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

    args = parser.parse_args(argv)
    if args.command == "answers":
        from instructor import answers

        answers.main(args)


if __name__ == "__main__":
    main()
