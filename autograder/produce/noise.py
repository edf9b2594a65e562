"""sample_noise called as the checks need it: a small batch, two calls, a seeded pair, and a
million values for the distribution. Only what it returned comes back; the judge measures it."""
import torch

from autograder.course import NOISE_KS_SHAPE, NOISE_SEED
from autograder.produce.student import attempt, call, describe


def produce_noise(gan):
    def basic():
        # torch's generator seeded first, so that the values a message quotes (the smallest, the
        # largest) are the same on every path that checks the file, run after run
        torch.manual_seed(NOISE_SEED)
        return describe(call(gan, "sample_noise", 64, 32))

    def pair(**seed):
        found = {"first": describe(call(gan, "sample_noise", 16, 8, **seed))}
        if seed:  # how the seeded call left torch's generator: seeded with the seed, and drawn from?
            torch.manual_seed(seed["seed"])
            fresh = torch.get_rng_state()
            found["second"] = describe(call(gan, "sample_noise", 16, 8, **seed))
            found["seeded_with"] = str(torch.initial_seed())
            found["drew_from_torch"] = not torch.equal(torch.get_rng_state(), fresh)
        else:
            found["second"] = describe(call(gan, "sample_noise", 16, 8, **seed))
        return found

    def sample():
        return describe(call(gan, "sample_noise", *NOISE_KS_SHAPE, seed=NOISE_SEED))

    return {"basic": attempt(basic, "sample_noise"), "two_calls": attempt(pair, "sample_noise"),
            "seeded": attempt(lambda: pair(seed=NOISE_SEED), "sample_noise"), "sample": attempt(sample, "sample_noise")}
