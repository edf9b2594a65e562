"""A held-out set of student mistakes (and of correct solutions written differently) for
gan.py: written after the messages, by someone who had not read them, and measured once
before any message was changed for it (table-heldout.md). None of these mistakes is in the
first set (cases.py).

Every case replaces the whole student block of one or more of the ten functions (the text
between a function's START and END OF YOUR CODE marker lines), and may add module-level code
right after gan.py's imports ("top"). The format is the one of cases.py, described in this
package's __init__.py.
"""
import textwrap

from instructor.tests.mistakes.cases import FUNCTIONS, PART_OF, PARTS, _b  # noqa: F401  (the set's format)

CASES = []


def _case(id, part, kind, blocks, cause, source, top=None):
    CASES.append({"id": id, "part": part, "kind": kind,
                  "blocks": {name: _b(code) for name, code in blocks.items()},
                  "top": textwrap.dedent(top).strip("\n") + "\n" if top else None,
                  "cause": cause, "source": source})


# Public sources quoted below:
S_CS231N_EXACT = ("public CS231n assignment 3 GAN code (PyTorch edition) found by exact-string code search "
                  "(repository not recorded)")
S_CS231N_TF = ("public CS231n assignment 3 GAN code (TensorFlow edition) found by exact-string code search "
               "(repository not recorded)")
S_OLD_DOCSTRING = ("the older course's docstrings, quoted in public CS231n solutions: 'logits_fake: PyTorch "
                   "Tensor of shape (N,)'")
S_DCGAN_TUT = "pytorch/tutorials beginner_source/dcgan_faces_tutorial.py"
S_BN_MOMENTUM = ("https://github.com/pytorch/examples/issues/289 (batchnorm momentum convention) and "
                 "https://github.com/kazuto1011/deeplab-pytorch/issues/79 (momentum=0.999 written as in TensorFlow)")
S_HINGE = ("aandyw/AnimeGen SAGAN/losses.py and WJ-Huang/CS274E-EigenGAN pytorch_version/loss.py "
           "(hinge loss: relu(1 - d_real) + relu(1 + d_fake), generator -mean(d_fake))")
S_INPLACE = ("https://discuss.pytorch.org/t/leaf-variable-was-used-in-an-inplace-operation/308/2 "
             "(x += 1 is in place)")
S_CHECKERBOARD = ("Odena et al., 'Deconvolution and Checkerboard Artifacts' "
                  "(https://ai.google/research/pubs/pub46191), resize-convolution; "
                  "https://runebook.dev/en/docs/pytorch/generated/torch.nn.convtranspose2d (Upsample + Conv2d)")
S_LAZY = ("https://github.com/galilai-group/stable-pretraining/issues/189 "
          "('Attempted to use an uninitialized parameter' from a LazyModule)")
S_SPECTRAL = ("public GAN discriminators found by code search, e.g. ML4SCI/QMLHEP "
              "Quantum_GAN_for_HEP_Adithya_Penagonda/Code/Hybrid_gans/models/discriminator.py (spectral_norm(nn.Linear(...)))")

# =============================================================================
# noise (sample_noise)
# =============================================================================

_case("noise_float16", "noise", "wrong",
      {"sample_noise": """
          noise = torch.rand(batch_size, dim, dtype=torch.float16) * 2 - 1  # half precision: half the memory
      """},
      "sample_noise draws the noise in half precision (dtype=torch.float16) instead of float32: the values "
      "are rounded to about 3 decimal digits and a float32 generator fails with a dtype mismatch on them.",
      "own attempt (a 'memory saving' tip applied to the noise)")

_case("noise_private_generator", "noise", "wrong",
      {"sample_noise": """
          gen = torch.Generator()
          if seed is not None:
              gen.manual_seed(seed)
          noise = 2 * torch.rand(batch_size, dim, generator=gen) - 1
      """},
      "sample_noise draws from a new torch.Generator() created on every call and seeds it only when a seed "
      "is given: an unseeded generator always starts from the same fixed default seed, so every call "
      "without a seed returns the very same noise (the global RNG that torch.manual_seed sets is never used).",
      "own attempt; torch.Generator objects as shown in "
      "https://lxy-alexander.github.io/blog/posts/pytorch/api/14randomness--reproducibility/")

_case("noise_torch_seed_reseeds", "noise", "wrong",
      {"sample_noise": """
          torch.seed()  # make sure every call gets fresh noise
          noise = 2 * torch.rand(batch_size, dim) - 1
      """},
      "sample_noise calls torch.seed() (not manual_seed), which re-seeds the global RNG from a "
      "non-deterministic source right after the provided torch.manual_seed(seed): a given seed no "
      "longer reproduces the noise.",
      "own attempt (torch.seed and torch.manual_seed confused; see https://pytorch.org/docs/master/notes/randomness.html)")

_case("noise_dim_batch_swapped", "noise", "wrong",
      {"sample_noise": """
          noise = 2 * torch.rand(dim, batch_size) - 1
      """},
      "sample_noise passes the sizes in the wrong order, torch.rand(dim, batch_size): the noise has shape "
      "(dim, batch_size) instead of (batch_size, dim).",
      "own attempt (the column-per-example convention of the earlier assignments)")

_case("noise_dcgan_4d", "noise", "wrong",
      {"sample_noise": """
          noise = 2 * torch.rand(batch_size, dim, 1, 1) - 1  # (N, nz, 1, 1) as in the DCGAN tutorial
      """},
      "sample_noise returns a 4-d tensor of shape (batch_size, dim, 1, 1), the DCGAN tutorial's noise "
      "shape, instead of (batch_size, dim); the Linear first layers of both generators expect 2-d noise.",
      S_DCGAN_TUT + " (noise = torch.randn(b_size, nz, 1, 1))")

