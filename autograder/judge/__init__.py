"""The judging side: compare what the producers returned with the answer file, where no
student code runs. Every judge is registered per part (base.check) in the module of its
part; judge() runs a part's judges and points() turns their verdicts into points. Nothing
here imports torch or calls a student's function: the grader runs it in its own process,
apart from the sandbox where the producers ran."""
from autograder.course import FUNCTIONS, POINTS
from autograder.judge import losses, models, noise, optimizer, training  # noqa: F401  (they register their judges)
from autograder.judge.base import CHECKS, CheckFailed


def judge(part, produced, ans):
    """[(check name, passed, message)] for every judge of `part`.

    A failure with the same cause as one already reported for the same function (the
    same error of the student's code, a function not written yet, an import error) is
    reported once; the later checks point back to the first.
    """
    results, first = [], {}
    for fn in CHECKS[part]:
        try:
            results.append((fn.__name__, True, fn(produced, ans)))
            continue
        except CheckFailed as err:
            message = str(err)
            cause = err.cause or message
        except Exception as err:  # malformed produced data must not stop the grading
            message = cause = f"the grader could not read the result ({type(err).__name__}: {err})"
        key = (fn.function, cause)
        if key in first:
            message = f"not checked: the same failure as {first[key]} above"
        else:
            first[key] = fn.__name__
        results.append((fn.__name__, False, message))
    return _with_settings(results, produced)


def settings_sentence(settings, all_of_them=False):
    """What importing gan.py changed of torch's settings, by line: '' where nothing that changes
    a check's result (the random seed does not: each check seeds what it draws) or, with
    all_of_them, nothing at all."""
    named = [s for s in settings or [] if all_of_them or any(
        w in s["what"] for w in ("dtype", "device", "grad mode", "deterministic"))]
    if not named:
        return ""
    lines = "; ".join(f"line {s['line']} (`{s['code']}`) changes {s['what']}" for s in named[:3])
    return (f"gan.py changes torch's global settings when it is imported: {lines}. Every part runs with them, so they "
            "may be why a check fails; settings like these are the notebook's to choose, not gan.py's")


def _with_settings(results, produced):
    """The part's first failure, said after what gan.py changed of torch's settings at import."""
    said = settings_sentence(produced.get("settings") if isinstance(produced, dict) else None)
    for i, (name, ok, message) in enumerate(results):
        if said and not ok and not message.startswith("not checked"):
            results[i] = (name, ok, f"{said}. What this check then found: {message}")
            break
    return results


def points(part, results):
    """The points `part` earns from its judged `results` (judge's): partial credit, its
    points shared equally among the functions it asks for (two for the GAN and LSGAN
    losses, the discriminator's and the generator's), a function earning its share only
    when every one of its checks passes."""
    by_function = {fn: [] for fn in FUNCTIONS[part]}
    for judge_fn, (_, ok, _) in zip(CHECKS[part], results):
        by_function[judge_fn.function].append(ok)
    share = POINTS[part] / len(by_function)
    return round(sum(share for oks in by_function.values() if all(oks)), 2)
