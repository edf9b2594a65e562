"""The judges of sample_noise: shape and dtype, range, fresh values per call, the seed, and
the distribution (a Kolmogorov-Smirnov test against U[-1, 1))."""
import math

import numpy as np

from autograder.course import NOISE_KS_CRITICAL, NOISE_KS_SHAPE, NOISE_SEED
from autograder.hints.noise import shape_of_values, uniformity_hint
from autograder.i18n import _
from autograder.judge.base import check, fail, get, require_shape, require_tensor, value


@check("noise")
def noise_shape_and_dtype(out, ans):
    rec = get(out, "basic", "sample_noise(64, 32)")
    require_tensor(rec, "sample_noise(64, 32)")
    require_shape(rec, (64, 32), "sample_noise(64, 32)")
    if rec["dtype"] != "float32":
        fail(_("sample_noise: expected dtype float32, got {dtype}: the noise is float32, as the images and the "
               "models' weights are.").format(dtype=rec["dtype"]))
    return _("shape (64, 32), float32")


@check("noise")
def noise_range_and_signs(out, ans):
    v = value(get(out, "basic", "sample_noise(64, 32)"), "sample_noise(64, 32)")
    lo, hi = float(v.min()), float(v.max())
    if not (lo >= -1 and hi < 1):
        fail(_("sample_noise: values must lie in [-1, 1); got min {lo:.4f}, max {hi:.4f}.{spread}").format(
            lo=lo, hi=hi, spread=_spread(out)))
    if lo >= 0 or hi <= 0:
        fail(_("sample_noise: expected both negative and positive values; got min {lo:.4f}, max {hi:.4f}. "
               "torch.rand is in [0, 1): rescale it to [-1, 1).").format(lo=lo, hi=hi))
    return _("values in [{lo:.3f}, {hi:.3f}]").format(lo=lo, hi=hi)


def _same_values(out, key, what):
    """Whether the two calls of a pair the part made returned the same values."""
    pair = get(out, key, what)
    first, second = (value(pair[k], what) for k in ("first", "second"))
    return first.shape == second.shape and bool(np.array_equal(first, second))


def uniformity(x):
    """What the judge measures of sample_noise's values `x` against U[-1, 1): their count, the
    Kolmogorov-Smirnov distance, range, mean and spread, and how many of the rows and the
    columns differ (a vector repeated down the batch, or one value across a row)."""
    x = np.asarray(x, dtype=np.float64)
    rows = columns = 0  # 0: not measured (not a 2-D result; the shape check says so)
    if x.ndim == 2 and x.size:
        grid = np.ascontiguousarray(x)
        rows, columns = np.unique(grid, axis=0).shape[0], np.unique(grid, axis=1).shape[1]
    x = np.sort(x.ravel())
    n = len(x)
    if not n:
        return {"n": 0, "statistic": 1.0, "min": 0.0, "max": 0.0, "mean": 0.0, "std": 0.0, "distinct_rows": 0,
                "distinct_columns": 0}
    cdf = (x + 1) / 2  # CDF of U[-1, 1)
    d = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    # how they are spread: repeats (x is sorted: runs of equal values), the ends, the middle third
    starts = np.flatnonzero(np.concatenate([[True], x[1:] != x[:-1]]))
    runs = np.diff(np.concatenate([starts, [n]]))
    top = int(np.argmax(runs))
    lo, hi = float(x[0]), float(x[-1])
    third = (hi - lo) / 3
    middle = float(np.mean((x >= lo + third) & (x < hi - third))) if hi > lo else 1.0
    return {"n": n, "statistic": float(d), "min": lo, "max": hi, "mean": float(x.mean()), "std": float(x.std()),
            "distinct_rows": rows, "distinct_columns": columns, "distinct": len(starts),
            "top_share": float(runs[top] / n), "top_value": float(x[starts[top]]),
            "at_ends": float((runs[0] + runs[-1]) / n) if len(runs) > 1 else 1.0, "middle": middle,
            "typical_share": float(np.median(runs) / n)}


def _spread(out):
    """How the million values of the distribution's call are spread, where that says more: a
    sentence, or ''."""
    sample = out.get("sample") if isinstance(out, dict) else None
    if not isinstance(sample, dict) or "value" not in sample:
        return ""
    said = shape_of_values(uniformity(sample["value"]))
    if not said:
        return ""
    return _(" Of the {count:,} values of {call}, {said}.").format(
        count=np.size(sample["value"]), call=f"sample_noise{NOISE_KS_SHAPE}", said=said)


@check("noise")
def noise_two_calls_differ(out, ans):
    if _same_values(out, "two_calls", "sample_noise(16, 8)"):
        fail(_("sample_noise: two calls without a seed returned the same values; draw fresh random numbers each "
               "call."))
    return _("two calls differ")


@check("noise")
def noise_seed_reproduces(out, ans):
    if not _same_values(out, "seeded", f"sample_noise(16, 8, seed={NOISE_SEED})"):
        pair = out["seeded"]
        if pair.get("seeded_with") not in (None, str(NOISE_SEED)):
            fail(_("sample_noise: two calls with the same seed differ: after sample_noise(16, 8, seed={seed}) "
                   "torch's random generator is seeded with {seeded_with}, not {seed}: something in the "
                   "function seeds it again after the provided torch.manual_seed(seed) line (torch.seed(), or a "
                   "manual_seed of its own); draw the values right after that line.").format(
                seed=NOISE_SEED, seeded_with=pair["seeded_with"]))
        if pair.get("drew_from_torch") is False:
            fail(_("sample_noise: two calls with the same seed differ. The seed reaches only torch's random generator "
                   "(the provided torch.manual_seed(seed) line), and the function draws nothing from it: draw the "
                   "values with torch.rand after that line, not with numpy's or Python's random generators or a "
                   "torch.Generator of your own, which that seed does not touch."))
        fail(_("sample_noise: two calls with the same seed differ. The seed reaches only torch's random generator "
               "(the provided torch.manual_seed(seed) line): draw the values with torch.rand after it, not with "
               "numpy's or Python's random generators, which that seed does not touch."))
    return _("the same seed gives the same noise")


@check("noise")
def noise_is_uniform(out, ans):
    call = f"sample_noise({NOISE_KS_SHAPE[0]}, {NOISE_KS_SHAPE[1]}, seed={NOISE_SEED})"
    ks = uniformity(value(get(out, "sample", call), call))
    limit = NOISE_KS_CRITICAL / math.sqrt(max(ks["n"], 1))
    if not ks["statistic"] <= limit:
        fail(_("sample_noise: not uniform on [-1, 1): Kolmogorov-Smirnov distance {distance:.5f} over "
               "{count:,} values, expected at most {limit:.5f}. {hint}").format(
            distance=ks["statistic"], count=ks["n"], limit=limit, hint=uniformity_hint(ks)))
    return _("Kolmogorov-Smirnov distance {distance:.5f} <= {limit:.5f}").format(distance=ks["statistic"], limit=limit)