_case("noise_difference_of_uniforms", "noise", "wrong",
      {"sample_noise": """
          noise = torch.rand(batch_size, dim) + torch.rand(batch_size, dim) * (-1)
      """},
      "sample_noise subtracts two independent uniform [0, 1) draws: the range is (-1, 1), but the sum of two "
      "uniforms has a triangular distribution (values near 0 are far more likely than values near -1 or 1), "
      "not the uniform one of 2 * rand - 1.",
      S_CS231N_EXACT + ": `temp = torch.rand(batch_size, dim) + torch.rand(batch_size, dim)*(-1)`")

_case("noise_transposed_back", "noise", "correct",
      {"sample_noise": """
          noise = (2 * torch.rand(dim, batch_size) - 1).t()  # one column per sample, then transposed
      """},
      "Draws the noise as (dim, batch_size) and transposes it with .t(): shape (batch_size, dim), float32, "
      "uniform on [-1, 1), reproducible with the seed (the values are arranged differently from the "
      "reference's, which the spec does not fix).",
      "own attempt")

_case("noise_floattensor_uniform", "noise", "correct",
      {"sample_noise": """
          noise = torch.FloatTensor(batch_size, dim).uniform_(-1, 1)
      """},
      "The older course's idiom: an uninitialised torch.FloatTensor filled in place with uniform_(-1, 1) "
      "from the global (seeded) generator: float32, uniform on [-1, 1).",
      "public code found by code search: `return torch.Tensor(batch_size, dim).uniform_(-1, 1)` "
      "(a sample_uniform_noise helper; repository not recorded)")

# =============================================================================
# discriminator
# =============================================================================

_case("disc_negative_slope_sign", "discriminator", "wrong",
      {"discriminator": """
          model = nn.Sequential(
              Flatten(),
              nn.Linear(784, 256),
              nn.LeakyReLU(negative_slope=-0.01),
              nn.Linear(256, 256),
              nn.LeakyReLU(negative_slope=-0.01),
              nn.Linear(256, 1),
          )
      """},
      "discriminator gives both LeakyReLUs negative_slope=-0.01: the sign is wrong, so negative "
      "pre-activations come out positive (f(x) = -0.01 x for x < 0) and the activation is not monotone.",
      "own attempt (the 'negative' of negative_slope typed into the value)")

_case("disc_preprocess_again", "discriminator", "wrong",
      {"discriminator": """
          class Discriminator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.net = nn.Sequential(
                      Flatten(),
                      nn.Linear(784, 256),
                      nn.LeakyReLU(0.01),
                      nn.Linear(256, 256),
                      nn.LeakyReLU(0.01),
                      nn.Linear(256, 1),
                  )

              def forward(self, x):
                  return self.net(preprocess_img(x))  # images to [-1, 1]

          model = Discriminator()
      """},
      "discriminator's forward() calls preprocess_img on its input, but the images it gets are already in "
      "[-1, 1] (run_a_gan preprocesses the real ones, the generator's tanh makes the fakes): every input is "
      "rescaled a second time, 2x - 1, to [-3, 1].",
      "own attempt (the provided preprocess_img used in the wrong place)")

_case("disc_flatten_column_major", "discriminator", "wrong",
      {"discriminator": """
          class Discriminator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc1 = nn.Linear(784, 256)
                  self.fc2 = nn.Linear(256, 256)
                  self.fc3 = nn.Linear(256, 1)

              def forward(self, x):
                  x = x.reshape(784, -1).t()  # one column per image, then (N, 784)
                  x = F.leaky_relu(self.fc1(x), 0.01)
                  x = F.leaky_relu(self.fc2(x), 0.01)
                  return self.fc3(x)

          model = Discriminator()
      """},
      "discriminator flattens with x.reshape(784, -1).t(): the reshape reads the batch row by row, so row i "
      "of the result mixes pixels of several images instead of holding image i (x.reshape(N, -1) is "
      "needed); the shapes and the parameter count are right, the logits are not.",
      "own attempt (the X of shape (D, N) convention of the earlier assignments)")

_case("disc_spectral_norm", "discriminator", "wrong",
      {"discriminator": """
          sn = nn.utils.spectral_norm
          model = nn.Sequential(
              Flatten(),
              sn(nn.Linear(784, 256)),
              nn.LeakyReLU(0.01),
              sn(nn.Linear(256, 256)),
              nn.LeakyReLU(0.01),
              sn(nn.Linear(256, 1)),
          )
      """},
      "discriminator wraps every Linear layer in nn.utils.spectral_norm (an SN-GAN stabiliser the "
      "assignment does not ask for): each weight is divided by its largest singular value, the state_dict "
      "holds weight_orig/weight_u/weight_v instead of weight, and the logits differ.",
      S_SPECTRAL)

_case("disc_squeezed_logits", "discriminator", "wrong",
      {"discriminator": """
          class Discriminator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc1 = nn.Linear(784, 256)
                  self.fc2 = nn.Linear(256, 256)
                  self.fc3 = nn.Linear(256, 1)

              def forward(self, x):
                  x = x.view(x.shape[0], -1)
                  x = F.leaky_relu(self.fc1(x), 0.01)
                  x = F.leaky_relu(self.fc2(x), 0.01)
                  return self.fc3(x).squeeze()  # one score per image

          model = Discriminator()
      """},
      "discriminator's forward() ends with .squeeze(), so it returns logits of shape (N,) instead of "
      "(N, 1) (and a 0-d tensor for a single image).",
      S_OLD_DOCSTRING)

_case("disc_prelu", "discriminator", "wrong",
      {"discriminator": """
          model = nn.Sequential(
              Flatten(),
              nn.Linear(784, 256),
              nn.PReLU(),
              nn.Linear(256, 256),
              nn.PReLU(),
              nn.Linear(256, 1),
          )
      """},
      "discriminator uses nn.PReLU() instead of LeakyReLU(0.01): PReLU's slope is a learned parameter that "
      "starts at 0.25, so the model has 2 extra parameters (267,011) and a different activation.",
      "own attempt (PReLU picked from the list of leaky activations)")

