"""sample_noise called as the checks need it: a small batch, two calls, a seeded pair, and a
million values for the distribution."""
import numpy as np
import torch

from autograder.course import NOISE_KS_SHAPE, NOISE_SEED
from autograder.produce.student import attempt, call, describe


def produce_noise(gan):
    def basic():
        return describe(call(gan, "sample_noise", 64, 32))

    def two_calls():
        a, b = call(gan, "sample_noise", 16, 8), call(gan, "sample_noise", 16, 8)
        return bool(torch.equal(torch.as_tensor(a), torch.as_tensor(b)))

    def seeded():
        a = call(gan, "sample_noise", 16, 8, seed=NOISE_SEED)
        b = call(gan, "sample_noise", 16, 8, seed=NOISE_SEED)
        return bool(torch.equal(torch.as_tensor(a), torch.as_tensor(b)))

    def ks():
        x = torch.as_tensor(call(gan, "sample_noise", *NOISE_KS_SHAPE, seed=NOISE_SEED))
        x = x.detach().cpu().double().numpy()
        # Independence before the distribution: a vector repeated down the batch, or a value across a row.
        rows = columns = 0  # 0: not measured (not a 2-D result; the shape check says so)
        if x.ndim == 2 and x.size:
            grid = np.ascontiguousarray(x)
            rows, columns = np.unique(grid, axis=0).shape[0], np.unique(grid, axis=1).shape[1]
        x = np.sort(x.ravel())
        cdf = (x + 1) / 2  # CDF of U[-1, 1)
        n = len(x)
        d = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
        return {"n": n, "statistic": float(d), "min": float(x[0]), "max": float(x[-1]),
                "mean": float(x.mean()), "std": float(x.std()), "distinct_rows": rows, "distinct_columns": columns}

    return {"basic": attempt(basic, "sample_noise"), "two_calls_equal": attempt(two_calls, "sample_noise"),
            "seeded_equal": attempt(seeded, "sample_noise"), "ks": attempt(ks, "sample_noise")}
