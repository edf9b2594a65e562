"""The report (report.py) rendered: as text for a terminal, as Markdown for Gradescope,
and as Gradescope's results.json, written atomically."""
import json
import os
import re
import tempfile
import textwrap

from autograder.i18n import _, padded
from instructor.grader import schema
from instructor.grader.report import (GRADER_WORDS, first_failure, isolation_line, left_out_line, manual_line,
                                     row_note, settings_line)


def report_text(report, width=100):
    lines = [_("Autograder report for {gan} (on {device}, {seconds} s)").format(
        gan=report["gan_path"], device=report["device"], seconds=f"{report['seconds']:.1f}"), isolation_line(report), ""]
    if report["grader_error"]:
        lines += [_("THE GRADER FAILED ({error}): {words}").format(error=report["grader_error"],
                                                                   words=_(GRADER_WORDS)), ""]
    if report.get("left_out"):
        lines += [left_out_line(report), ""]
    if settings_line(report):
        lines += [settings_line(report) + ".", ""]
    lines.append(padded(_("part"), 16) + padded(_("points"), 8, right=True) + "  " + _("first failure"))
    for p in report["parts"]:
        row = f"{padded(_(p['title']), 16)}{p['points']:>4g} / {p['max_points']:<2}  "
        # the whole message, wrapped under its column: the fix is often at its end
        wrapped = textwrap.wrap(row_note(p), width, break_on_hyphens=False) or [""]
        lines += [row + wrapped[0]] + [" " * len(row) + more for more in wrapped[1:]]
    lines.append(padded(_("total"), 16) + f"{report['total']:>4g} / {report['max_total']:<2}  " + _("(autograded)"))
    lines.append(_("graded by hand: {questions}").format(questions=manual_line(report)))
    smoke = first_failure(report.get("training_smoke", []))
    if report.get("training_smoke"):
        lines.append(_("training smoke test (no points): passed") if not smoke else
                     _("training smoke test (no points): failed: {failure}").format(failure=smoke))
    if report["tampered"]:
        lines.append(_("your code changed grader files, which were restored: {files}").format(
            files=", ".join(report["tampered"])))
    for phase, record in report["status"].items():
        if record and record.get("output_bytes"):
            text = record["output"]
            more = record["output_bytes"] - len(text.encode())
            heading = (_("output of gan.py during {phase} ({size} bytes, first {shown} shown):") if more > 0 else
                       _("output of gan.py during {phase} ({size} bytes):"))
            lines += ["", heading.format(phase=phase, size=f"{record['output_bytes']:,}",
                                         shown=f"{len(text.encode()):,}"), text.rstrip()]
    return schema.inert(schema.clean_text("\n".join(lines), 200_000))  # a terminal runs no escape of theirs


def md_text(text):
    """Text that Markdown shows as it is: the characters that would format it, or start
    HTML, escaped; letters and an underscore inside a name (sample_noise) left alone, so
    the text still reads plainly where Markdown is not rendered. On one line, with no control
    character (schema.inert): a newline would start a heading or end a table's row."""
    text = re.sub(r"([\\`*\[\]<>|])", r"\\\1", schema.inert(text, lines=False))
    return re.sub(r"(?<!\w)_|_(?!\w)", r"\\_", text)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula


def csv_row(values):
    """A CSV row whose text cells a spreadsheet reads as text, each on one line with no control
    character (schema.inert): one that begins as a formula
    would (=, +, -, @, a tab, a carriage return) gets a leading apostrophe, as OWASP's
    advice on CSV injection has it. Numbers stay numbers; read_csv_cell takes the mark off."""
    values = [schema.inert(v, lines=False) if isinstance(v, str) else v for v in values]  # one line, shown as typed
    return [f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS + ("'",)) else v for v in values]


def read_csv_cell(text):
    """A cell as csv_row wrote it, back as it was."""
    return text[1:] if text.startswith("'") else text


def md_block(text):
    """`text` as a fenced code block, with a fence no line of it can close."""
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    return f"{fence}\n{text}\n{fence}"


def check_lines(checks_of_part):
    """One Markdown line per check: its verdict, its name and its message."""
    return "\n".join((_("- **PASS** `{check}`: {message}") if ok else _("- **FAIL** `{check}`: {message}")).format(
        check=name, message=md_text(" ".join(message.split()))) for name, ok, message in checks_of_part)


