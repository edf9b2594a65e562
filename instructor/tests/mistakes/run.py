"""Grade every case of a mistake set as the student's tools and the grader check a file, and
write the table of first messages.

`python -m instructor.tests.mistakes.run [CASES_MODULE] [--out table.md]`: each case's gan.py
(the reference with the case's blocks and top-level code) is imported and checked part by part
in a process of its own (forked, torch already loaded), as autograder.submit does; the table
holds, per case, its points, the part it should lose points in, and the first failed check's
message there (or, for a file that loses none, the parts' messages).
"""
import argparse
import importlib
import json
import multiprocessing
import os
import re
import tempfile

from autograder import course
from autograder.imports import left_out_sentence
from instructor import ROOT

START = "# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
END = "# *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
ANCHOR = "from torch.utils.data import DataLoader, Sampler\n"


def compose(reference, case):
    """The reference's source with the case's blocks in place of the reference's, and its
    top-level code after the imports."""
    source = reference
    for name, code in case["blocks"].items():
        at = source.index(f"def {name}(")
        a = source.index("\n", source.index(START, at)) + 1
        b = source.rindex("\n", 0, source.index(END, a)) + 1
        source = source[:a] + code + source[b:]
    if case.get("top"):
        source = source.replace(ANCHOR, ANCHOR + case["top"], 1)
    return source


def check(path, answers_path):
    """{part: (points, [(check, passed, message)])} of the gan.py at `path`, and what its import said."""
    from autograder.answers import load_answers
    from autograder.judge import judge, points
    from autograder.produce import produce
    from autograder.produce.importing import import_student

    answers = load_answers(answers_path)
    module, left_out, failure, _, changes = import_student(path, name="gan_case")
    said = left_out_sentence(failure, left_out) if left_out else (failure if module is None else "")
    found = {}
    for part in course.PARTS:
        produced = {"__failure__": failure} if module is None else produce(part, module, "cpu", answers,
                                                                          changes=changes)
        results = judge(part, produced, answers)
        found[part] = (points(part, results), [list(r) for r in results])
    return {"parts": found, "import": said, "changes": [list(c) for c in changes]}


def _child(source, answers_path, queue):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "gan.py")
        with open(path, "w") as f:
            f.write(source)
        try:
            queue.put(json.dumps(check(path, answers_path)))
        except BaseException as err:  # a case that breaks the checker: said, not hidden
            queue.put(json.dumps({"error": f"{type(err).__name__}: {err}"}))


def _context():
    """Processes forked from a server that has loaded torch and the checks and run nothing: a
    fork of a process whose torch thread pool has started (pytest's, after other tests) can
    hang in its first parallel operation."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["torch", "autograder.judge", "autograder.produce"])
    return context


def _collect(child, queue, timeout):
    try:
        return json.loads(queue.get(timeout=timeout))
    except Exception as err:  # a case that hangs or kills its process: said in its row
        return {"error": f"no result in {timeout} s ({type(err).__name__})"}
    finally:
        child.join(5)
        if child.is_alive():
            child.kill()


def grade_case(source, answers_path, timeout=300):
    """check() in a process of its own, so that a case's global settings reach no other case."""
    context = _context()
    queue = context.Queue()
    child = context.Process(target=_child, args=(source, answers_path, queue))
    child.start()
    return _collect(child, queue, timeout)


def first_message(result, part):
    """The first failed check's message in `part`, on one line ('' where every check passed)."""
    if "error" in result:
        return f"(the checker failed: {result['error']})"
    _, checks = result["parts"][part]
    return " ".join(next((m for _, ok, m in checks if not ok), "").split())


def grade_all(cases, answers_path=None, jobs=None, timeout=300):
    """[(case, result)] for every case, `jobs` cases at a time (default: one per CPU)."""
    answers_path = answers_path or os.path.join(ROOT, "gan-checks.npz")
    with open(os.path.join(ROOT, "gan.py")) as f:
        reference = f.read()
    context, results, running = _context(), {}, []
    pending = list(enumerate(cases))
    jobs = jobs or len(os.sched_getaffinity(0))
    while pending or running:
        while pending and len(running) < jobs:
            i, case = pending.pop(0)
            queue = context.Queue()
            child = context.Process(target=_child, args=(compose(reference, case), answers_path, queue))
            child.start()
            running.append((i, child, queue))
        i, child, queue = running.pop(0)  # in order: each is waited for in turn
        results[i] = _collect(child, queue, timeout)
    return [(case, results[i]) for i, case in enumerate(cases)]


def lost(result):
    """{part: points lost}."""
    if "error" in result:
        return {"(checker)": 0}
    return {part: course.POINTS[part] - got for part, (got, _) in result["parts"].items() if got < course.POINTS[part]}


def table(graded, judged=None):
    """The Markdown table of a graded set; `judged`: {id: (verdict, note)} to show beside."""
    cell = lambda text: re.sub(r"([|])", r"\\\1", text)  # noqa: E731
    rows = ["| case | kind | part | points lost | first message | judged |", "|---|---|---|---|---|---|"]
    for case, result in graded:
        losses = lost(result)
        shown = ", ".join(f"{p} {n:g}" for p, n in losses.items()) or "none"
        message = first_message(result, case["part"]) if "error" not in result else first_message(result, "")
        if not message and losses:  # it lost points elsewhere: that part's message
            message = first_message(result, next(iter(losses)))
        verdict = (judged or {}).get(case["id"], ("", ""))
        rows.append(f"| `{case['id']}` | {case['kind']} | {case['part']} | {shown} | {cell(message)} | "
                    f"{' '.join(x for x in verdict if x)} |")
    return "\n".join(rows) + "\n"


def summary(graded, judged):
    """The counts above a table: wrong cases whose first message names the cause, is vague or
    false, wrong files with full marks, correct variants that lost a point."""
    wrong = [(c, r) for c, r in graded if c["kind"] == "wrong"]
    count = lambda verdict: sum(judged.get(c["id"], ("",))[0] == verdict for c, _ in wrong)  # noqa: E731
    return (f"{len(wrong)} wrong cases: the first message names the cause for {count('names the cause')}, is vague "
            f"for {count('vague')}, false for {count('false')}; {sum(not lost(r) for _, r in wrong)} wrong files get "
            f"full marks; {sum(bool(lost(r)) for c, r in graded if c['kind'] == 'correct')} of "
            f"{sum(c['kind'] == 'correct' for c, _ in graded)} correct variants lose a point; "
            f"{sum(bool(r.get('false')) for _, r in wrong)} messages make a claim the checker finds untrue.\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="?", default="instructor.tests.mistakes.cases")
    parser.add_argument("--out", default=None, help="write the table here (Markdown)")
    parser.add_argument("--json", default=None, help="also write the raw results here")
    args = parser.parse_args(argv)
    from instructor.tests.mistakes.judged import JUDGED

    module = importlib.import_module(args.cases)
    graded = grade_all(module.CASES)
    text = summary(graded, JUDGED.get(args.cases, {})) + "\n" + table(graded, JUDGED.get(args.cases))
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump([{"id": c["id"], "result": r} for c, r in graded], f)


if __name__ == "__main__":
    main()
