"""What a sampler's values look like against the uniform distribution on [-1, 1), measured,
and so what to change: a sentence for the noise part's messages. It describes the values
(their range, how they repeat, where they pile up), never a function the student may not have
called. No torch, no student code."""
from autograder.course import NOISE_KS_SHAPE
from autograder.i18n import _


def shape_of_values(ks):
    """How the values are spread, from the judge's measurements (judge.noise.uniformity): a
    clause, or '' where nothing stands out."""
    n = ks["n"]
    if ks.get("at_ends", 0) > max(0.001, 20 * ks.get("typical_share", 0)):  # far more at the ends than elsewhere
        return _("{share:.1%} of them sit exactly at {low:.6g} or {high:.6g}: they were cut to "
                 "the range (clamped, or clipped), which piles them at its ends").format(
            share=ks["at_ends"], low=ks["min"], high=ks["max"])
    if ks.get("top_share", 0) > 0.01:
        return _("{share:.1%} of them are one and the same value, {value:.6g}: a draw gives a "
                 "fresh value each time").format(share=ks["top_share"], value=ks["top_value"])
    if ks.get("distinct", n) < min(n, 10_000):
        return _("only {distinct:,} of them differ, out of {count:,}: they are rounded, or taken from a few "
                 "values, where a uniform draw gives a fresh real number each time").format(
            distinct=ks["distinct"], count=n)
    middle = ks.get("middle")
    if middle is not None and middle > 0.40:
        return _("{share:.0%} of them lie in the middle third of their range, where a uniform draw puts a third: "
                 "they pile up in the middle, bell-shaped, as normally distributed values do").format(share=middle)
    if middle is not None and middle < 0.28:
        return _("only {share:.0%} of them lie in the middle third of their range, where a uniform draw puts a "
                 "third: they pile up towards the ends").format(share=middle)
    return ""


def uniformity_hint(ks):
    """What the measured values look like, and so what to change."""
    lo, hi, mean = ks["min"], ks["max"], ks["mean"]
    rows, columns = ks.get("distinct_rows"), ks.get("distinct_columns")
    call = f"sample_noise{NOISE_KS_SHAPE}"
    if rows and rows < NOISE_KS_SHAPE[0]:
        return _("Of the {total} rows of {call} only {distinct} differ: draw a fresh value for every entry "
                 "(torch.rand(batch_size, dim)), not one vector repeated for the whole batch.").format(
            total=NOISE_KS_SHAPE[0], call=call, distinct=rows)
    if columns and columns < NOISE_KS_SHAPE[1]:
        return _("Of the {total} columns of {call} only {distinct} differ: draw a fresh value for every "
                 "entry (torch.rand(batch_size, dim)), not one value per row.").format(
            total=NOISE_KS_SHAPE[1], call=call, distinct=columns)
    spread = shape_of_values(ks)
    if lo >= 0 and not spread:
        return _("All values are in [{lo:.3f}, {hi:.3f}]: torch.rand gives [0, 1); stretch and shift it to "
                 "[-1, 1) (2 * torch.rand(...) - 1).").format(lo=lo, hi=hi)
    if lo < -1 or hi >= 1:
        if spread:
            return _("Values reach [{lo:.3f}, {hi:.3f}], outside [-1, 1); {spread}.").format(
                lo=lo, hi=hi, spread=spread)
        return _("Values reach [{lo:.3f}, {hi:.3f}], outside [-1, 1).").format(lo=lo, hi=hi)
    if spread:
        return _("The values are not uniform: {spread}.").format(spread=spread)
    if lo > -0.99 or hi < 0.99:  # a million uniform values on [-1, 1) come within 1e-5 of both ends
        return _("The values span only [{lo:.3f}, {hi:.3f}], not all of [-1, 1): stretch torch.rand's [0, 1) "
                 "by 2, then shift it by -1.").format(lo=lo, hi=hi)
    if abs(mean) > 0.01:
        return _("The values are not centred on 0 (mean {mean:.3f}): check the shift to [-1, 1).").format(mean=mean)
    return _("Draw every value independently and uniformly on [-1, 1), as torch.rand draws on [0, 1) before a "
             "rescale.")
