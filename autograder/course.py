"""The course table: the parts of the assignment, what each is worth, and every number the
checks hold a submission to. Each is defined here once; the judges, the producers, the
notebook's check cells, `python -m autograder.submit`, the grader's reports and the
instructor's tools all read it from here. Plain values only: no torch, no student code.
"""
import os

PARTS = (
    "noise",
    "discriminator",
    "generator",
    "gan_loss",
    "optimizer",
    "lsgan_loss",
    "dc_classifier",
    "dc_generator",
)
PART_TITLES = {
    "noise": "Random noise",
    "discriminator": "Discriminator",
    "generator": "Generator",
    "gan_loss": "GAN loss",
    "optimizer": "Optimizer",
    "lsgan_loss": "LSGAN loss",
    "dc_classifier": "DC classifier",
    "dc_generator": "DC generator",
    "training": "Training smoke test",
    "trained": "Trained DCGAN",
}
# Beyond the eight parts: run_a_gan for a few iterations with the student's models (the smoke
# test, no points) and the DCGAN generator the student trained, scored by its samples.
GROUPS = PARTS + ("training", "trained")
GRADED = PARTS + ("trained",)  # the rows of a report, in order

# The language of what a student reads: the notebook and the README of the release, the check cells,
# `python -m autograder.submit` and the grader's report. "en" or "zh" (autograder/i18n.py);
# `python -m instructor release --lang zh` and `gradescope --lang zh` write theirs into the course.py
# they ship, and the environment variable GAN_LANGUAGE overrides it.
LANGUAGE = "en"

# Points per part. 0: the part is checked and shown on the report, and the total leaves it out.
POINTS = {
    "noise": 1,
    "discriminator": 1,
    "generator": 1,
    "gan_loss": 2,
    "optimizer": 1,
    "lsgan_loss": 2,
    "dc_classifier": 1,
    "dc_generator": 1,
    # The DCGAN the student trained, scored by its samples (TRAINED_MIN_IS below is the bar).
    "trained": 0,
}
# Inline questions of the notebook graded by hand: points (0: not graded).
MANUAL = {"Q1": 0, "Q2": 0, "Q3": 0, "Q4": 1, "Q5": 1, "Q6": 1}
FULL = sum(POINTS.values())  # what a complete, correct gan.py gets from the autograder

# The functions of gan.py each part asks for; the two loss parts ask for two, whose points they share.
FUNCTIONS = {
    "noise": ("sample_noise",),
    "discriminator": ("discriminator",),
    "generator": ("generator",),
    "gan_loss": ("discriminator_loss", "generator_loss"),
    "optimizer": ("get_optimizer",),
    "lsgan_loss": ("ls_discriminator_loss", "ls_generator_loss"),
    "dc_classifier": ("build_dc_classifier",),
    "dc_generator": ("build_dc_generator",),
    "training": ("run_a_gan",),
    "trained": ("build_dc_generator",),
}

# The course's training: epochs of each GAN (the notebook's parameters cell, gan.py's command
# line and the tools that train as the notebook does read them here) and the training images used.
EPOCHS = {"vanilla": 10, "lsgan": 10, "dcgan": 5}
NUM_TRAIN = 50000

# Tolerances. Losses: the course's element-wise relative error. Model outputs and
# gradients: the largest absolute difference relative to the largest reference
# magnitude, which stays meaningful where single outputs are close to zero.
LOSS_TOL = 1e-6
FORWARD_TOL = 1e-4
GRAD_TOL = 1e-4
# Weight changes after a few optimizer steps, relative to the largest change.
OPTIM_TOL = 1e-4
# Outputs this close to the reference come from the right layers computed a little
# differently, not from a wrong architecture.
NEAR_MISS = 1e-2
# Kolmogorov-Smirnov test of sample_noise against U[-1, 1) on NOISE_KS_N values:
# sqrt(n) * D exceeds 1.949 with probability 0.001 for a correct sampler, so a
# correct implementation fails this check once in a thousand seeds at most.
NOISE_KS_SHAPE = (1000, 1000)  # sample_noise(1000, 1000, seed=NOISE_SEED)
NOISE_KS_N = NOISE_KS_SHAPE[0] * NOISE_KS_SHAPE[1]
NOISE_KS_CRITICAL = 1.949
NOISE_SEED = 231
# Outputs with more elements than this are described by their shape only.
VALUE_LIMIT = 1 << 20

NOT_IMPLEMENTED = "it is not implemented yet"

# The training smoke test: run_a_gan for a few iterations on random images.
TRAINING_BATCH, TRAINING_NOISE, TRAINING_ITERATIONS = 8, 16, 4

# The trained DCGAN: the notebook saves the generator's state_dict as TRAINED_FILE beside gan.py.
# The grader loads those weights into the assignment's generator, built by the grader itself
# (autograder/trained.py), draws TRAINED_SAMPLES samples from noise seeded with the answer file's
# seed and scores them with quality/'s classifier. It passes when the samples are recognised as
# digits (Inception Score), look like MNIST as a whole (FID) and are not copies of MNIST digits,
# training or test (quality.copy_share). The bars come from the reference solution's DCGAN trained with the
# notebook's settings over several seeds (figures/trained-bar.md, written by
# `python -m instructor trained-bar`): its mean minus three standard deviations for the IS, plus
# three for the FID.
TRAINED_FILE = "dcgan_generator.pt"
TRAINED_SAMPLES = 1000
# Set from five seeds on 2026-12-05 (IS 8.57 +- 0.15, FID 45.2 +- 11.9); five more on 2026-12-06, scored by the
# grader's own generator: IS 8.53 +- 0.19, FID 47.7 +- 10.4, copies at most 1.0% (figures/trained-bar.md).
# 8.5, the CS231n assignment's target for its GAN, is an instructor's stricter choice: about a third
# of correct, fully trained generators fall below it.
TRAINED_MIN_IS = 8.1
TRAINED_MAX_FID = 81.0
TRAINED_MAX_COPIES = 0.1
TRAINED_TYPICAL = "8.57 ± 0.15 and an FID of 45 ± 12"  # the reference, for the student's message
TRAINED_LIMIT = 64 << 20  # bytes: the generator's weights take 25.5 MB (6,675,009 float32s)


def trained_beside(gan_path):
    """Where the trained generator's weights that go with the gan.py at gan_path are: beside it."""
    return os.path.join(os.path.dirname(os.path.abspath(gan_path)), TRAINED_FILE)