_case("disc_loop_built", "discriminator", "correct",
      {"discriminator": """
          sizes = [784, 256, 256]
          layers = [Flatten()]
          for n_in, n_out in zip(sizes[:-1], sizes[1:]):
              layers += [nn.Linear(n_in, n_out), nn.LeakyReLU(0.01)]
          layers.append(nn.Linear(sizes[-1], 1))
          model = nn.Sequential(*layers)
      """},
      "Builds the layer list in a loop over the widths and unpacks it into nn.Sequential: the same layers, "
      "created in the same order, as the reference.",
      "own attempt")

# =============================================================================
# generator
# =============================================================================

_case("gen_square_weight_not_transposed", "generator", "wrong",
      {"generator": """
          class Generator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc1 = nn.Linear(noise_dim, 1024)
                  self.fc2 = nn.Linear(1024, 1024)
                  self.fc3 = nn.Linear(1024, 784)

              def forward(self, z):
                  # y = x W + b; W transposed where the shapes asked for it
                  x = torch.relu(z @ self.fc1.weight.t() + self.fc1.bias)
                  x = torch.relu(x @ self.fc2.weight + self.fc2.bias)
                  return torch.tanh(x @ self.fc3.weight.t() + self.fc3.bias)

          model = Generator()
      """},
      "generator's forward() applies the middle layer as x @ fc2.weight without .t(): nn.Linear stores its "
      "weight as (out, in) and computes x @ W.T + b, so the 1024x1024 layer is applied with its transpose; "
      "only the square shape hides the error (the first and last layers, where the shapes complained, "
      "got their .t()).",
      "own attempt")

_case("gen_last_linear_no_bias", "generator", "wrong",
      {"generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.Linear(1024, 1024),
              nn.ReLU(),
              nn.Linear(1024, 784, bias=False),
              nn.Tanh(),
          )
      """},
      "generator's output layer is Linear(1024, 784, bias=False): without its 784 biases (1,857,536 parameters "
      "for generator(4) instead of 1,858,320) no pixel can be given its own offset before the tanh.",
      S_DCGAN_TUT + " (bias=False on every layer, a DCGAN habit)")

_case("gen_hardtanh", "generator", "wrong",
      {"generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.Linear(1024, 1024),
              nn.ReLU(),
              nn.Linear(1024, 784),
              nn.Hardtanh(),
          )
      """},
      "generator ends with nn.Hardtanh() instead of nn.Tanh(): the range [-1, 1] is the same, but values "
      "are clipped (with zero gradient outside [-1, 1]) instead of squashed smoothly.",
      "own attempt (the first 'tanh' the autocompletion offers)")

