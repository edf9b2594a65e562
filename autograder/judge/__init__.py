"""The judging side: compare what the producers returned with the answer file, where no
student code runs. Every judge is registered per part (base.check) in the module of its
part; judge() runs a part's judges and points() turns their verdicts into points. Nothing
here imports torch or calls a student's function: the grader runs it in its own process,
apart from the sandbox where the producers ran."""
from autograder.course import FUNCTIONS, POINTS
from autograder.i18n import N_, _
from autograder.imports import settings_said
from autograder.judge import losses, models, noise, optimizer, training  # noqa: F401  (they register their judges)
from autograder.judge.base import CHECKS, CheckFailed


def judge(part, produced, ans):
    """[(check name, passed, message)] for every judge of `part`.

    A failure with the same cause as one already reported for the same function (the
    same error of the student's code, a function not written yet, an import error) is
    reported once; the later checks point back to the first.
    """
    results, first, pointing = [], {}, set()
    for fn in CHECKS[part]:
        try:
            results.append((fn.__name__, True, fn(produced, ans)))
            continue
        except CheckFailed as err:
            message = str(err)
            cause = err.cause or message
        except Exception as err:  # malformed produced data must not stop the grading
            message = cause = _("the grader could not read the result ({error}: {message})").format(
                error=type(err).__name__, message=err)
        key = (fn.function, cause)
        if key in first:
            message = _(POINTING).format(check=first[key])
            pointing.add(len(results))
        else:
            first[key] = fn.__name__
        results.append((fn.__name__, False, message))
    return _with_settings(results, produced, pointing)


POINTING = N_("not checked: the same failure as {check} above")


def points_back(message):
    """Whether a judged message only points back to an earlier failure of the same cause, in any
    language of the catalog (a class's reports may have been graded in another)."""
    from autograder.i18n import LANGUAGES, translation

    return any(message.startswith(translation(lang).gettext(POINTING).split("{check}")[0]) for lang in LANGUAGES)


def settings_sentence(settings, all_of_them=False):
    """What importing gan.py changed of torch's settings, by line: '' where nothing that changes
    a check's result (the random seed does not: each check seeds what it draws) or, with
    all_of_them, nothing at all."""
    named = [s for s in settings or [] if all_of_them or any(
        w in s["what"] for w in ("dtype", "device", "grad mode", "deterministic"))]
    if not named:
        return ""
    lines = _("; ").join(_("line {line} (`{code}`) changes {what}").format(line=s["line"], code=s["code"],
                                                                            what=settings_said(s["what"])) for s in named[:3])
    return _("gan.py changes torch's global settings when it is imported: {lines}. Every part runs with them, so they "
             "may be why a check fails; settings like these are the notebook's to choose, not gan.py's").format(
        lines=lines)


def _with_settings(results, produced, pointing=()):
    """The part's first failure, said after what gan.py changed of torch's settings at import;
    `pointing`: the indexes of the results that only point back to an earlier failure ("not
    checked: ..."), known by index, not by their words, which depend on the language."""
    said = settings_sentence(produced.get("settings") if isinstance(produced, dict) else None)
    for i, (name, ok, message) in enumerate(results):
        if said and not ok and i not in pointing:
            results[i] = (name, ok, _("{settings}. What this check then found: {message}").format(settings=said,
                                                                                              message=message))
            break
    return results


def points(part, results):
    """The points `part` earns from its judged `results` (judge's): partial credit, its
    points shared equally among the functions it asks for (two for the GAN and LSGAN
    losses, the discriminator's and the generator's), a function earning its share only
    when every one of its checks passes."""
    by_function = {fn: [] for fn in FUNCTIONS[part]}
    for judge_fn, (_name, ok, _message) in zip(CHECKS[part], results):
        by_function[judge_fn.function].append(ok)
    share = POINTS[part] / len(by_function)
    return round(sum(share for oks in by_function.values() if all(oks)), 2)
