"""python -m instructor <command>: the instructor's tools, one entry point."""
import argparse
import importlib
import os
import sys

from instructor import ROOT

sys.path.insert(0, ROOT)
from autograder import i18n  # noqa: E402
from instructor.grader import batch, score  # noqa: E402  (light: no torch; their defaults are the options')
from instructor.sandbox import limits  # noqa: E402


def parser():
    top = argparse.ArgumentParser(prog="python -m instructor", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    def command(name, module, help):  # module: instructor.<module>, whose main(args) runs the command
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(module=module)
        return p

    p = command("answers", "course.answers", "regenerate the public and the grader's private answer files from gan.py")
    p.add_argument("--gan", default=os.path.join(ROOT, "gan.py"), help="the reference solution")
    p.add_argument("--out", default=os.path.join(ROOT, "gan-checks.npz"), help="the public file")
    p.add_argument("--private-out", default=score.ANSWERS,
                   help="the grader's private file")

    def language_option(p, what):
        p.add_argument("--lang", choices=i18n.LANGUAGES, default=None,
                       help=f"the language of {what} (default: the course's, LANGUAGE in autograder/course.py, "
                            f"now {i18n.language()})")

    def grading_options(p):
        language_option(p, "the reports")
        p.add_argument("--device", default="cpu", help="cpu (default), cuda or auto")
        p.add_argument("--answers", default=None,
                       help=f"the answer file (default: the private {score.PRIVATE})")
        p.add_argument("--isolation", choices=["auto", "sealed", "reduced"], default="auto",
                       help="sealed: the bubblewrap sandbox, or fail; reduced: plain processes; "
                            "auto (default): sealed where possible")
        p.add_argument("--part-timeout", type=float, default=limits.DEFAULT.part_timeout,
                       help=f"seconds per part (default {limits.DEFAULT.part_timeout:g})")
        p.add_argument("--import-timeout", type=float, default=limits.DEFAULT.import_timeout,
                       help=f"seconds to import gan.py (default {limits.DEFAULT.import_timeout:g})")
        p.add_argument("--memory-mb", type=int, default=limits.DEFAULT.memory_mb,
                       help=f"memory a part may allocate on CPU (default {limits.DEFAULT.memory_mb})")
        p.add_argument("--trust-submissions", action="store_true",
                       help="grade even where the reduced mode cannot keep a submission from the grader's files and "
                            "other jobs (its parts would run as root or as the grader's own user); without it, "
                            "nothing is graded there and the report says why")

    p = command("grade", "grader.grade", "grade one gan.py: points per part, report, optional Gradescope results.json")
    p.add_argument("gan", help="the gan.py to grade")
    p.add_argument("--results", default=None, help="write Gradescope's results.json here")
    grading_options(p)

    p = command("batch", "grader.batch", "grade a folder of submissions (one gan.py per student folder) into a gradebook")
    p.add_argument("submissions", help="folder with one sub-folder per student, each holding gan.py")
    p.add_argument("--out", default="gradebook", help="folder for gradebook.csv and one results.json per student")
    p.add_argument("--jobs", type=int, default=batch.JOBS, help=f"submissions graded at a time (default {batch.JOBS})")
    p.add_argument("--compare", default=None, metavar="OLD_GRADEBOOK",
                   help="a gradebook folder batch wrote before (say, before a fix to a check or an answer file): "
                        "list every student whose points changed, by part, and the checks whose verdict changed")
    grading_options(p)

    p = command("release", "course.release", "build the student release (folder and zip) from this instructor package")
    p.add_argument("--out", default=os.path.join(ROOT, "build", "release"), help="folder; a .zip is written beside it")
    language_option(p, "the notebook, the README and every message of the release")

    p = command("gradescope", "course.gradescope", "build the Gradescope autograder zip")
    p.add_argument("--out", default=os.path.join(ROOT, "build", "gradescope-autograder.zip"))
    language_option(p, "the reports the zip's grader writes")

    p = command("translations", "course.translations",
                "bring the translations (notebook, students' README, messages) up to date with the English and "
                "list what is left to translate; exits with 1 while something is")
    p.add_argument("--lang", choices=[lang for lang in i18n.LANGUAGES if lang != "en"], default=None,
                   help="one language (default: every translation)")

    p = command("term", "course.term", "after an edit of the reference, POINTS or a tolerance: answer files, the texts "
                                       "quoting its counts, release and Gradescope zip; grades the new and last term's "
                                       "reference")
    p.add_argument("--last", default=None, metavar="GAN_PY",
                   help="last term's reference (default: gan.py as git's HEAD has it)")
    p.add_argument("--release", default=os.path.join(ROOT, "build", "release"), help="the release's folder")
    p.add_argument("--gradescope", default=os.path.join(ROOT, "build", "gradescope-autograder.zip"))
    language_option(p, "the release and the Gradescope zip it builds")

    measurements(command)

    p = command("notebook", "course.notebook", "execute GANs-PyTorch.ipynb headless (papermill)")
    p.add_argument("--out", default="GANs-PyTorch.executed.ipynb")
    p.add_argument("--tiny", action="store_true", help="the tiny setting CI uses (about a minute on a CPU)")
    p.add_argument("--data-dir", default=None)
    return top


def measurements(command):
    """The commands that measure the package and write figures/ (instructor/measure/)."""
    p = command("classifier", "measure.classifier", "train the MNIST classifier behind the IS/FID scores (quality/)")
    p.add_argument("--data-dir", default=None, help="folder holding MNIST/raw/ (default: $GAN_DATA_DIR or ./datasets)")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--thumbs-only", action="store_true",
                   help="only rewrite quality/mnist_thumbs.npz (the copy check's thumbnails of both MNIST sets)")

    p = command("quality", "measure.quality_run", "train the three GANs with the reference solution, score IS/FID, write figures/")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--models", nargs="+", default=None, help="default: all of gan.GANS")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--epochs", type=int, default=None, help="default: the course's (autograder.course.EPOCHS)")
    p.add_argument("--samples", type=int, default=10000)
    p.add_argument("--device", default="auto")

    p = command("benchmark", "measure.benchmark", "time the course's training setup against ours and print the ratios")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--models", nargs="+", default=None, help="default: all of gan.GANS")
    p.add_argument("--device", default=None, help="cpu or cuda (default: both when a GPU is present)")
    p.add_argument("--iterations", type=int, default=None, help="iterations per timed run")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--no-full", action="store_true", help="on a GPU, skip timing the three full course trainings")
    p.add_argument("--profile", action="store_true", help="instead: where an iteration of ours spends its time")
    p.add_argument("--against", default=None, metavar="GAN_PY",
                   help="also time the run_a_gan of another gan.py (say, the last commit's), alternating with "
                        "ours; prints the table and leaves figures/ alone")

    p = command("grading-speed", "measure.grading_speed", "time `grade` on one submission and `batch` on many; write the table")
    p.add_argument("--repeats", type=int, default=5, help="`grade` runs per kind of submission")
    p.add_argument("--submissions", type=int, default=30)
    p.add_argument("--jobs", type=int, default=batch.JOBS)
    p.add_argument("--batch-repeats", type=int, default=2)

    p = command("suite-time", "measure.suite_time", "time the README's test command (against another checkout's)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--against", default=None, metavar="CHECKOUT", help="also time it in that checkout, taking turns")
    p.add_argument("--write", action="store_true", help="write figures/test-time.md")

    p = command("budget", "measure.budget", "grade the reference inside cgroups of given memory sizes and CPU quota (root)")
    p.add_argument("--memory-mb", type=int, nargs="+", default=[768, 640, 512, 448, 384])
    p.add_argument("--cpus", type=float, default=0.5, help="CPU quota (default 0.5, Gradescope's)")
    p.add_argument("--gan", default=None, help="the gan.py to grade (default: the reference)")
    p.add_argument("--write", action="store_true", help="write figures/grading-budget.md")

    p = command("gradescope-budget", "measure.gradescope_budget",
                "time the Gradescope zip's run_autograder in a cgroup of Gradescope's size, bare reference and "
                "starter imports (root)")
    p.add_argument("--python", default=None,
                   help="the Python of a virtual environment made from setup.sh's pip lines (default: build one)")
    p.add_argument("--against", default=None, metavar="CHECKOUT",
                   help="also grade with another checkout's zip (the grader before a change), alternating")
    p.add_argument("--memory-mb", type=int, nargs="+", default=[768], help="cgroup memory sizes (default 768)")
    p.add_argument("--cpus", type=float, default=0.5, help="CPU quota (default 0.5, Gradescope's)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--gan", default=None, help="the gan.py (default: the reference)")
    p.add_argument("--weights", default=None, metavar="PT",
                   help="a trained DCGAN generator's weights: also grade both files with them beside; "
                        "--write puts this run in a section of its own")
    p.add_argument("--cold", action="store_true",
                   help="empty the machine's page cache before each grading, as a fresh container starts (root)")
    p.add_argument("--write", action="store_true",
                   help="write the rows into figures/grading-budget.md and figures/grading-speed.md")

    p = command("contention", "measure.contention", "grade each attack on shared memory, processes and CPU beside an "
                                            "untouched reference; the table (root, cgroups)")
    p.add_argument("--write", action="store_true", help="write figures/grading-limits.md")

    p = command("trained-bar", "measure.trained_bar", "train the reference DCGAN from several seeds and score it as the "
                                                      "grader does: where the trained DCGAN's bar sits")
    p.add_argument("--weights", nargs="+", default=None, metavar="PT", help="score these files instead of training")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    p.add_argument("--data-dir", default=None)
    p.add_argument("--write", action="store_true", help="write figures/trained-bar.md")

    p = command("gpu-report", "measure.gpu_report", "on a GPU machine: every GPU check at once; writes figures/gpu-report.md")
    p.add_argument("--data-dir", default=None)


def main(argv=None):
    args = parser().parse_args(argv)
    importlib.import_module(f"instructor.{args.module}").main(args)


if __name__ == "__main__":
    main()