_case("gen_activation_classes", "generator", "wrong",
      {"generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU,
              nn.Linear(1024, 1024),
              nn.ReLU,
              nn.Linear(1024, 784),
              nn.Tanh,
          )
      """},
      "generator passes the classes nn.ReLU and nn.Tanh to nn.Sequential instead of instances (nn.ReLU()): "
      "nn.Sequential refuses them ('is not a Module subclass') and no model is built.",
      "own attempt (the parentheses left out, as in F.relu)")

_case("gen_block_helper", "generator", "correct",
      {"generator": """
          def block(n_in, n_out):
              return [nn.Linear(n_in, n_out), nn.ReLU(inplace=True)]

          model = nn.Sequential(
              *block(noise_dim, 1024),
              *block(1024, 1024),
              nn.Linear(1024, 784),
              nn.Tanh(),
          )
      """},
      "A small block() helper returning [Linear, ReLU] lists, unpacked into nn.Sequential (the PyTorch-GAN "
      "style, without its normalisation): the same layers in the same order.",
      "eriklindernoren/PyTorch-GAN implementations/gan/gan.py (block helper)")

# =============================================================================
# gan_loss (discriminator_loss, generator_loss)
# =============================================================================

_case("dloss_fake_term_on_real_logits", "gan_loss", "wrong",
      {"discriminator_loss": """
          real_loss = bce_loss(logits_real, torch.ones_like(logits_real))
          fake_loss = bce_loss(logits_real, torch.zeros_like(logits_fake))
          loss = real_loss + fake_loss
      """},
      "discriminator_loss computes the fake term on logits_real (a copy-paste slip): it is bce(real, 1) + "
      "bce(real, 0), logits_fake is never used and no gradient reaches the fake logits.",
      "own attempt")

_case("dloss_objective_not_negated", "gan_loss", "wrong",
      {"discriminator_loss": """
          # E[log D(x)] + E[log(1 - D(G(z)))]
          loss = F.logsigmoid(logits_real).mean() + F.logsigmoid(-logits_fake).mean()
      """},
      "discriminator_loss returns the objective the discriminator maximises, E[log D(x)] + E[log(1 - D(G(z)))], "
      "without the minus sign: the value is the negative of the loss, and minimising it trains D backwards.",
      "the notebook's minimax objective, written as D's loss without negating it; own attempt")

_case("dloss_fake_logits_detached", "gan_loss", "wrong",
      {"discriminator_loss": """
          real_loss = bce_loss(logits_real, torch.ones_like(logits_real))
          fake_loss = bce_loss(logits_fake.detach(), torch.zeros_like(logits_fake))  # no gradient to G
          loss = real_loss + fake_loss
      """},
      "discriminator_loss detaches logits_fake: the value is right, but the fake term no longer sends any "
      "gradient to the discriminator, which then learns only from real images (the fakes must be detached "
      "from G, not D's logits on them).",
      "own attempt (the fake images' .detach() of the D step moved into the loss)")

_case("dloss_hinge", "gan_loss", "wrong",
      {"discriminator_loss": """
          loss = F.relu(1.0 - logits_real).mean() + F.relu(1.0 + logits_fake).mean()
      """},
      "discriminator_loss implements the hinge loss of SN-GAN/SAGAN, mean(relu(1 - real)) + mean(relu(1 + fake)), "
      "instead of the binary cross-entropy bce(real, 1) + bce(fake, 0) the assignment specifies.",
      S_HINGE)

_case("gloss_naive_log_sigmoid", "gan_loss", "wrong",
      {"generator_loss": """
          loss = -torch.log(torch.sigmoid(logits_fake)).mean()
      """},
      "generator_loss computes -log(sigmoid(s)) literally: for strongly rejected fakes (logits below about "
      "-88 in float32) sigmoid underflows to 0 and the loss is inf, where bce_loss (or -logsigmoid) stays finite.",
      "public GAN code found by exact-string code search: "
      "`g_loss = -torch.log(torch.sigmoid(logits_fake)).mean()` (repositories not recorded)")

_case("gloss_bce_targets_1d", "gan_loss", "wrong",
      {"generator_loss": """
          N = logits_fake.size(0)
          true_labels = torch.ones(N, device=logits_fake.device)
          loss = F.binary_cross_entropy_with_logits(logits_fake, true_labels)
      """},
      "generator_loss makes its targets with torch.ones(N), of shape (N,), while the logits are (N, 1): "
      "F.binary_cross_entropy_with_logits refuses the mismatch ('Target size must be the same as input size'); "
      "use torch.ones_like(logits_fake).",
      S_OLD_DOCSTRING + "; " + S_CS231N_EXACT + ": `true_labels = Variable(torch.ones(N)).type(dtype)`")

_case("gloss_log_of_logits", "gan_loss", "wrong",
      {"generator_loss": """
          loss = -torch.log(logits_fake).mean()  # -E[log D(G(z))]
      """},
      "generator_loss takes the log of the logits as if they were D's probabilities: the sigmoid is missing, "
      "so any negative logit gives NaN.",
      "own attempt (D(G(z)) read as the discriminator's output)")

_case("gloss_wasserstein", "gan_loss", "wrong",
      {"generator_loss": """
          loss = -logits_fake.mean()
      """},
      "generator_loss returns -mean(logits_fake), the WGAN / hinge generator loss, instead of the "
      "non-saturating bce(fake, 1): linear in the logits, with no log-sigmoid.",
      S_HINGE)

_case("gloss_flipped_logit_and_label", "gan_loss", "correct",
      {"generator_loss": """
          # bce(s, 1) = bce(-s, 0): flip the sign of the logits and the label together
          loss = bce_loss(-logits_fake, torch.zeros_like(logits_fake))
      """},
      "Uses bce(-s, 0), which equals bce(s, 1) term by term: max(-s, 0) + log(1 + exp(-|s|)) is "
      "max(s, 0) - s + log(1 + exp(-|s|)).",
      "own attempt")

_case("dloss_logaddexp", "gan_loss", "correct",
      {"discriminator_loss": """
          # -log sigmoid(s) = log(1 + exp(-s)) = logaddexp(0, -s)
          zeros_r, zeros_f = torch.zeros_like(logits_real), torch.zeros_like(logits_fake)
          loss = torch.logaddexp(zeros_r, -logits_real).mean() + torch.logaddexp(zeros_f, logits_fake).mean()
      """},
      "Writes both BCE terms with torch.logaddexp(0, -s) and logaddexp(0, s), which are -log sigmoid(s) and "
      "-log(1 - sigmoid(s)) computed stably.",
      "own attempt")

# =============================================================================
# optimizer (get_optimizer)
# =============================================================================

_case("opt_drops_biases", "optimizer", "wrong",
      {"get_optimizer": """
          params = [p for name, p in model.named_parameters() if "bias" not in name]
          optimizer = torch.optim.Adam(params, lr=1e-3, betas=(0.5, 0.999))
      """},
      "get_optimizer gives Adam only the parameters whose name has no 'bias': every bias (Linear, conv and "
      "BatchNorm) is left out and never updated.",
      "own attempt (the weight-decay recipe that splits weights from biases, with the biases' group dropped)")

_case("opt_betas_reversed", "optimizer", "wrong",
      {"get_optimizer": """
          optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.999, 0.5))
      """},
      "get_optimizer swaps the two betas, betas=(0.999, 0.5): beta1 (momentum) must be 0.5 and beta2 "
      "(the second-moment average) 0.999.",
      "own attempt")

_case("opt_lr_1e3", "optimizer", "wrong",
      {"get_optimizer": """
          optimizer = torch.optim.Adam(model.parameters(), lr=1e3, betas=(0.5, 0.999))
      """},
      "get_optimizer writes lr=1e3 (one thousand) instead of 1e-3: every Adam step moves each weight by "
      "about a thousand.",
      "own attempt (a dropped minus sign)")

_case("opt_lr_tensor", "optimizer", "wrong",
      {"get_optimizer": """
          optimizer = torch.optim.Adam(model.parameters(), lr=torch.tensor(1e-3), betas=(0.5, 0.999))
      """},
      "get_optimizer passes the learning rate as a tensor, lr=torch.tensor(1e-3) (float32, 0.0010000000475): "
      "the CPU accepts it, but on a GPU Adam's default multi-tensor (foreach) step raises 'lr as a Tensor is "
      "not supported for capturable=False and foreach=True'.",
      "own attempt; the error is in torch/optim/adam.py")

_case("opt_amsgrad", "optimizer", "wrong",
      {"get_optimizer": """
          optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.999), amsgrad=True)
      """},
      "get_optimizer turns on amsgrad=True (the AMSGrad variant keeps the running maximum of the second "
      "moment), which the spec does not ask for: the steps differ from Adam's.",
      "own attempt ('the fixed Adam' from Reddi et al.)")

_case("opt_filter_requires_grad", "optimizer", "correct",
      {"get_optimizer": """
          trainable = filter(lambda p: p.requires_grad, model.parameters())
          optimizer = torch.optim.Adam(trainable, lr=0.001, betas=(0.5, 0.999))
      """},
      "Passes only the parameters that require gradients (all of them here) through filter(), and writes "
      "the learning rate as 0.001.",
      "common public training scripts (Adam(filter(lambda p: p.requires_grad, model.parameters()), ...))")

_case("opt_betas_list", "optimizer", "correct",
      {"get_optimizer": """
          optimizer = torch.optim.Adam(params=model.parameters(), lr=10 ** -3, betas=[0.5, 0.999])
      """},
      "Keyword params=, lr written as 10 ** -3 (exactly 0.001) and betas given as a list: Adam unpacks "
      "it the same way, so the settings and steps are the reference's.",
      "own attempt")

# =============================================================================
# lsgan_loss (ls_discriminator_loss, ls_generator_loss)
# =============================================================================

_case("lsd_half_on_real_only", "lsgan_loss", "wrong",
      {"ls_discriminator_loss": """
          loss = 0.5 * ((scores_real - 1) ** 2).mean() + (scores_fake ** 2).mean()
      """},
      "ls_discriminator_loss puts the factor 1/2 on the real term only: the fake term mean(D(G(z))^2) "
      "is counted twice as much as the spec's 0.5 * mean(D(G(z))^2).",
      "own attempt")

_case("lsd_minus_equals_in_place", "lsgan_loss", "wrong",
      {"ls_discriminator_loss": """
          scores_real -= 1  # distance to the target 1
          loss = 0.5 * (scores_real ** 2).mean() + 0.5 * (scores_fake ** 2).mean()
      """},
      "ls_discriminator_loss writes scores_real -= 1, which on a tensor is an in-place subtraction, not a new "
      "tensor: it overwrites the caller's scores_real, and on scores that are leaves requiring grad it "
      "raises 'a leaf Variable that requires grad is being used in an in-place operation'.",
      S_INPLACE)

_case("lsd_caret_square", "lsgan_loss", "wrong",
      {"ls_discriminator_loss": """
          loss = 0.5 * ((scores_real - 1) ^ 2).mean() + 0.5 * (scores_fake ^ 2).mean()
      """},
      "ls_discriminator_loss squares with ^, which in Python is bitwise XOR, not a power: it fails on "
      "float tensors ('bitwise_xor' not implemented for 'Float'); use ** 2.",
      "own attempt (MATLAB / LaTeX habit)")

_case("lsd_fake_target_minus_one", "lsgan_loss", "wrong",
      {"ls_discriminator_loss": """
          # a = -1 (fake), b = 1 (real)
          loss = 0.5 * ((scores_real - 1) ** 2).mean() + 0.5 * ((scores_fake + 1) ** 2).mean()
      """},
      "ls_discriminator_loss uses the paper's other coding, target a = -1 for the fakes ((D(G(z)) + 1)^2), "
      "where the assignment's loss (Mao et al. eq. 9) has a = 0, b = c = 1.",
      "Mao et al. 2017, the a = -1, b = 1, c = 0 coding (eq. 8); own attempt")

_case("lsg_missing_parentheses", "lsgan_loss", "wrong",
      {"ls_generator_loss": """
          loss = 0.5 * torch.mean(scores_fake - 1 ** 2)
      """},
      "ls_generator_loss writes scores_fake - 1 ** 2 without parentheses: ** binds first, so this is "
      "scores_fake - 1 and the loss is linear, 0.5 * mean(D(G(z)) - 1), not 0.5 * mean((D(G(z)) - 1)^2).",
      "own attempt")

_case("lsg_mean_last_axis", "lsgan_loss", "wrong",
      {"ls_generator_loss": """
          loss = 0.5 * ((scores_fake - 1) ** 2).mean(dim=-1)
      """},
      "ls_generator_loss averages over the last axis (dim=-1), which has size 1: the result is the vector of "
      "the N per-image losses, shape (N,), instead of their scalar mean over the batch.",
      "own attempt")

_case("lsg_size_average_false", "lsgan_loss", "wrong",
      {"ls_generator_loss": """
          mse = nn.MSELoss(size_average=False)
          loss = 0.5 * mse(scores_fake, torch.ones_like(scores_fake))
      """},
      "ls_generator_loss uses the deprecated nn.MSELoss(size_average=False), which means reduction='sum': "
      "the squared errors are summed over the batch, not averaged.",
      "own attempt (old PyTorch code; size_average=False is reduction='sum')")

_case("lsg_broadcast_sum_over_n", "lsgan_loss", "wrong",
      {"ls_generator_loss": """
          N = scores_fake.shape[0]
          ones = torch.ones(N, device=scores_fake.device)
          loss = 0.5 * ((scores_fake - ones) ** 2).sum() / N
      """},
      "ls_generator_loss subtracts targets of shape (N,) from scores of shape (N, 1): broadcasting makes an "
      "(N, N) matrix, so the sum has N * N terms and dividing by N leaves the loss N times too large.",
      S_CS231N_EXACT + ": `id_mat = torch.ones(N, ).type(dtype)` subtracted from (N, 1) scores")

_case("lsg_broadcast_mean", "lsgan_loss", "correct",
      {"ls_generator_loss": """
          N = scores_fake.size(0)
          target = torch.ones(N, dtype=scores_fake.dtype, device=scores_fake.device)
          loss = 0.5 * torch.mean(torch.pow(scores_fake - target, 2))
      """},
      "Targets of shape (N,) against (N, 1) scores broadcast to an (N, N) matrix whose row i repeats "
      "(s_i - 1)^2: its mean, and the gradient, are exactly the reference's (correct by accident, at N^2 memory).",
      S_CS231N_EXACT + ": `id_mat = torch.ones(N, ).type(dtype)`; `torch.mean(torch.pow(scores_fake - id_mat, 2))`")

_case("lsd_l2_loss_port", "lsgan_loss", "correct",
      {"ls_discriminator_loss": """
          # tf.nn.l2_loss(x) / N = sum(x ** 2) / (2 N)
          loss = (scores_real - 1).pow(2).sum() / (2 * scores_real.shape[0]) \\
              + scores_fake.pow(2).sum() / (2 * scores_fake.shape[0])
      """},
      "A port of the TensorFlow edition's tf.nn.l2_loss(x) / N: sum of squares over 2N for each term, which "
      "is 0.5 * mean(...) for scores of shape (N, 1).",
      S_CS231N_TF + ": `loss = tf.nn.l2_loss(scores_real - 1) / N`")

# =============================================================================
# dc_classifier (build_dc_classifier)
# =============================================================================

_case("dcc_maxpool_stride_1", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          model = nn.Sequential(
              Unflatten(-1, 1, 28, 28),
              nn.Conv2d(1, 32, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, 1),
              nn.Conv2d(32, 64, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, 1),
              Flatten(),
              nn.Linear(4 * 4 * 64, 1024),
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
          )
      """},
      "build_dc_classifier writes nn.MaxPool2d(2, 1), whose second argument is the stride: the pools do not "
      "downsample (24 -> 23, 19 -> 18), the flattened features number 18*18*64 instead of 4*4*64 and the "
      "first Linear layer fails.",
      "own attempt (MaxPool2d(2, 1) read as 'size 2, padding 1' or 'size 2, one channel')")

