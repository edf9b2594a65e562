"""The judges of sample_noise: shape and dtype, range, fresh values per call, the seed, and
the distribution (a Kolmogorov-Smirnov test against U[-1, 1))."""
import math

from autograder.course import NOISE_KS_CRITICAL, NOISE_KS_SHAPE, NOISE_SEED
from autograder.hints.noise import uniformity_hint
from autograder.judge.base import check, fail, get, require_shape, require_tensor, value


@check("noise")
def noise_shape_and_dtype(out, ans):
    rec = get(out, "basic", "sample_noise(64, 32)")
    require_tensor(rec, "sample_noise(64, 32)")
    require_shape(rec, (64, 32), "sample_noise(64, 32)")
    if rec["dtype"] != "float32":
        fail(f"sample_noise: expected dtype float32, got {rec['dtype']} (torch.rand gives float32).")
    return "shape (64, 32), float32"


@check("noise")
def noise_range_and_signs(out, ans):
    v = value(get(out, "basic", "sample_noise(64, 32)"), "sample_noise(64, 32)")
    lo, hi = float(v.min()), float(v.max())
    if not (lo >= -1 and hi < 1):
        fail(f"sample_noise: values must lie in [-1, 1); got min {lo:.4f}, max {hi:.4f}.")
    if lo >= 0 or hi <= 0:
        fail(f"sample_noise: expected both negative and positive values; got min {lo:.4f}, max {hi:.4f}. "
             "torch.rand is in [0, 1): rescale it to [-1, 1).")
    return f"values in [{lo:.3f}, {hi:.3f}]"


@check("noise")
def noise_two_calls_differ(out, ans):
    if get(out, "two_calls_equal", "sample_noise"):
        fail("sample_noise: two calls without a seed returned the same values; draw fresh random numbers each call.")
    return "two calls differ"


@check("noise")
def noise_seed_reproduces(out, ans):
    if not get(out, "seeded_equal", "sample_noise(..., seed=231)"):
        fail("sample_noise: two calls with the same seed differ. The seed reaches only torch's random generator "
             "(the provided torch.manual_seed(seed) line): draw the values with torch.rand after it, not with "
             "numpy's or Python's random generators, which that seed does not touch.")
    return "the same seed gives the same noise"


@check("noise")
def noise_is_uniform(out, ans):
    ks = get(out, "ks", f"sample_noise({NOISE_KS_SHAPE[0]}, {NOISE_KS_SHAPE[1]}, seed={NOISE_SEED})")
    limit = NOISE_KS_CRITICAL / math.sqrt(ks["n"])
    if not ks["statistic"] <= limit:
        fail(f"sample_noise: not uniform on [-1, 1): Kolmogorov-Smirnov distance {ks['statistic']:.5f} over "
             f"{ks['n']:,} values, expected at most {limit:.5f}. {uniformity_hint(ks)}")
    return f"Kolmogorov-Smirnov distance {ks['statistic']:.5f} <= {limit:.5f}"
