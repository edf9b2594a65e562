"""The class at a glance: what `batch` writes beside the gradebook, and what `batch --compare`
says changed.

  checks.csv    every check's verdict for every student (what --compare reads back)
  summary.html  one self-contained page: the score histogram, the pass rate of every part
                and check, the three most common failure messages of each check with their
                counts, and the spread of the trained DCGANs' Inception Scores and FIDs
  summary.md    the same in Markdown, its plots beside it in summary/
  compare.md    with --compare: every student whose points changed, by part, old and new,
                and the checks whose verdict changed

Every text that came from a submission is escaped where it is shown. matplotlib is imported
only here, when the plots are drawn.
"""
import base64
import collections
import csv
import html
import io
import math
import os
import re
import statistics

from autograder.course import (
    FULL,
    GRADED,
    PART_TITLES,
    POINTS,
    TRAINED_MAX_FID,
    TRAINED_MIN_IS,
)
from autograder.judge import points_back
from instructor.grader.render import cleared, csv_row, md_text, read_csv_cell
from instructor.grader.schema import inert
from instructor.grader.report import first_failure

COMMON = 3  # failure messages shown per check
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?")


def verdicts(reports):
    """[(student, part, check, passed, message)] for every check of every graded report."""
    return [(student, p["part"], name, bool(ok), " ".join(str(message).split()))
            for student, report in reports.items() for p in report["parts"] for name, ok, message in p["checks"]]


def write_checks_csv(reports, out):
    path = os.path.join(out, "checks.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "part", "check", "passed", "message"])
        writer.writerows(csv_row(row) for row in verdicts(reports))
    return path


def class_stats(reports):
    """What the summary shows, as plain numbers and strings."""
    graded = {s: r for s, r in reports.items() if not r["grader_error"]}
    by_check = collections.defaultdict(list)  # (part, check) -> [(passed, message)]
    for _, part, name, ok, message in verdicts(graded):
        by_check[(part, name)].append((ok, message))
    rows = []
    for (part, name), results in by_check.items():
        # a check that was not run, because an earlier one failed for the same cause, is counted, not quoted
        failures = [message for ok, message in results if not ok and not points_back(message)]
        shapes = collections.Counter(NUMBER.sub("#", m) for m in failures)  # "got 0.51" and "got 0.49" alike
        example = {}
        for m in failures:
            example.setdefault(NUMBER.sub("#", m), m)
        rows.append({"part": part, "title": PART_TITLES[part], "check": name,
                     "passed": sum(ok for ok, _ in results), "n": len(results),
                     "not_run": sum(1 for ok, m in results if not ok and points_back(m)),
                     "common": [(example[shape], count) for shape, count in shapes.most_common(COMMON)]})
    order = {part: i for i, part in enumerate(GRADED)}
    rows.sort(key=lambda r: order.get(r["part"], len(order)))
    parts = []
    for part in GRADED:
        rows_of = [p for r in graded.values() for p in r["parts"] if p["part"] == part]
        full = sum(1 for p in rows_of if p["points"] == p["max_points"] and all(c[1] for c in p["checks"]))
        parts.append({"part": part, "title": PART_TITLES[part], "passed": full, "n": len(rows_of)})
    # (student, IS, FID, whether it cleared the bar): a generator's scores, and the verdict of its check
    scores = [(s, p["scores"]["IS"], p["scores"]["FID"], cleared(p) is not None) for s, r in graded.items()
              for p in r["parts"]
              if p.get("scores") and all(math.isfinite(p["scores"].get(k, math.nan)) for k in ("IS", "FID"))]
    return {"n": len(reports), "graded": len(graded), "errors": sorted(set(reports) - set(graded)),
            "totals": [r["total"] for r in graded.values()], "max_total": FULL,
            "parts": parts, "checks": rows, "scores": sorted(scores, key=lambda t: -t[1])}


DPI = 100  # with matplotlib's 10-point text: letters about 10 pixels high in a browser at 100%


def figures(stats):
    """[(name, matplotlib figure)]: the score histogram, the pass rate of each check, and the
    trained DCGANs' Inception Score against FID (where any were scored)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    drawn = []
    fig, ax = plt.subplots(figsize=(6, 3.2))
    top = stats["max_total"]
    ax.hist(stats["totals"], bins=[x - 0.25 for x in range(int(top) + 2)], color="#4c72b0", rwidth=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # students come whole
    ax.set_xlabel(f"autograded points (of {top:g})")
    ax.set_ylabel("students")
    ax.set_title(f"Scores of {stats['graded']} graded submissions")
    drawn.append(("score-histogram", fig))

    labels = [f"{r['title']}: {r['check']}" for r in stats["checks"]]
    rates = [100 * r["passed"] / max(r["n"], 1) for r in stats["checks"]]
    fig, ax = plt.subplots(figsize=(6, 0.24 * len(labels) + 1))
    colors = ["#55a868" if v >= 90 else "#dd8452" if v >= 50 else "#c44e52" for v in rates]  # the trouble in red
    ax.barh(range(len(labels)), rates, color=colors)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("students passing (%)")
    ax.set_title("Pass rate of each check\n(green: 90% or more; red: under half)")
    drawn.append(("check-pass-rates", fig))

    if stats["scores"]:
        fig, ax = plt.subplots(figsize=(6, 3.2))
        ax.scatter([t[2] for t in stats["scores"]], [t[1] for t in stats["scores"]],
                   color=["#55a868" if t[3] else "#c44e52" for t in stats["scores"]])  # red: its check failed
        ax.axhline(TRAINED_MIN_IS, color="#c44e52", linestyle="--", label=f"bar: IS {TRAINED_MIN_IS}")
        ax.axvline(TRAINED_MAX_FID, color="#c44e52", linestyle=":", label=f"bar: FID {TRAINED_MAX_FID:g}")
        ax.set_xscale("log")
        ax.set_xlabel("FID (lower is better)")
        ax.set_ylabel("Inception Score")
        ax.set_title("Trained DCGANs")
        ax.legend()
        drawn.append(("trained-scores", fig))
    return drawn


def png(fig):
    """The figure as PNG bytes, cut to what it draws (bbox_inches="tight": no label is clipped
    however long), and closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.1)
    plt.close(fig)
    return buffer.getvalue()