_case("dcc_strided_conv_no_pool", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          model = nn.Sequential(
              Unflatten(-1, 1, 28, 28),
              nn.Conv2d(1, 32, kernel_size=5, stride=2),  # strided convolutions instead of pooling
              nn.LeakyReLU(0.01),
              nn.Conv2d(32, 64, kernel_size=5, stride=2),
              nn.LeakyReLU(0.01),
              Flatten(),
              nn.Linear(4 * 4 * 64, 1024),
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
          )
      """},
      "build_dc_classifier replaces the two max-pools by stride-2 convolutions (the DCGAN guideline): the maps "
      "still come out 4x4x64 and the parameter count (1,102,721) is right, but it is a different network "
      "with different logits.",
      "Radford et al. (DCGAN) 'replace pooling layers with strided convolutions', applied where the spec pools; "
      + S_DCGAN_TUT)

_case("dcc_no_activation_between_fc", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          model = nn.Sequential(
              Unflatten(-1, 1, 28, 28),
              nn.Conv2d(1, 32, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              nn.Conv2d(32, 64, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              Flatten(),
              nn.Linear(4 * 4 * 64, 1024),
              nn.Linear(1024, 1),
          )
      """},
      "build_dc_classifier has no LeakyReLU(0.01) between Linear(4*4*64, 1024) and Linear(1024, 1): the two "
      "fully connected layers collapse into one linear map.",
      "own attempt")

