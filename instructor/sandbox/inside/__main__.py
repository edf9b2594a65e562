"""`python -I -B code/inside/__main__.py SPEC`: the sandbox's entry point. The spec (one JSON
argument) names the code folder, the inputs, the mode, the sandbox uid and the request
and result descriptors. Run in isolated mode, nothing is on sys.path but the Python
environment: the code folder (this package's parent) is put there first."""
import json
import os
import sys


def main():
    spec = json.loads(sys.argv[1])
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from inside.zygote import Zygote

    Zygote(spec).serve(spec["requests"], spec["results"])


if __name__ == "__main__":
    main()