def plots(stats):
    """{name: PNG bytes} of figures(stats)."""
    return {name: png(fig) for name, fig in figures(stats)}


def shorten(message, limit=400):
    """`message` whole, or cut at the last word boundary before `limit` characters, marked."""
    if len(message) <= limit:
        return message
    cut = message[:limit].rsplit(" ", 1)[0]
    return cut + " ..."


def _sections(stats, text, image):
    """The summary as (heading, blocks), blocks being text lines or images, for both formats;
    `text` escapes what came from a submission for the format at hand."""
    n, graded = stats["n"], stats["graded"]
    totals = sorted(stats["totals"])
    median = totals[len(totals) // 2] if totals else 0
    head = [f"{n} submissions, {graded} graded" + (f"; the grader failed on {len(stats['errors'])}: "
                                                   + text(", ".join(stats["errors"][:20])) if stats["errors"] else "")
            + f". Median {median:g} of {stats['max_total']:g} points; {sum(t == stats['max_total'] for t in totals)} "
              "with full marks.", image("score-histogram")]
    parts = ["| part | students with full points |", "|---|---|"]
    parts += [f"| {p['title']} | {p['passed']} of {p['n']} |" if POINTS[p["part"]] else
              f"| {p['title']} | shown, not scored: {p['passed']} of {p['n']} pass its checks |"
              for p in stats["parts"]]
    rows = ["| part | check | passing | most common failures (count) |", "|---|---|---|---|"]
    for r in stats["checks"]:
        common = [f"{text(shorten(m))} ({c})" for m, c in r["common"]]
        if r["not_run"]:
            common.append(f"not run: an earlier check of the same function failed first ({r['not_run']})")
        rows.append(f"| {r['title']} | `{r['check']}` | {r['passed']} of {r['n']} | "
                    f"{'<br>'.join(common) or ('none' if r['passed'] == r['n'] else '')} |")
    sections = [("Scores", head), ("Parts", parts), ("Checks", [image("check-pass-rates"), ""] + rows)]
    if stats["scores"]:
        values = [t[1] for t in stats["scores"]]
        fids = sorted(t[2] for t in stats["scores"])
        if len(values) == 1:
            spread = f"1 trained generator scored: Inception Score {values[0]:.2f}, FID {fids[0]:.1f}"
        else:
            spread = (f"{len(values)} trained generators scored: Inception Score {min(values):.2f} to "
                      f"{max(values):.2f} (median {statistics.median(values):.2f}), FID {fids[0]:.1f} to "
                      f"{fids[-1]:.1f}")
        passed = sum(t[3] for t in stats["scores"])
        lines = [f"{spread}; {passed} clear the bar (IS at least {TRAINED_MIN_IS}, FID at most {TRAINED_MAX_FID:g}, "
                 "copies within bounds).", image("trained-scores"), "",
                 "| student | Inception Score | FID | clears the bar |", "|---|---|---|---|"]
        lines += [f"| {text(s)} | {i:.2f} | {f:.1f} | {'yes' if ok else 'no'} |" for s, i, f, ok in stats["scores"]]
        sections.append(("Trained DCGANs", lines))
    return sections


def write(reports, out):
    """summary.html, summary.md (plots in summary/) and checks.csv in `out`; their paths."""
    stats = class_stats(reports)
    drawn = plots(stats)
    os.makedirs(os.path.join(out, "summary"), exist_ok=True)
    for name, data in drawn.items():
        with open(os.path.join(out, "summary", f"{name}.png"), "wb") as f:
            f.write(data)
    sections = _sections(stats, md_text, lambda name: f"![{name}](summary/{name}.png)" if name in drawn else "")
    md = ["# The class at a glance", ""]
    for heading, lines in sections:
        md += [f"## {heading}", ""] + lines + [""]
    with open(os.path.join(out, "summary.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md))
    html_text = lambda s: html.escape(inert(s, lines=False)).replace("|", "&#124;")  # a bar would cut a table's row
    page = _html(_sections(stats, html_text, lambda name: f"<img alt='{name}' src='data:image/png;base64,"
                           f"{base64.b64encode(drawn[name]).decode()}'>" if name in drawn else ""))
    with open(os.path.join(out, "summary.html"), "w", encoding="utf-8") as f:
        f.write(page)
    return os.path.join(out, "summary.html"), os.path.join(out, "summary.md"), write_checks_csv(reports, out)


def _html(sections):
    """The sections as one HTML page; Markdown tables become HTML tables."""
    body = []
    for heading, lines in sections:
        body.append(f"<h2>{html.escape(heading)}</h2>")
        table = [line for line in lines if line.startswith("|")]
        for line in lines:
            if line.startswith("|"):
                continue
            body.append(line if line.startswith("<img") else f"<p>{line}</p>" if line else "")
        if table:
            cells = [[c.strip() for c in row.strip("|").split(" | ")] for row in table if not row.startswith("|---")]
            code = lambda c: re.sub(r"`([^`]*)`", r"<code>\1</code>", c)
            body.append("<table><tr>" + "".join(f"<th>{c}</th>" for c in cells[0]) + "</tr>"
                        + "".join("<tr>" + "".join(f"<td>{code(c)}</td>" for c in row) + "</tr>" for row in cells[1:])
                        + "</table>")
    style = ("body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;"
             "text-align:left;vertical-align:top}img{max-width:100%}")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>The class at a glance</title>"
            f"<style>{style}</style></head><body><h1>The class at a glance</h1>{''.join(body)}</body></html>\n")


# -----------------------------------------------------------------------------
# batch --compare OLD_GRADEBOOK


def read_old(folder):
    """({student: {part: points}}, {(student, part, check): (passed, message)}) of a gradebook
    folder that batch wrote (gradebook.csv, and checks.csv where there is one)."""
    folder = folder if os.path.isdir(folder) else os.path.dirname(os.path.abspath(folder))
    with open(os.path.join(folder, "gradebook.csv"), newline="", encoding="utf-8") as f:
        points = {read_csv_cell(row["student"]): {p: float(row[p]) for p in GRADED if row.get(p) not in (None, "")}
                  for row in csv.DictReader(f)}
    old_checks = {}
    path = os.path.join(folder, "checks.csv")
    if os.path.exists(path):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                old_checks[(read_csv_cell(row["student"]), row["part"], row["check"])] = (
                    row["passed"] == "True", read_csv_cell(row["message"]))
    return points, old_checks


def compare(old, reports):
    """[(student, part title, old points, new points, why)] for every part whose points changed
    against `old` (read_old's); why names the checks whose verdict changed (or says the
    student is new or gone)."""
    reports = {inert(s, lines=False): r for s, r in reports.items()}  # as the gradebook wrote their names
    old_points, old_checks = old
    changes = []
    for student in sorted(set(old_points) | set(reports)):
        if student not in reports:
            changes.append((student, "all", sum(old_points[student].values()), None, "not in this batch"))
            continue
        for p in reports[student]["parts"]:
            before = old_points.get(student, {}).get(p["part"])
            if before is not None and abs(before - p["points"]) < 1e-9:
                continue
            if before is None and student in old_points:
                continue  # a part the old gradebook did not have
            flipped = [f"{c}: {'passed' if old_checks[(student, p['part'], c)][0] else 'failed'} -> "
                       f"{'passed' if ok else 'failed'}" + ("" if ok else f" ({' '.join(str(m).split())[:160]})")
                       for c, ok, m in p["checks"]
                       if (student, p["part"], c) in old_checks and old_checks[(student, p["part"], c)][0] != bool(ok)]
            why = "; ".join(flipped) or ("not in the old gradebook" if student not in old_points else
                                         first_failure(p["checks"])[:160] or "no check's verdict is on record")
            changes.append((student, p["title"], before, p["points"], why))
    return changes


def write_compare(changes, old_folder, out):
    lines = [f"# Changes against {old_folder}", "", f"{len({c[0] for c in changes})} students' points changed.", "",
             "| student | part | old | new | why |", "|---|---|---|---|---|"]
    show = lambda v: "" if v is None else f"{v:g}"
    lines += [f"| {md_text(str(s))} | {md_text(p)} | {show(o)} | {show(n)} | {md_text(w)} |"
              for s, p, o, n, w in changes]
    path = os.path.join(out, "compare.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path