_case("dcc_lazy_linear", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          model = nn.Sequential(
              Unflatten(-1, 1, 28, 28),
              nn.Conv2d(1, 32, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              nn.Conv2d(32, 64, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              Flatten(),
              nn.LazyLinear(1024),  # in_features found at the first forward
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
          )
      """},
      "build_dc_classifier uses nn.LazyLinear(1024) so as not to compute 4*4*64: until a first forward pass "
      "its weight is an uninitialised parameter, so counting parameters, initialize_weights (xavier_uniform_) "
      "and building the optimizer on the fresh model fail.",
      S_LAZY)

_case("dcc_hidden_4x64", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          model = nn.Sequential(
              Unflatten(-1, 1, 28, 28),
              nn.Conv2d(1, 32, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              nn.Conv2d(32, 64, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              Flatten(),
              nn.Linear(4 * 4 * 64, 4 * 64),
              nn.LeakyReLU(0.01),
              nn.Linear(4 * 64, 1),
          )
      """},
      "build_dc_classifier's hidden fully connected layer has 4*64 = 256 units instead of 4*4*64 = 1024 "
      "(a dropped factor 4): 314,753 parameters instead of 1,102,721.",
      S_CS231N_EXACT + ": `nn.Linear(4*4*64, 4*64)`, `nn.Linear(4*64, 1)`")

_case("dcc_pool_before_activation", "dc_classifier", "correct",
      {"build_dc_classifier": """
          model = nn.Sequential(
              Unflatten(-1, 1, 28, 28),
              nn.Conv2d(1, 32, kernel_size=5, stride=1),
              nn.MaxPool2d(2, stride=2),
              nn.LeakyReLU(0.01),
              nn.Conv2d(32, 64, kernel_size=5, stride=1),
              nn.MaxPool2d(2, stride=2),
              nn.LeakyReLU(0.01),
              Flatten(),
              nn.Linear(4 * 4 * 64, 1024),
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
          )
      """},
      "Pools before the activation: LeakyReLU(0.01) is increasing, so it commutes with max-pooling and the "
      "logits and gradients are the reference's (on 4x fewer activations).",
      "own attempt")

_case("dcc_pool_default_stride_ceil", "dc_classifier", "correct",
      {"build_dc_classifier": """
          model = nn.Sequential(
              Unflatten(-1, 1, 28, 28),
              nn.Conv2d(1, 32, (5, 5)),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, ceil_mode=True),
              nn.Conv2d(32, 64, (5, 5)),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, ceil_mode=True),
              Flatten(),
              nn.Linear(1024, 1024),
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
          )
      """},
      "MaxPool2d(2) with its default stride (the kernel size, 2) and ceil_mode=True, which changes nothing "
      "on the even sizes 24 and 8; kernel sizes as tuples and 4*4*64 written as 1024.",
      "own attempt")

# =============================================================================
# dc_generator (build_dc_generator)
# =============================================================================

_case("dcg_upsample_conv", "dc_generator", "wrong",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.BatchNorm1d(1024),
              nn.Linear(1024, 7 * 7 * 128),
              nn.ReLU(),
              nn.BatchNorm1d(7 * 7 * 128),
              Unflatten(-1, 128, 7, 7),
              nn.Upsample(scale_factor=2),
              nn.Conv2d(128, 64, kernel_size=3, padding=1),
              nn.ReLU(),
              nn.BatchNorm2d(64),
              nn.Upsample(scale_factor=2),
              nn.Conv2d(64, 1, kernel_size=3, padding=1),
              nn.Tanh(),
              Flatten(),
          )
      """},
      "build_dc_generator upsamples with nn.Upsample(scale_factor=2) + Conv2d(3x3, padding 1) (a "
      "'resize-convolution') instead of the two ConvTranspose2d(4, stride 2, padding 1) layers: the shapes "
      "are right (7 -> 14 -> 28), but the layers, the parameter count (6,523,009 instead of 6,580,801 for "
      "build_dc_generator(4)) and the images are not.",
      S_CHECKERBOARD)

_case("dcg_crop_instead_of_padding", "dc_generator", "wrong",
      {"build_dc_generator": """
          class DCGenerator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc = nn.Sequential(
                      nn.Linear(noise_dim, 1024), nn.ReLU(), nn.BatchNorm1d(1024),
                      nn.Linear(1024, 7 * 7 * 128), nn.ReLU(), nn.BatchNorm1d(7 * 7 * 128),
                  )
                  self.deconv1 = nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2)  # 7 -> 16
                  self.bn = nn.BatchNorm2d(64)
                  self.deconv2 = nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2)  # 14 -> 30

              def forward(self, z):
                  x = self.fc(z).view(-1, 128, 7, 7)
                  x = self.deconv1(x)[:, :, :14, :14]  # keep 14 x 14
                  x = self.bn(F.relu(x))
                  x = self.deconv2(x)[:, :, :28, :28]  # keep 28 x 28
                  return torch.tanh(x).reshape(x.shape[0], -1)

          model = DCGenerator()
      """},
      "build_dc_generator leaves padding at 0 in both ConvTranspose2d layers and crops the larger outputs "
      "with [:14, :14] and [:28, :28]: padding=1 removes one row and column on each side ([1:15], [1:29]), "
      "so every map is shifted by one pixel; shapes and parameters are right, the images are not.",
      "own attempt")

_case("dcg_bn_momentum_keras", "dc_generator", "wrong",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.BatchNorm1d(1024, momentum=0.99),
              nn.Linear(1024, 7 * 7 * 128),
              nn.ReLU(),
              nn.BatchNorm1d(7 * 7 * 128, momentum=0.99),
              Unflatten(-1, 128, 7, 7),
              nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1),
              nn.ReLU(),
              nn.BatchNorm2d(64, momentum=0.99),
              nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1),
              nn.Tanh(),
              Flatten(),
          )
      """},
      "build_dc_generator sets momentum=0.99 on its three BatchNorm layers, TensorFlow/Keras's convention; "
      "PyTorch's momentum is the weight of the new batch (default 0.1), so the running mean and variance "
      "are replaced by each batch's own: training-mode outputs agree, but the running statistics and the "
      "eval-mode images do not.",
      S_BN_MOMENTUM)

