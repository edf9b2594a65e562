"""Check your work and pack it for handing in: `python -m tests.submit`.

1. Runs the autograder's checks on your gan.py and prints a summary per part.
2. Checks that GANs-PyTorch.ipynb has been run (every code cell has run, and none
   ended in an error) and that every answer cell has been written.
3. Writes submission.zip: gan.py, the notebook, and the notebook as a PDF (through
   LaTeX, or a headless browser) or, where neither is installed, as a self-contained
   HTML file, which it says.

It exits with status 0 when all is in order and 1 otherwise; the zip is written
either way. Save the notebook before you run it: it reads the file, not the
notebook open in your browser.
"""
import argparse
import os
import re
import sys
import zipfile


from tests import checks

ANSWER_PLACEHOLDER = "*Write your answer here.*"  # what an unanswered answer cell holds


def run_checks(gan, answers, device):
    """{part: (checks passed, checks run, first failure)}, running gan's code in this process."""
    from tests.produce import produce

    summary = {}
    for part in checks.PARTS:
        results = checks.judge(part, produce(part, gan, device, answers), answers)
        first = next((message for _, ok, message in results if not ok), "")
        summary[part] = (sum(ok for _, ok, _ in results), len(results), first)
    return summary


def notebook_problems(nb):
    """Sentences on what is missing from a notebook before it can be handed in."""
    problems, question = [], None
    unrun = [i for i, cell in enumerate(nb.cells, 1) if cell.cell_type == "code" and cell.source.strip()
             and cell.execution_count is None and "tests.submit" not in cell.source]
    if unrun:
        problems.append(f"the notebook has not been run through: {len(unrun)} code cell(s) never ran "
                        f"(the first is cell {unrun[0]}); run all cells and save the notebook.")
    for i, cell in enumerate(nb.cells, 1):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                problems.append(f"cell {i} ended with an error ({output.get('ename')}: "
                                f"{str(output.get('evalue'))[:120]}).")
        headings = re.findall(r"^### (Q\d+)\.", cell.source, re.M) if cell.cell_type == "markdown" else []
        if headings:
            question = headings[-1]
        elif cell.cell_type == "markdown" and ANSWER_PLACEHOLDER in cell.source:
            problems.append(f"the answer to {question or 'a question'} is not written yet (cell {i}).")
        elif cell.cell_type == "code" and re.search(r"^[xy]_table = \[.*\bNone\b", cell.source, re.M):
            problems.append(f"the table of {question or 'Q4'} still has None in it (cell {i}).")
    return problems


def render(nb, base):
    """The notebook as a PDF if this machine can make one, else as a self-contained HTML
    file: (path, note)."""
    import nbconvert

    for exporter, how in ((nbconvert.PDFExporter, "LaTeX"), (nbconvert.WebPDFExporter, "a headless browser")):
        try:
            body, _ = exporter().from_notebook_node(nb)
            path = base + ".pdf"
            with open(path, "wb") as f:
                f.write(body)
            return path, f"a PDF of the notebook (made with {how})"
        except Exception:  # no xelatex, no playwright/chromium, ...
            continue
    exporter = nbconvert.HTMLExporter()
    exporter.embed_images = True  # one file: the figures travel inside it
    body, _ = exporter.from_notebook_node(nb)
    path = base + ".html"
    with open(path, "w", encoding="utf-8") as f:
        f.write(body)
    return path, ("an HTML file of the notebook, not a PDF: this machine has neither LaTeX (xelatex) nor a "
                  "headless browser; open the HTML in a browser and print it to PDF if your course wants a PDF")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.submit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--gan", default="gan.py")
    parser.add_argument("--notebook", default="GANs-PyTorch.ipynb")
    parser.add_argument("--answers", default="gan-checks.npz")
    parser.add_argument("--out", default="submission.zip")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda if there is one)")
    args = parser.parse_args(argv)
    import importlib.util

    import nbformat
    import torch

    ok = True
    print(f"Checking {args.gan} with the autograder's checks ...")
    spec = importlib.util.spec_from_file_location("gan", args.gan)
    gan = importlib.util.module_from_spec(spec)
    sys.modules["gan"] = gan
    spec.loader.exec_module(gan)
    answers = checks.load_answers(args.answers)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    for part, (passed, total, first) in run_checks(gan, answers, device).items():
        ok &= passed == total
        print(f"  {checks.PART_TITLES[part]:<14} {passed}/{total} checks pass" + (f"   {first[:90]}" if first else ""))

    nb = nbformat.read(args.notebook, as_version=4)
    problems = notebook_problems(nb)
    ok &= not problems
    print(f"\nChecking {args.notebook} ...")
    for problem in problems or ["it has been run, and every answer is written."]:
        print(f"  {problem}")

    rendered, note = render(nb, os.path.splitext(args.notebook)[0])
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in (args.gan, args.notebook, rendered):
            zf.write(path, os.path.basename(path))
    print(f"\nWrote {args.out}: {os.path.basename(args.gan)}, {os.path.basename(args.notebook)} and {note}.")
    print("All in order: hand it in." if ok else "Some things above are not in order yet; "
          "the zip is written anyway, but fix them before you hand it in.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