def report_markdown(report):
    """The report as Markdown, for Gradescope: a table of the parts, then what else a
    student must know. Every piece of text that came from a submission is escaped."""
    lines = [_("**Autograder report** ({device}, {seconds} s)").format(
        device=md_text(report["device"]), seconds=f"{report['seconds']:.1f}"), "", md_text(isolation_line(report)), ""]
    if report["grader_error"]:
        lines += [_("**The grader failed** ({error}): {words}").format(error=md_text(report["grader_error"]),
                                                                       words=_(GRADER_WORDS)), ""]
    if report.get("left_out"):
        lines += [md_text(left_out_line(report)), ""]
    if settings_line(report):
        lines += [md_text(settings_line(report)) + ".", ""]
    lines += ["| " + " | ".join((_("part"), _("points"), _("first failure"))) + " |", "|---|---|---|"]
    for p in report["parts"]:
        failure = row_note(p)
        lines.append(f"| {_(p['title'])} | {p['points']:g} / {p['max_points']} | "
                     f"{md_text(failure[:300] + ('...' if len(failure) > 300 else ''))} |")
    lines.append(_("| **total** | **{total} / {most}** | (autograded) |").format(
        total=f"{report['total']:g}", most=report["max_total"]))
    lines += ["", _("Graded by hand: {questions}.").format(questions=manual_line(report))]
    smoke = first_failure(report.get("training_smoke", []))
    if report.get("training_smoke"):
        lines.append(_("Training smoke test (no points): passed.") if not smoke else
                     _("Training smoke test (no points): failed: {failure}").format(failure=md_text(smoke)))
    if report["tampered"]:
        lines.append(_("Your code changed grader files, which were restored: {files}").format(
            files=md_text(", ".join(report["tampered"]))))
    for phase, record in report["status"].items():
        if record and record.get("output_bytes"):
            lines += ["", _("Output of gan.py during {phase} ({size} bytes):").format(
                phase=md_text(phase), size=f"{record['output_bytes']:,}"), "", md_block(record["output"].rstrip())]
    return schema.inert(schema.clean_text("\n".join(lines), 200_000))


def cleared(part):
    """The trained DCGAN's scores where its check passed (it cleared the bar), else None."""
    return part.get("scores") if part.get("scores") and all(ok for _, ok, _ in part["checks"]) else None


def leaderboard(report):
    """Gradescope's leaderboard entries: the trained DCGAN's Inception Score (higher first)
    and FID (lower first), for a generator that cleared the bar; [] for any other."""
    scores = next((cleared(p) for p in report["parts"] if cleared(p)), None)
    if not scores:
        return []
    return [{"name": "Inception Score", "value": round(scores["IS"], 3), "order": "desc"},
            {"name": "FID", "value": round(scores["FID"], 2), "order": "asc"}]


def gradescope_results(report):
    """Gradescope's results.json: Markdown output (the report's table, and each part's
    checks by name), which also reads as plain text where it is not rendered."""
    tests = []
    for p in report["parts"]:
        tests.append({
            "name": _(p["title"]),
            "score": p["points"],
            "max_score": p["max_points"],
            "status": "passed" if p["points"] == p["max_points"] and all(c[1] for c in p["checks"]) else "failed",
            "output": check_lines(p["checks"]),
            "output_format": "md",
            "visibility": "visible",
        })
    results = {"score": report["total"], "execution_time": report["seconds"], "output": report_markdown(report),
               "output_format": "md", "test_output_format": "md", "tests": tests,
               "extra_data": {"isolation": report["isolation"], "grader_error": report["grader_error"],
                              "left_out": report.get("left_out"),
                              "trained_scores": next((p["scores"] for p in report["parts"] if p.get("scores")), None)}}
    if leaderboard(report):  # a course turns Gradescope's leaderboard on to show it
        results["leaderboard"] = leaderboard(report)
    return results


def write_json(path, data):
    """Write JSON as valid UTF-8, atomically: readers see the old file or the whole new one."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    # Strict JSON, which Gradescope reads: NaN and Infinity are not JSON. A non-finite number
    # never reaches a report (the schema refuses them); should one, it fails here, loudly.
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    # A fresh name no one could have laid a link at (the folder may be /tmp), renamed over the file.
    fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".tmp", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(schema.clean_text(text, len(text)))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