_case("dcg_bn_affine_false", "dc_generator", "wrong",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.BatchNorm1d(1024, affine=False),
              nn.Linear(1024, 7 * 7 * 128),
              nn.ReLU(),
              nn.BatchNorm1d(7 * 7 * 128, affine=False),
              Unflatten(-1, 128, 7, 7),
              nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1),
              nn.ReLU(),
              nn.BatchNorm2d(64, affine=False),
              nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1),
              nn.Tanh(),
              Flatten(),
          )
      """},
      "build_dc_generator creates its BatchNorm layers with affine=False: they have no learnable scale and "
      "shift (gamma, beta), 14,720 parameters are missing (6,566,081 for build_dc_generator(4)) and the "
      "normalised activations cannot be rescaled.",
      "own attempt ('BatchNorm only normalises')")

_case("dcg_bn2d_after_reshape", "dc_generator", "wrong",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.BatchNorm1d(1024),
              nn.Linear(1024, 7 * 7 * 128),
              nn.ReLU(),
              Unflatten(-1, 128, 7, 7),
              nn.BatchNorm2d(128),
              nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1),
              nn.ReLU(),
              nn.BatchNorm2d(64),
              nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1),
              nn.Tanh(),
              Flatten(),
          )
      """},
      "build_dc_generator normalises the 7*7*128 features with BatchNorm2d(128) after the reshape instead of "
      "BatchNorm1d(7*7*128) before it: statistics per channel (over N*7*7 values) instead of per feature, and "
      "256 scale/shift parameters instead of 12,544.",
      "own attempt (the DCGAN habit of BatchNorm2d after every reshaped layer)")

_case("dcg_relu_before_tanh", "dc_generator", "wrong",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.BatchNorm1d(1024),
              nn.Linear(1024, 7 * 7 * 128),
              nn.ReLU(),
              nn.BatchNorm1d(7 * 7 * 128),
              Unflatten(-1, 128, 7, 7),
              nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1),
              nn.ReLU(inplace=True),
              nn.BatchNorm2d(64),
              nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1),
              nn.ReLU(inplace=True),
              nn.Tanh(),
              Flatten(),
          )
      """},
      "build_dc_generator puts a ReLU between the last ConvTranspose2d and the Tanh: the pixels lie in "
      "[0, 1) instead of (-1, 1), so the generator can never draw the black background (-1) of MNIST.",
      S_CS231N_EXACT + ": `nn.ConvTranspose2d(64, 1, ...), nn.ReLU(inplace=True), nn.Tanh()`")

_case("dcg_missing_relu_second_fc", "dc_generator", "wrong",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.BatchNorm1d(1024),
              nn.Linear(1024, 7 * 7 * 128),
              nn.BatchNorm1d(7 * 7 * 128),
              Unflatten(-1, 128, 7, 7),
              nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1),
              nn.ReLU(),
              nn.BatchNorm2d(64),
              nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1),
              nn.Tanh(),
              Flatten(),
          )
      """},
      "build_dc_generator has no ReLU between Linear(1024, 7*7*128) and its BatchNorm1d(7*7*128): the "
      "parameter count is right, but that layer is linear.",
      S_CS231N_EXACT + ": `nn.Linear(1024, 7*7*128), nn.BatchNorm1d(7*7*128), Unflatten(...)`")

