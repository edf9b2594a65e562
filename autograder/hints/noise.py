"""What a sampler's values look like against the uniform distribution on [-1, 1), and so
what to change: a sentence for the noise part's message. No torch, no student code."""
import math

from autograder.course import NOISE_KS_SHAPE


def uniformity_hint(ks):
    """What the measured values look like, and so what to change."""
    lo, hi, mean, std = ks["min"], ks["max"], ks["mean"], ks["std"]
    rows, columns = ks.get("distinct_rows"), ks.get("distinct_columns")
    call = f"sample_noise{NOISE_KS_SHAPE}"
    if rows and rows < NOISE_KS_SHAPE[0]:
        return (f"Of the {NOISE_KS_SHAPE[0]} rows of {call} only {rows} differ: draw a fresh value for every entry "
                "(torch.rand(batch_size, dim)), not one vector repeated for the whole batch.")
    if columns and columns < NOISE_KS_SHAPE[1]:
        return (f"Of the {NOISE_KS_SHAPE[1]} columns of {call} only {columns} differ: draw a fresh value for every "
                "entry (torch.rand(batch_size, dim)), not one value per row.")
    if lo >= 0:
        return (f"All values are in [{lo:.3f}, {hi:.3f}]: torch.rand gives [0, 1); stretch and shift it to "
                "[-1, 1) (2 * torch.rand(...) - 1).")
    if lo < -1 or hi >= 1:
        return f"Values reach [{lo:.3f}, {hi:.3f}], outside [-1, 1)."
    if lo > -0.99 or hi < 0.99:  # a million uniform values on [-1, 1) come within 1e-5 of both ends
        return (f"The values span only [{lo:.3f}, {hi:.3f}], not all of [-1, 1): stretch torch.rand's [0, 1) "
                "by 2, then shift it by -1.")
    if abs(mean) > 0.01:
        return f"The values are not centred on 0 (mean {mean:.3f}): check the shift to [-1, 1)."
    if abs(std - 1 / math.sqrt(3)) > 0.02:
        return (f"The values are not spread evenly over [-1, 1) (standard deviation {std:.3f}, where a uniform "
                "draw has 0.577): draw them with torch.rand (uniform), not torch.randn (normal), and rescale.")
    return "Draw every value independently with torch.rand."