_case("dcg_crop_equals_padding", "dc_generator", "correct",
      {"build_dc_generator": """
          class DCGenerator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc = nn.Sequential(
                      nn.Linear(noise_dim, 1024), nn.ReLU(), nn.BatchNorm1d(1024),
                      nn.Linear(1024, 7 * 7 * 128), nn.ReLU(), nn.BatchNorm1d(7 * 7 * 128),
                  )
                  self.deconv1 = nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2)  # 7 -> 16
                  self.bn = nn.BatchNorm2d(64)
                  self.deconv2 = nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2)  # 14 -> 30

              def forward(self, z):
                  x = self.fc(z).view(-1, 128, 7, 7)
                  x = self.deconv1(x)[:, :, 1:-1, 1:-1]  # padding=1 crops one pixel on each side
                  x = self.bn(F.relu(x))
                  x = self.deconv2(x)[:, :, 1:-1, 1:-1]
                  return torch.tanh(x).flatten(1)

          model = DCGenerator()
      """},
      "Unpadded ConvTranspose2d layers whose outputs are cropped by one pixel on every side: that is exactly "
      "what padding=1 does in a transposed convolution, so the images are the reference's (in float64 "
      "bit for bit; in float32 up to round-off).",
      "own attempt")

# =============================================================================
# module-level code (top of the file)
# =============================================================================

_case("top_default_device_cuda", "noise", "wrong", {},
      "torch.set_default_device('cuda') at the top of gan.py makes every new tensor a CUDA tensor: "
      "sample_noise returns GPU noise (on a machine without a GPU it fails), and run_a_gan's pinned "
      "CPU-to-GPU copy of the noise no longer applies; gan.py must create CPU tensors and let the caller "
      "move them.",
      "own attempt ('run everything on the GPU' tip)",
      top="""
          torch.set_default_device("cuda")  # run everything on the GPU
      """)

_case("top_batch_size_global", "discriminator", "wrong",
      {"discriminator": """
          class Discriminator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc1 = nn.Linear(784, 256)
                  self.fc2 = nn.Linear(256, 256)
                  self.fc3 = nn.Linear(256, 1)

              def forward(self, x):
                  x = x.view(batch_size, 784)
                  x = F.leaky_relu(self.fc1(x), 0.01)
                  x = F.leaky_relu(self.fc2(x), 0.01)
                  return self.fc3(x)

          model = Discriminator()
      """},
      "A module-level batch_size = 128, copied from the notebook to the top of gan.py, is used in "
      "discriminator's forward(), x.view(batch_size, 784): the model only accepts batches of exactly 128 "
      "images (use x.shape[0] or -1).",
      S_CS231N_EXACT + " (`Unflatten(batch_size, ...)` and `.view(batch_size, ...)` with a global batch_size = 128)",
      top="""
          batch_size = 128  # as in the notebook
      """)

_case("top_torch_functional_as_F", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          class DCDiscriminator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.conv1 = nn.Conv2d(1, 32, kernel_size=5)
                  self.conv2 = nn.Conv2d(32, 64, kernel_size=5)
                  self.fc1 = nn.Linear(4 * 4 * 64, 1024)
                  self.fc2 = nn.Linear(1024, 1)

              def forward(self, x):
                  x = x.view(-1, 1, 28, 28)
                  x = F.max_pool2d(F.leaky_relu(self.conv1(x), 0.01), 2)
                  x = F.max_pool2d(F.leaky_relu(self.conv2(x), 0.01), 2)
                  x = F.leaky_relu(self.fc1(x.flatten(1)), 0.01)
                  return self.fc2(x)

          model = DCDiscriminator()
      """},
      "An added `import torch.functional as F` at the top of gan.py rebinds F to torch.functional (einsum, "
      "stft, ...), not torch.nn.functional: build_dc_classifier's forward() then fails on F.leaky_relu and "
      "F.max_pool2d, which torch.functional does not have.",
      "own attempt (torch.functional and torch.nn.functional confused)",
      top="""
          import torch.functional as F
      """)

_case("top_math_star_import", "lsgan_loss", "wrong",
      {"ls_generator_loss": """
          loss = 0.5 * pow(scores_fake - 1, 2).mean()
      """},
      "A `from math import *` at the top of gan.py shadows the built-in pow with math.pow, which only takes "
      "numbers: ls_generator_loss's pow(scores_fake - 1, 2) then fails on a tensor of N scores "
      "('only one element tensors can be converted to Python scalars').",
      "own attempt (star import for math.log / math.pi)",
      top="""
          from math import *
      """)

_case("top_dtype_floattensor", "noise", "correct",
      {"sample_noise": """
          noise = (2 * torch.rand(batch_size, dim) - 1).type(dtype)
      """},
      "The older course's idiom, dtype = torch.FloatTensor at the top of gan.py and .type(dtype) on the "
      "noise: a float32 CPU tensor, uniform on [-1, 1).",
      S_CS231N_EXACT + " (`dtype = torch.FloatTensor` with `.type(dtype)`)",
      top="""
          dtype = torch.FloatTensor
      """)

_case("top_notebook_settings", "noise", "correct", {},
      "Notebook settings pasted at the top of gan.py (matplotlib figure size, torch.manual_seed(231), "
      "cudnn.benchmark): they change nothing that the ten functions return.",
      S_CS231N_EXACT + " (plt.rcParams['figure.figsize'] = (10.0, 8.0) at the top of the file)",
      top="""
          import matplotlib.pyplot as plt

          plt.rcParams["figure.figsize"] = (10.0, 8.0)  # set default size of plots
          torch.manual_seed(231)
          torch.backends.cudnn.benchmark = True
      """)
