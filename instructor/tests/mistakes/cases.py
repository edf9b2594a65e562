"""A set of student mistakes (and of correct solutions written differently) for gan.py.

Every case replaces the whole student block of one or more of the ten functions (the text
between a function's START and END OF YOUR CODE marker lines), and may add module-level code
right after gan.py's imports ("top"). The format is described in this package's __init__.py.
"""
import textwrap

PARTS = ("noise", "discriminator", "generator", "gan_loss", "optimizer", "lsgan_loss",
         "dc_classifier", "dc_generator")

FUNCTIONS = ("sample_noise", "discriminator", "generator", "discriminator_loss", "generator_loss",
             "get_optimizer", "ls_discriminator_loss", "ls_generator_loss", "build_dc_classifier",
             "build_dc_generator")

PART_OF = {"sample_noise": "noise", "discriminator": "discriminator", "generator": "generator",
           "discriminator_loss": "gan_loss", "generator_loss": "gan_loss", "get_optimizer": "optimizer",
           "ls_discriminator_loss": "lsgan_loss", "ls_generator_loss": "lsgan_loss",
           "build_dc_classifier": "dc_classifier", "build_dc_generator": "dc_generator"}


def _b(code):
    """Dedent `code` and indent it by 4 spaces, one newline-terminated line per line."""
    code = textwrap.dedent(code).strip("\n")
    return "".join(("    " + line).rstrip() + "\n" for line in code.split("\n"))


CASES = []


def _case(id, part, kind, blocks, cause, source, top=None):
    CASES.append({"id": id, "part": part, "kind": kind,
                  "blocks": {name: _b(code) for name, code in blocks.items()},
                  "top": textwrap.dedent(top).strip("\n") + "\n" if top else None,
                  "cause": cause, "source": source})


# Public sources quoted below (see README.md):
S_EECS498 = ("public UMich EECS 498-007 'A5/A6 gan.py' student solutions found by code search "
             "(repositories not recorded)")
S_CS231N_SEARCH = ("public CS231n assignment3 gan_pytorch.py student solutions found by code search "
                   "(repositories not recorded)")
S_ERIK = "eriklindernoren/PyTorch-GAN implementations/gan/gan.py"
S_GANHACKS36 = "https://github.com/soumith/ganhacks/issues/36"
S_DCGAN_TUT = "pytorch/tutorials beginner_source/dcgan_faces_tutorial.py"
S_DCGAN_EX = "pytorch/examples dcgan/main.py"
S_1219 = "1219521375/CS231n2020 assignment3/cs231n/gan_pytorch.py"
S_CHIA = "Chia202/CS231n assignment3/cs231n/gan_pytorch.py"

# =============================================================================
# noise (sample_noise)
# =============================================================================

_case("noise_rand_no_rescale", "noise", "wrong",
      {"sample_noise": """
          noise = torch.rand(batch_size, dim)
      """},
      "sample_noise returns torch.rand(batch_size, dim) unchanged, so the values are uniform on [0, 1) "
      "instead of [-1, 1); it must be stretched and shifted (2 * torch.rand(...) - 1).",
      S_CS231N_SEARCH + ": `return torch.rand((batch_size, dim)).type(dtype)`")

_case("noise_gaussian_randn", "noise", "wrong",
      {"sample_noise": """
          noise = torch.randn(batch_size, dim)
      """},
      "sample_noise draws standard normal noise with torch.randn instead of uniform noise: the values "
      "are unbounded and not uniform on [-1, 1).",
      S_EECS498 + ": `noise = torch.randn(batch_size, noise_dim, dtype=dtype, device=device)`")

_case("noise_normal_clamped", "noise", "wrong",
      {"sample_noise": """
          # Gaussian noise, clamped so that it stays in [-1, 1]
          noise = torch.randn(batch_size, dim).clamp(-1, 1)
      """},
      "sample_noise clamps Gaussian noise to [-1, 1]: the range looks right, but the values are not "
      "uniform (about a third of them pile up at exactly -1 and 1, and 1 itself is reached).",
      "own attempt (a 'fix' of the randn solution above)")

_case("noise_fixed_seed_inside", "noise", "wrong",
      {"sample_noise": """
          torch.manual_seed(0)  # so that the noise is reproducible
          noise = 2 * torch.rand(batch_size, dim) - 1
      """},
      "sample_noise calls torch.manual_seed(0) inside the block, so every call returns the same noise "
      "and the seed argument has no effect: the generator trains on one fixed batch of noise.",
      "own attempt")

_case("noise_numpy_unseeded", "noise", "wrong",
      {"sample_noise": """
          noise = torch.from_numpy(np.random.uniform(-1, 1, size=(batch_size, dim))).float()
      """},
      "sample_noise draws from NumPy's random generator, which torch.manual_seed(seed) does not seed: "
      "the shape, type and range are right, but passing a seed no longer makes the noise reproducible.",
      S_ERIK + " (noise drawn with np.random.normal)")

_case("noise_float64", "noise", "wrong",
      {"sample_noise": """
          noise = 2 * torch.rand(batch_size, dim, dtype=torch.float64) - 1  # more precision
      """},
      "sample_noise returns float64 noise (dtype=torch.float64) instead of float32; a float32 generator "
      "then fails with a dtype mismatch on it.",
      "own attempt (habit from the float64 gradient checks of the earlier assignments)")

_case("noise_half_range", "noise", "wrong",
      {"sample_noise": """
          noise = torch.rand(batch_size, dim) - 0.5  # centre the noise on 0
      """},
      "sample_noise shifts torch.rand by -0.5 but does not stretch it: the values lie in [-0.5, 0.5) "
      "instead of [-1, 1) (the factor 2 is missing).",
      "own attempt")

_case("noise_shift_then_scale", "noise", "correct",
      {"sample_noise": """
          noise = (torch.rand(batch_size, dim) - 0.5) * 2
      """},
      "Shifts first and scales second, (rand - 0.5) * 2, instead of 2 * rand - 1: the same values, "
      "bit for bit, uniform on [-1, 1).",
      "own attempt")

_case("noise_distributions_uniform", "noise", "correct",
      {"sample_noise": """
          uniform = torch.distributions.Uniform(-1.0, 1.0)
          noise = uniform.sample((batch_size, dim))
      """},
      "Samples from an explicit torch.distributions.Uniform(-1, 1), which computes low + rand * (high - low): "
      "float32 noise uniform on [-1, 1) drawn from torch's seeded generator.",
      "own attempt")

_case("noise_uniform_inplace", "noise", "correct",
      {"sample_noise": """
          noise = torch.empty(batch_size, dim).uniform_(-1, 1)
      """},
      "Fills an empty float32 tensor in place with Tensor.uniform_(-1, 1) instead of rescaling torch.rand: "
      "uniform on [-1, 1), reproducible with torch.manual_seed.",
      S_CS231N_SEARCH + " (TensorFlow edition: tf.random.uniform(shape, minval=-1, maxval=1))")

# =============================================================================
# discriminator
# =============================================================================

_case("disc_leaky_slope_02", "discriminator", "wrong",
      {"discriminator": """
          model = nn.Sequential(
              Flatten(),
              nn.Linear(784, 256),
              nn.LeakyReLU(0.2),
              nn.Linear(256, 256),
              nn.LeakyReLU(0.2),
              nn.Linear(256, 1),
          )
      """},
      "discriminator uses LeakyReLU with negative slope 0.2 (the DCGAN value) after both hidden Linear "
      "layers instead of 0.01.",
      S_ERIK + " (nn.LeakyReLU(0.2, inplace=True))")

_case("disc_no_flatten", "discriminator", "wrong",
      {"discriminator": """
          model = nn.Sequential(
              nn.Linear(784, 256),
              nn.LeakyReLU(0.01),
              nn.Linear(256, 256),
              nn.LeakyReLU(0.01),
              nn.Linear(256, 1),
          )
      """},
      "discriminator has no Flatten before Linear(784, 256): on the (N, 1, 28, 28) images the training "
      "loop passes, the first Linear layer sees a last axis of size 28 and raises a shape error.",
      S_EECS498 + " (discriminator without a flatten, because that version feeds (N, 784))")

_case("disc_sigmoid_output", "discriminator", "wrong",
      {"discriminator": """
          model = nn.Sequential(
              Flatten(),
              nn.Linear(784, 256),
              nn.LeakyReLU(0.01),
              nn.Linear(256, 256),
              nn.LeakyReLU(0.01),
              nn.Linear(256, 1),
              nn.Sigmoid(),
          )
      """},
      "discriminator ends with nn.Sigmoid(), so it returns probabilities in (0, 1) instead of logits; "
      "bce_loss then applies a second sigmoid to them.",
      S_GANHACKS36 + "; " + S_ERIK)

_case("disc_plain_relu", "discriminator", "wrong",
      {"discriminator": """
          model = nn.Sequential(
              Flatten(),
              nn.Linear(784, 256),
              nn.ReLU(),
              nn.Linear(256, 256),
              nn.ReLU(),
              nn.Linear(256, 1),
          )
      """},
      "discriminator uses plain ReLU after the two hidden Linear layers instead of LeakyReLU(0.01), so "
      "negative pre-activations pass no signal (and no gradient) at all.",
      "own attempt")

_case("disc_layers_in_python_list", "discriminator", "wrong",
      {"discriminator": """
          class Discriminator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.layers = [Flatten(), nn.Linear(784, 256), nn.LeakyReLU(0.01),
                                 nn.Linear(256, 256), nn.LeakyReLU(0.01), nn.Linear(256, 1)]

              def forward(self, x):
                  for layer in self.layers:
                      x = layer(x)
                  return x

          model = Discriminator()
      """},
      "discriminator keeps its layers in a plain Python list inside an nn.Module, so none of them is "
      "registered: the model has 0 parameters, state_dict() is empty, .to(device) does not move the layers "
      "and the optimizer gets no parameters (use nn.Sequential or nn.ModuleList).",
      "https://github.com/pytorch/pytorch/issues/666 and https://github.com/pytorch/pytorch/issues/715")

_case("disc_leakyrelu_true", "discriminator", "wrong",
      {"discriminator": """
          model = nn.Sequential(
              Flatten(),
              nn.Linear(784, 256),
              nn.LeakyReLU(True),
              nn.Linear(256, 256),
              nn.LeakyReLU(True),
              nn.Linear(256, 1),
          )
      """},
      "discriminator writes nn.LeakyReLU(True), copied from nn.ReLU(True) where True means inplace; "
      "LeakyReLU's first argument is negative_slope, so the slope is 1.0, both activations are the "
      "identity and the network is linear.",
      S_DCGAN_EX + " (nn.ReLU(True) next to nn.LeakyReLU(0.2, inplace=True))")

_case("disc_extra_dropout", "discriminator", "wrong",
      {"discriminator": """
          model = nn.Sequential(
              Flatten(),
              nn.Linear(784, 256),
              nn.LeakyReLU(0.01),
              nn.Dropout(0.3),
              nn.Linear(256, 256),
              nn.LeakyReLU(0.01),
              nn.Dropout(0.3),
              nn.Linear(256, 1),
          )
      """},
      "discriminator adds nn.Dropout(0.3) after each LeakyReLU, which the specified architecture does not "
      "have: in training mode the logits are randomly perturbed and differ from the specified network's.",
      "vanilla-GAN tutorials such as https://debuggercafe.com/vanilla-gan-pytorch/ (LeakyReLU + Dropout(0.3))")

_case("disc_last_layer_no_bias", "discriminator", "wrong",
      {"discriminator": """
          model = nn.Sequential(
              Flatten(),
              nn.Linear(784, 256),
              nn.LeakyReLU(0.01),
              nn.Linear(256, 256),
              nn.LeakyReLU(0.01),
              nn.Linear(256, 1, bias=False),
          )
      """},
      "The output layer of discriminator is Linear(256, 1, bias=False): without its bias the model has "
      "267,008 parameters instead of 267,009 and its logits are shifted.",
      S_DCGAN_TUT + " (bias=False on every layer, a DCGAN habit)")

_case("disc_module_functional", "discriminator", "correct",
      {"discriminator": """
          class Discriminator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc1 = nn.Linear(784, 256)
                  self.fc2 = nn.Linear(256, 256)
                  self.fc3 = nn.Linear(256, 1)

              def forward(self, x):
                  x = x.view(x.size(0), -1)
                  x = F.leaky_relu(self.fc1(x), 0.01)
                  x = F.leaky_relu(self.fc2(x), negative_slope=0.01)
                  return self.fc3(x)

          model = Discriminator()
      """},
      "An nn.Module subclass with a forward() that flattens with view and applies F.leaky_relu(., 0.01): "
      "the same layers, created in the same order, as the reference's nn.Sequential.",
      "own attempt")

_case("disc_nn_flatten_default_slope", "discriminator", "correct",
      {"discriminator": """
          model = nn.Sequential(
              nn.Flatten(),
              nn.Linear(784, 256),
              nn.LeakyReLU(),
              nn.Linear(256, 256),
              nn.LeakyReLU(inplace=True),
              nn.Linear(256, 1),
          )
      """},
      "Uses torch's nn.Flatten and nn.LeakyReLU() without an argument: its default negative_slope is 0.01, "
      "and inplace=True is harmless after a Linear layer.",
      S_1219 + " (nn.Flatten(), nn.LeakyReLU())")

# =============================================================================
# generator
# =============================================================================

_case("gen_no_tanh", "generator", "wrong",
      {"generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.Linear(1024, 1024),
              nn.ReLU(),
              nn.Linear(1024, 784),
          )
      """},
      "generator has no Tanh after the last Linear layer, so its images are not confined to [-1, 1], "
      "the range of the real images.",
      "own attempt")

_case("gen_sigmoid_output", "generator", "wrong",
      {"generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.Linear(1024, 1024),
              nn.ReLU(),
              nn.Linear(1024, 784),
              nn.Sigmoid(),  # pixels are in [0, 1]
          )
      """},
      "generator ends with nn.Sigmoid() instead of nn.Tanh(): its images lie in (0, 1), while the real "
      "images the discriminator sees are rescaled to [-1, 1] by preprocess_img.",
      "own attempt (pixels of ToTensor are in [0, 1])")

_case("gen_global_noise_dim", "generator", "wrong",
      {"generator": """
          model = nn.Sequential(
              nn.Linear(NOISE_DIM, 1024),
              nn.ReLU(),
              nn.Linear(1024, 1024),
              nn.ReLU(),
              nn.Linear(1024, 784),
              nn.Tanh(),
          )
      """},
      "generator sizes its first layer with the global NOISE_DIM instead of its noise_dim argument: "
      "generator(4) gets Linear(96, 1024) (1,952,528 parameters instead of 1,858,320) and fails on noise of size 4.",
      "own attempt")

_case("gen_tanh_not_assigned", "generator", "wrong",
      {"generator": """
          class Generator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc1 = nn.Linear(noise_dim, 1024)
                  self.fc2 = nn.Linear(1024, 1024)
                  self.fc3 = nn.Linear(1024, 784)

              def forward(self, z):
                  x = F.relu(self.fc1(z))
                  x = F.relu(self.fc2(x))
                  x = self.fc3(x)
                  torch.tanh(x)
                  return x

          model = Generator()
      """},
      "In generator's forward(), torch.tanh(x) is called but its result is not assigned, so the tanh is "
      "dropped and the raw outputs of the last Linear layer are returned.",
      "own attempt")

_case("gen_double_last_layer", "generator", "wrong",
      {"generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.Linear(1024, 1024),
              nn.ReLU(),
              nn.Linear(1024, 784).double(),  # more precise pixels
              nn.Tanh(),
          )
      """},
      "generator converts its last Linear layer to float64 with .double(): the float32 activations of the "
      "layer before meet float64 weights and the forward pass fails with a dtype mismatch.",
      "own attempt")

_case("gen_leaky_relu", "generator", "wrong",
      {"generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1024),
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 784),
              nn.Tanh(),
          )
      """},
      "generator uses LeakyReLU(0.01) (copied from the discriminator) instead of ReLU after its two hidden "
      "Linear layers.",
      "own attempt")

_case("gen_batchnorm_hidden", "generator", "wrong",
      {"generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.BatchNorm1d(1024),
              nn.ReLU(),
              nn.Linear(1024, 1024),
              nn.BatchNorm1d(1024),
              nn.ReLU(),
              nn.Linear(1024, 784),
              nn.Tanh(),
          )
      """},
      "generator adds BatchNorm1d(1024) before each ReLU, which the fully connected generator does not "
      "have: 4,096 extra parameters and different outputs.",
      S_ERIK + " (Linear -> BatchNorm1d -> LeakyReLU blocks)")

_case("gen_module_subclass", "generator", "correct",
      {"generator": """
          class Generator(nn.Module):
              def __init__(self, noise_dim):
                  super().__init__()
                  self.fc1 = nn.Linear(noise_dim, 1024)
                  self.fc2 = nn.Linear(1024, 1024)
                  self.fc3 = nn.Linear(1024, 784)

              def forward(self, z):
                  x = torch.relu(self.fc1(z))
                  x = torch.relu(self.fc2(x))
                  return torch.tanh(self.fc3(x))

          model = Generator(noise_dim)
      """},
      "An nn.Module subclass whose forward() applies torch.relu and torch.tanh as functions: the same "
      "layers in the same order as the reference.",
      "own attempt")

_case("gen_named_ordered_dict", "generator", "correct",
      {"generator": """
          from collections import OrderedDict
          model = nn.Sequential(OrderedDict([
              ("fc1", nn.Linear(noise_dim, 1024)),
              ("relu1", nn.ReLU(inplace=True)),
              ("fc2", nn.Linear(1024, 1024)),
              ("relu2", nn.ReLU(inplace=True)),
              ("fc3", nn.Linear(1024, 784)),
              ("tanh", nn.Tanh()),
          ]))
      """},
      "nn.Sequential built from an OrderedDict of named layers with in-place ReLUs: only the layer names "
      "differ from the reference.",
      S_EECS498 + " (one imports `from collections import OrderedDict` for its nn.Sequential)")

# =============================================================================
# gan_loss (discriminator_loss, generator_loss)
# =============================================================================

_case("dloss_labels_swapped", "gan_loss", "wrong",
      {"discriminator_loss": """
          loss = bce_loss(logits_real, torch.zeros_like(logits_real)) + bce_loss(
              logits_fake, torch.ones_like(logits_fake)
          )
      """},
      "discriminator_loss swaps the labels: real logits get target 0 and fake logits target 1.",
      "own attempt")

_case("dloss_sigmoid_then_bce", "gan_loss", "wrong",
      {"discriminator_loss": """
          probs_real = torch.sigmoid(logits_real)
          probs_fake = torch.sigmoid(logits_fake)
          loss = bce_loss(probs_real, torch.ones_like(probs_real)) + bce_loss(probs_fake, torch.zeros_like(probs_fake))
      """},
      "discriminator_loss passes torch.sigmoid(logits) to bce_loss, which already works on logits: the "
      "sigmoid is applied twice.",
      S_GANHACKS36)

_case("dloss_naive_log", "gan_loss", "wrong",
      {"discriminator_loss": """
          loss = -torch.log(torch.sigmoid(logits_real)).mean() - torch.log(1 - torch.sigmoid(logits_fake)).mean()
      """},
      "discriminator_loss computes -log(sigmoid(real)) - log(1 - sigmoid(fake)) literally: it agrees on "
      "small logits, but once logits are large (about 17 to 120 in size) the sigmoid rounds to 0 or 1 and "
      "the loss becomes inf.",
      "the notebook's GAN-loss section (why bce_loss is written the stable way); own attempt")

_case("dloss_halved", "gan_loss", "wrong",
      {"discriminator_loss": """
          real_loss = bce_loss(logits_real, torch.ones_like(logits_real))
          fake_loss = bce_loss(logits_fake, torch.zeros_like(logits_fake))
          loss = (real_loss + fake_loss) / 2
      """},
      "discriminator_loss returns the average (bce(real, 1) + bce(fake, 0)) / 2 instead of the sum the "
      "spec asks for, halving the loss and the discriminator's gradients.",
      S_ERIK + " (d_loss = (real_loss + fake_loss) / 2); junyanz/pytorch-CycleGAN-and-pix2pix "
      "models/pix2pix_model.py (loss_D = (loss_D_fake + loss_D_real) * 0.5)")

_case("dloss_concat_batches", "gan_loss", "wrong",
      {"discriminator_loss": """
          logits = torch.cat([logits_real, logits_fake], dim=0)
          labels = torch.cat([torch.ones_like(logits_real), torch.zeros_like(logits_fake)], dim=0)
          loss = bce_loss(logits, labels)
      """},
      "discriminator_loss averages one BCE over the concatenated real and fake batches: for equal batch "
      "sizes that is half of bce(real, 1) + bce(fake, 0), the sum of two separate averages that the spec asks for.",
      "own attempt (the Keras habit of training D on one concatenated real+fake batch)")

_case("dloss_sum_reduction", "gan_loss", "wrong",
      {"discriminator_loss": """
          loss = F.binary_cross_entropy_with_logits(
              logits_real, torch.ones_like(logits_real), reduction="sum"
          ) + F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake), reduction="sum")
      """},
      "discriminator_loss sums the per-image losses (reduction='sum') instead of averaging them, so the "
      "loss grows with the batch size.",
      "own attempt")

_case("dloss_labels_on_cpu", "gan_loss", "wrong",
      {"discriminator_loss": """
          N = logits_real.shape[0]
          true_labels = torch.ones(N, 1)
          false_labels = torch.zeros(N, 1)
          loss = bce_loss(logits_real, true_labels) + bce_loss(logits_fake, false_labels)
      """},
      "discriminator_loss creates its labels with torch.ones(N, 1) / torch.zeros(N, 1), which always live "
      "on the CPU: with logits on a GPU the loss fails with a device mismatch (use torch.ones_like / "
      "zeros_like, or device=logits_real.device).",
      S_1219 + " (labels made with torch.ones(N).type(dtype), right only when dtype names the logits' device)")

_case("dloss_label_smoothing", "gan_loss", "wrong",
      {"discriminator_loss": """
          real_labels = torch.full_like(logits_real, 0.9)  # one-sided label smoothing
          loss = bce_loss(logits_real, real_labels) + bce_loss(logits_fake, torch.zeros_like(logits_fake))
      """},
      "discriminator_loss uses smoothed real labels of 0.9 instead of 1 (one-sided label smoothing): a "
      "known trick, but not the loss the assignment specifies, and its values differ.",
      "soumith/ganhacks README.md (label smoothing)")

_case("dloss_argument_order", "gan_loss", "wrong",
      {"discriminator_loss": """
          loss = bce_loss(torch.ones_like(logits_real), logits_real) + bce_loss(
              torch.zeros_like(logits_fake), logits_fake
          )
      """},
      "discriminator_loss calls bce_loss(labels, logits): the arguments are in the wrong order, since "
      "bce_loss takes the logits first and the targets second.",
      "own attempt")

_case("gloss_minimax_saturating", "gan_loss", "wrong",
      {"generator_loss": """
          # minimise log(1 - D(G(z))), as in the minimax objective
          loss = -bce_loss(logits_fake, torch.zeros_like(logits_fake))
      """},
      "generator_loss implements the original minimax loss mean(log(1 - D(G(z)))) = -bce(fake, 0) instead "
      "of the non-saturating bce(fake, 1) the notebook asks for; its gradient vanishes when D rejects the fakes.",
      "the notebook's introduction (Goodfellow et al. 2014 minimax objective)")

_case("gloss_log_eps", "gan_loss", "wrong",
      {"generator_loss": """
          loss = -torch.log(torch.sigmoid(logits_fake) + 1e-8).mean()
      """},
      "generator_loss takes log(sigmoid(s) + 1e-8): the epsilon caps each term at about 18.4, so for "
      "confidently rejected fakes (logits below about -18) the loss is far too small and its gradient vanishes.",
      "public GAN code found by code search: `return -torch.mean(torch.log(pred_fake + 1e-6))` "
      "(a NonSaturatingGan class; repository not recorded)")

_case("gloss_bceloss_on_logits", "gan_loss", "wrong",
      {"generator_loss": """
          criterion = nn.BCELoss()
          loss = criterion(logits_fake, torch.ones_like(logits_fake))
      """},
      "generator_loss applies nn.BCELoss, which expects probabilities in [0, 1], directly to logits: it "
      "raises on logits outside [0, 1] (and is wrong inside); use bce_loss or BCEWithLogitsLoss.",
      S_ERIK + " (nn.BCELoss after a Sigmoid discriminator)")

_case("gloss_detached", "gan_loss", "wrong",
      {"generator_loss": """
          loss = bce_loss(logits_fake.detach(), torch.ones_like(logits_fake))
      """},
      "generator_loss detaches logits_fake, so the returned loss has the right value but no graph: no "
      "gradient reaches the generator (backward() fails).",
      "own attempt (detach copied from the discriminator step, where the fakes are detached)")

_case("gloss_label_zero", "gan_loss", "wrong",
      {"generator_loss": """
          loss = bce_loss(logits_fake, torch.zeros_like(logits_fake))
      """},
      "generator_loss uses target 0 for the fakes (bce(fake, 0)), the discriminator's objective: "
      "minimising it makes the fakes easier to reject instead of harder.",
      "own attempt")

_case("gloss_shape_one", "gan_loss", "wrong",
      {"generator_loss": """
          per_image = F.binary_cross_entropy_with_logits(logits_fake, torch.ones_like(logits_fake), reduction="none")
          loss = per_image.mean(dim=0)
      """},
      "generator_loss averages the per-image losses over dim 0 only, so it returns a tensor of shape (1,) "
      "instead of a scalar of shape ().",
      "own attempt")

_case("dloss_bce_with_logits_functional", "gan_loss", "correct",
      {"discriminator_loss": """
          real_loss = F.binary_cross_entropy_with_logits(logits_real, torch.ones_like(logits_real))
          fake_loss = F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake))
          loss = real_loss + fake_loss
      """,
       "generator_loss": """
          loss = F.binary_cross_entropy_with_logits(logits_fake, torch.ones_like(logits_fake))
      """},
      "Uses torch.nn.functional.binary_cross_entropy_with_logits (mean reduction) instead of the provided "
      "bce_loss: the same stable BCE on logits, averaged over each batch.",
      "public CS231n 2021+ solutions found by code search (binary_cross_entropy_with_logits(..., reduction='mean'))")

_case("dloss_handwritten_log1p", "gan_loss", "correct",
      {"discriminator_loss": """
          def stable_bce(s, y):
              return (torch.clamp(s, min=0) - s * y + torch.log1p(torch.exp(-torch.abs(s)))).mean()

          loss = stable_bce(logits_real, torch.ones_like(logits_real)) + stable_bce(
              logits_fake, torch.zeros_like(logits_fake))
      """},
      "Re-implements the stable BCE by hand with torch.log1p instead of calling bce_loss: "
      "max(s, 0) - s*y + log1p(exp(-|s|)), averaged per batch.",
      S_EECS498 + " (hand-written stable BCE in discriminator_loss)")

_case("dloss_bcewithlogits_module", "gan_loss", "correct",
      {"discriminator_loss": """
          criterion = nn.BCEWithLogitsLoss()
          loss = criterion(logits_real, logits_real.new_ones(logits_real.shape)) + criterion(
              logits_fake, torch.full_like(logits_fake, 0.0))
      """},
      "Uses the nn.BCEWithLogitsLoss module, with labels made by Tensor.new_ones and torch.full_like (same "
      "device and dtype as the logits).",
      S_CHIA + " (nn.BCEWithLogitsLoss)")

_case("dloss_softplus", "gan_loss", "correct",
      {"discriminator_loss": """
          # -log(sigmoid(s)) = softplus(-s), -log(1 - sigmoid(s)) = softplus(s)
          loss = F.softplus(-logits_real).mean() + F.softplus(logits_fake).mean()
      """},
      "Writes the two BCE terms with softplus, -log sigmoid(s) = softplus(-s) and -log(1 - sigmoid(s)) = "
      "softplus(s), which is stable for large logits.",
      "public GAN loss modules found by code search (real(x) = F.softplus(-x).mean(), fake(x) = F.softplus(x).mean())")

_case("gloss_logsigmoid", "gan_loss", "correct",
      {"generator_loss": """
          loss = -F.logsigmoid(logits_fake).mean()
      """},
      "Writes the non-saturating loss as -mean(logsigmoid(s)), which equals bce(s, 1) and is computed stably.",
      "own attempt")

# =============================================================================
# optimizer (get_optimizer)
# =============================================================================

_case("opt_default_betas", "optimizer", "wrong",
      {"get_optimizer": """
          optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
      """},
      "get_optimizer leaves Adam's betas at their default (0.9, 0.999) instead of (0.5, 0.999).",
      "own attempt")

_case("opt_beta2_099", "optimizer", "wrong",
      {"get_optimizer": """
          optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.99))
      """},
      "get_optimizer sets beta2 to 0.99 instead of 0.999 (betas=(0.5, 0.99)).",
      S_CS231N_SEARCH + ": `optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.99))`")

_case("opt_weight_decay", "optimizer", "wrong",
      {"get_optimizer": """
          optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.999), weight_decay=1e-4)
      """},
      "get_optimizer adds weight_decay=1e-4 (L2 regularisation) to Adam, which the spec does not ask for.",
      "own attempt")

_case("opt_exhausted_parameters", "optimizer", "wrong",
      {"get_optimizer": """
          params = model.parameters()
          print("parameter tensors:", len(list(params)))
          optimizer = torch.optim.Adam(params, lr=1e-3, betas=(0.5, 0.999))
      """},
      "get_optimizer consumes the model.parameters() generator in a debugging print and then passes the "
      "exhausted generator to Adam, which fails with 'optimizer got an empty parameter list'.",
      "own attempt; the error is discussed in https://github.com/pytorch/examples/issues/277")

_case("opt_lr_dcgan", "optimizer", "wrong",
      {"get_optimizer": """
          optimizer = torch.optim.Adam(model.parameters(), lr=2e-4, betas=(0.5, 0.999))
      """},
      "get_optimizer uses learning rate 2e-4 (the DCGAN paper's) instead of 1e-3.",
      S_DCGAN_EX + " (lr 0.0002)")

_case("opt_adamw", "optimizer", "wrong",
      {"get_optimizer": """
          optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.5, 0.999))
      """},
      "get_optimizer uses torch.optim.AdamW instead of Adam; AdamW's default weight_decay=0.01 adds a "
      "decoupled weight decay, so every update differs.",
      "own attempt")

_case("opt_betas_unpacked", "optimizer", "wrong",
      {"get_optimizer": """
          optimizer = torch.optim.Adam(model.parameters(), 1e-3, 0.5, 0.999)
      """},
      "get_optimizer passes beta1 and beta2 as two separate positional arguments: Adam's third "
      "positional parameter is the pair betas and its fourth is eps, so the call fails (0.5 is not a pair).",
      "own attempt")

_case("opt_betas_positional", "optimizer", "correct",
      {"get_optimizer": """
          optimizer = torch.optim.Adam(model.parameters(), 1e-3, (0.5, 0.999))
      """},
      "Gives lr and betas positionally, Adam(params, 1e-3, (0.5, 0.999)): the same optimizer.",
      S_CS231N_SEARCH + ": `optim.Adam(model.parameters(), 1e-3, (0.5,0.999))`")

_case("opt_param_group_dict", "optimizer", "correct",
      {"get_optimizer": """
          lr, beta1, beta2 = 1e-3, 0.5, 0.999
          optimizer = torch.optim.Adam([{"params": list(model.parameters())}], lr=lr, betas=(beta1, beta2))
      """},
      "Passes the parameters as one explicit parameter-group dict and the hyper-parameters through "
      "variables: one group over all parameters, lr 1e-3, betas (0.5, 0.999).",
      S_EECS498 + " (lr = 1e-3; b1 = 0.5; b2 = 0.999 before the Adam call)")

# =============================================================================
# lsgan_loss (ls_discriminator_loss, ls_generator_loss)
# =============================================================================

_case("lsd_no_half", "lsgan_loss", "wrong",
      {"ls_discriminator_loss": """
          loss = ((scores_real - 1) ** 2).mean() + (scores_fake ** 2).mean()
      """},
      "ls_discriminator_loss leaves out the factor 1/2 on both terms, so the loss is twice the specified one.",
      "own attempt")

_case("lsd_square_of_mean", "lsgan_loss", "wrong",
      {"ls_discriminator_loss": """
          loss = 0.5 * (scores_real.mean() - 1) ** 2 + 0.5 * scores_fake.mean() ** 2
      """},
      "ls_discriminator_loss squares the batch means, (mean(D(x)) - 1)^2, instead of averaging the squared "
      "errors, mean((D(x) - 1)^2): scores that are wrong in both directions cancel out.",
      "own attempt")

_case("lsd_sum_not_mean", "lsgan_loss", "wrong",
      {"ls_discriminator_loss": """
          loss = 0.5 * torch.sum((scores_real - 1) ** 2) + 0.5 * torch.sum(scores_fake ** 2)
      """},
      "ls_discriminator_loss sums the squared errors over the batch instead of averaging them (torch.sum "
      "where the expectation needs a mean).",
      "own attempt")

_case("lsd_targets_swapped", "lsgan_loss", "wrong",
      {"ls_discriminator_loss": """
          loss = 0.5 * (scores_real ** 2).mean() + 0.5 * ((scores_fake - 1) ** 2).mean()
      """},
      "ls_discriminator_loss swaps the targets: it pushes the real scores towards 0 and the fake scores "
      "towards 1.",
      "own attempt")

_case("lsd_sigmoid_scores", "lsgan_loss", "wrong",
      {"ls_discriminator_loss": """
          d_real = torch.sigmoid(scores_real)  # D(x) is a probability
          d_fake = torch.sigmoid(scores_fake)
          loss = 0.5 * ((d_real - 1) ** 2).mean() + 0.5 * (d_fake ** 2).mean()
      """},
      "ls_discriminator_loss applies a sigmoid to the scores before the squared error; the least-squares "
      "loss uses D's raw scores, without a sigmoid.",
      "own attempt (carrying over D(x) = sigmoid(s) from the vanilla GAN)")

_case("lsg_target_zero", "lsgan_loss", "wrong",
      {"ls_generator_loss": """
          loss = 0.5 * (scores_fake ** 2).mean()
      """},
      "ls_generator_loss uses target 0 for the fake scores, 0.5 * mean(D(G(z))^2), instead of target 1, "
      "0.5 * mean((D(G(z)) - 1)^2).",
      "own attempt")

_case("lsg_item", "lsgan_loss", "wrong",
      {"ls_generator_loss": """
          loss = 0.5 * ((scores_fake - 1) ** 2).mean().item()
      """},
      "ls_generator_loss calls .item(), so it returns a Python float instead of a tensor: the value is right "
      "but there is no graph, and the generator cannot be trained.",
      "own attempt (.item() copied from the loss printing)")

_case("lsg_mse_no_half", "lsgan_loss", "wrong",
      {"ls_generator_loss": """
          loss = F.mse_loss(scores_fake, torch.ones_like(scores_fake))
      """},
      "ls_generator_loss uses F.mse_loss, which is the plain mean of squared errors, without the factor "
      "1/2 of the LSGAN loss.",
      "own attempt")

_case("lsd_mse_loss", "lsgan_loss", "correct",
      {"ls_discriminator_loss": """
          loss = 0.5 * (F.mse_loss(scores_real, torch.ones_like(scores_real))
                        + F.mse_loss(scores_fake, torch.zeros_like(scores_fake)))
      """},
      "Writes both terms with F.mse_loss against targets 1 and 0 and halves their sum: the same loss.",
      S_CS231N_SEARCH + " (0.5 * (mse_loss(ones, scores_real) + mse_loss(zeros, scores_fake)))")

_case("lsg_pow_div", "lsgan_loss", "correct",
      {"ls_generator_loss": """
          loss = torch.mean(torch.pow(scores_fake - 1, 2)) / 2
      """},
      "Uses torch.pow and divides by 2 after torch.mean instead of 0.5 * (...).mean(): the same value.",
      S_1219)

# =============================================================================
# dc_classifier (build_dc_classifier)
# =============================================================================

_case("dcc_kernel3", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          model = nn.Sequential(
              Unflatten(-1, 1, 28, 28),
              nn.Conv2d(1, 32, kernel_size=3, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              nn.Conv2d(32, 64, kernel_size=3, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              Flatten(),
              nn.Linear(5 * 5 * 64, 1024),
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
          )
      """},
      "build_dc_classifier uses 3x3 convolutions instead of 5x5 (and so a Linear(5*5*64, 1024) layer): "
      "a different network with 1,659,265 parameters instead of 1,102,721.",
      "own attempt")

_case("dcc_avgpool", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          model = nn.Sequential(
              Unflatten(-1, 1, 28, 28),
              nn.Conv2d(1, 32, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.AvgPool2d(2, stride=2),
              nn.Conv2d(32, 64, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.AvgPool2d(2, stride=2),
              Flatten(),
              nn.Linear(4 * 4 * 64, 1024),
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
          )
      """},
      "build_dc_classifier pools with AvgPool2d instead of MaxPool2d: the parameter count is right but the "
      "logits differ.",
      "own attempt")

_case("dcc_no_unflatten", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          model = nn.Sequential(
              nn.Conv2d(1, 32, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              nn.Conv2d(32, 64, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              Flatten(),
              nn.Linear(4 * 4 * 64, 1024),
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
          )
      """},
      "build_dc_classifier does not reshape its input to (N, 1, 28, 28) first: it works on image tensors "
      "but fails on the flattened (N, 784) images the spec also allows.",
      "public CS231n solution found by code search (`#Unflatten(batch_size, 1, 28, 28),` commented out)")

_case("dcc_unflatten_dim1", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          model = nn.Sequential(
              nn.Unflatten(1, (1, 28, 28)),
              nn.Conv2d(1, 32, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              nn.Conv2d(32, 64, kernel_size=5, stride=1),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              nn.Flatten(),
              nn.Linear(4 * 4 * 64, 1024),
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
          )
      """},
      "build_dc_classifier reshapes with nn.Unflatten(1, (1, 28, 28)), which only accepts (N, 784) input: "
      "on the (N, 1, 28, 28) images the training loop passes, dimension 1 has size 1 and the model fails.",
      S_EECS498 + " (nn.Unflatten(1, (1, 28, 28)); that version feeds (N, 784))")

_case("dcc_linear_1600", "dc_classifier", "wrong",
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
              nn.Linear(1600, 1024),  # 5 * 5 * 64
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
          )
      """},
      "build_dc_classifier sizes the first Linear layer for 5x5 feature maps (1600 = 5*5*64, the 32x32 "
      "CIFAR arithmetic) instead of 4*4*64 = 1024: the forward pass fails with a shape mismatch.",
      "public CS231n-style DCGAN code found by code search (`nn.Linear(1600, 1024, bias=True)`)")

_case("dcc_same_padding", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          model = nn.Sequential(
              Unflatten(-1, 1, 28, 28),
              nn.Conv2d(1, 32, kernel_size=5, stride=1, padding=2),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              nn.Conv2d(32, 64, kernel_size=5, stride=1, padding=2),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              Flatten(),
              nn.Linear(7 * 7 * 64, 1024),
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
          )
      """},
      "build_dc_classifier pads its convolutions ('same' padding=2) where the spec has none, so the "
      "feature maps are 7x7 and the first Linear layer is 7*7*64 -> 1024 (3,265,409 parameters instead of 1,102,721).",
      "own attempt (TensorFlow padding='same' habit)")

_case("dcc_batchnorm", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          model = nn.Sequential(
              Unflatten(-1, 1, 28, 28),
              nn.Conv2d(1, 32, kernel_size=5, stride=1),
              nn.BatchNorm2d(32),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              nn.Conv2d(32, 64, kernel_size=5, stride=1),
              nn.BatchNorm2d(64),
              nn.LeakyReLU(0.01),
              nn.MaxPool2d(2, stride=2),
              Flatten(),
              nn.Linear(4 * 4 * 64, 1024),
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
          )
      """},
      "build_dc_classifier adds BatchNorm2d after each convolution (a DCGAN guideline, not part of this "
      "architecture): 192 extra parameters and different logits.",
      "public CS231n-derived DCGAN code found by code search (Conv2d -> BatchNorm2d -> LeakyReLU)")

_case("dcc_output_view_batch", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          class DCDiscriminator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.features = nn.Sequential(
                      nn.Conv2d(1, 32, kernel_size=5, stride=1),
                      nn.LeakyReLU(0.01),
                      nn.MaxPool2d(2, stride=2),
                      nn.Conv2d(32, 64, kernel_size=5, stride=1),
                      nn.LeakyReLU(0.01),
                      nn.MaxPool2d(2, stride=2),
                  )
                  self.head = nn.Sequential(nn.Linear(4 * 4 * 64, 1024), nn.LeakyReLU(0.01), nn.Linear(1024, 1))

              def forward(self, x):
                  x = x.view(batch_size, 1, 28, 28)
                  x = self.features(x).view(batch_size, -1)
                  return self.head(x).view(batch_size)

          model = DCDiscriminator()
      """},
      "build_dc_classifier's forward() ends with .view(batch_size), which drops the second axis: it returns "
      "logits of shape (batch_size,) instead of (batch_size, 1).",
      "own attempt (older course docstrings said logits of shape (N,))")

_case("dcc_flatten_channels_last", "dc_classifier", "wrong",
      {"build_dc_classifier": """
          class DCDiscriminator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.conv1 = nn.Conv2d(1, 32, kernel_size=5, stride=1)
                  self.conv2 = nn.Conv2d(32, 64, kernel_size=5, stride=1)
                  self.fc1 = nn.Linear(4 * 4 * 64, 1024)
                  self.fc2 = nn.Linear(1024, 1)

              def forward(self, x):
                  x = x.reshape(-1, 1, 28, 28)
                  x = F.max_pool2d(F.leaky_relu(self.conv1(x), 0.01), 2, 2)
                  x = F.max_pool2d(F.leaky_relu(self.conv2(x), 0.01), 2, 2)
                  x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # (N, H, W, C) as in TensorFlow
                  x = F.leaky_relu(self.fc1(x), 0.01)
                  return self.fc2(x)

          model = DCDiscriminator()
      """},
      "build_dc_classifier flattens the feature maps channels-last (permute to N, H, W, C first, as in the "
      "TensorFlow version): shapes and parameter count are right, but the first Linear layer sees its "
      "inputs in a different order, so the logits differ for the same weights.",
      S_CS231N_SEARCH + " (the TensorFlow edition of the assignment works channels last, NHWC, and flattens in that order)")

_case("dcc_leaky_after_last", "dc_classifier", "wrong",
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
              nn.LeakyReLU(0.01),
              nn.Linear(1024, 1),
              nn.LeakyReLU(0.01),
          )
      """},
      "build_dc_classifier puts a LeakyReLU(0.01) after the final Linear(1024, 1) as well: negative logits "
      "are shrunk a hundredfold, so D can hardly call an image fake.",
      "own attempt")

_case("dcc_module_functional", "dc_classifier", "correct",
      {"build_dc_classifier": """
          class DCDiscriminator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.conv1 = nn.Conv2d(1, 32, 5)
                  self.conv2 = nn.Conv2d(32, 64, 5)
                  self.fc1 = nn.Linear(1024, 1024)
                  self.fc2 = nn.Linear(1024, 1)
                  self.flatten = nn.Flatten()

              def forward(self, x):
                  x = x.reshape(x.shape[0], 1, 28, 28)
                  x = F.max_pool2d(F.leaky_relu(self.conv1(x), 0.01), kernel_size=2, stride=2)
                  x = F.max_pool2d(F.leaky_relu(self.conv2(x), 0.01), kernel_size=2, stride=2)
                  x = F.leaky_relu(self.fc1(self.flatten(x)), 0.01)
                  return self.fc2(x)

          model = DCDiscriminator()
      """},
      "An nn.Module subclass with functional activations and pooling (F.leaky_relu, F.max_pool2d), "
      "reshaping with x.reshape and flattening with nn.Flatten: the same layers in the same order.",
      "own attempt")

_case("dcc_default_slope_inplace", "dc_classifier", "correct",
      {"build_dc_classifier": """
          model = nn.Sequential(
              Unflatten(-1, 1, 28, 28),
              nn.Conv2d(in_channels=1, out_channels=32, kernel_size=5, stride=1),
              nn.LeakyReLU(negative_slope=0.01, inplace=True),
              nn.MaxPool2d(kernel_size=2, stride=2),
              nn.Conv2d(in_channels=32, out_channels=64, kernel_size=5, stride=1),
              nn.LeakyReLU(inplace=True),
              nn.MaxPool2d(kernel_size=2, stride=2),
              nn.Flatten(),
              nn.Linear(4 * 4 * 64, 4 * 4 * 64),
              nn.LeakyReLU(),
              nn.Linear(4 * 4 * 64, 1),
          )
      """},
      "Keyword arguments everywhere, in-place LeakyReLUs with the default slope 0.01, and the hidden width "
      "written as 4*4*64, which is 1024.",
      S_1219 + " (Linear(4 * 4 * 64, 4 * 4 * 64), nn.LeakyReLU()); public CS231n-style code "
      "(nn.LeakyReLU(negative_slope=0.01, inplace=True))")

# =============================================================================
# dc_generator (build_dc_generator)
# =============================================================================

_case("dcg_bn_before_relu", "dc_generator", "wrong",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.BatchNorm1d(1024),
              nn.ReLU(),
              nn.Linear(1024, 7 * 7 * 128),
              nn.BatchNorm1d(7 * 7 * 128),
              nn.ReLU(),
              Unflatten(-1, 128, 7, 7),
              nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1),
              nn.BatchNorm2d(64),
              nn.ReLU(),
              nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1),
              nn.Tanh(),
              Flatten(),
          )
      """},
      "build_dc_generator puts each BatchNorm before its ReLU (the usual DCGAN order) while this "
      "architecture (InfoGAN's) has ReLU then BatchNorm: same parameters, different outputs.",
      S_DCGAN_TUT + " (ConvTranspose2d -> BatchNorm2d -> ReLU)")

_case("dcg_no_padding", "dc_generator", "wrong",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.BatchNorm1d(1024),
              nn.Linear(1024, 7 * 7 * 128),
              nn.ReLU(),
              nn.BatchNorm1d(7 * 7 * 128),
              Unflatten(-1, 128, 7, 7),
              nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2),
              nn.ReLU(),
              nn.BatchNorm2d(64),
              nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2),
              nn.Tanh(),
              Flatten(),
          )
      """},
      "build_dc_generator leaves out padding=1 on both ConvTranspose2d layers, so the maps grow 7 -> 16 -> 34 "
      "instead of 7 -> 14 -> 28 and the images have 1156 pixels instead of 784.",
      "own attempt")

_case("dcg_kernel3_output_padding", "dc_generator", "wrong",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.BatchNorm1d(1024),
              nn.Linear(1024, 7 * 7 * 128),
              nn.ReLU(),
              nn.BatchNorm1d(7 * 7 * 128),
              Unflatten(-1, 128, 7, 7),
              nn.ConvTranspose2d(128, 64, kernel_size=3, stride=2, padding=1, output_padding=1),
              nn.ReLU(),
              nn.BatchNorm2d(64),
              nn.ConvTranspose2d(64, 1, kernel_size=3, stride=2, padding=1, output_padding=1),
              nn.Tanh(),
              Flatten(),
          )
      """},
      "build_dc_generator uses 3x3 transposed convolutions with output_padding=1 instead of 4x4 ones: the "
      "image size still comes out 28x28, but the layers (and the parameter count: build_dc_generator(4) has 6,523,009 "
      "instead of 6,580,801) are not the specified ones.",
      "own attempt")

_case("dcg_eval_mode", "dc_generator", "wrong",
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
              nn.ReLU(),
              nn.BatchNorm2d(64),
              nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1),
              nn.Tanh(),
              Flatten(),
          )
          model.eval()  # so that BatchNorm behaves when sampling
      """},
      "build_dc_generator returns the model in eval mode (model.eval()), so its BatchNorm layers normalise "
      "with running statistics instead of the batch's, as they must during training.",
      "own attempt")

_case("dcg_no_final_flatten", "dc_generator", "wrong",
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
              nn.ReLU(),
              nn.BatchNorm2d(64),
              nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1),
              nn.Tanh(),
          )
      """},
      "build_dc_generator does not flatten its output back, so it returns images of shape (N, 1, 28, 28) "
      "instead of (N, 784).",
      "own attempt")

_case("dcg_global_noise_dim", "dc_generator", "wrong",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(NOISE_DIM, 1024),
              nn.ReLU(),
              nn.BatchNorm1d(1024),
              nn.Linear(1024, 7 * 7 * 128),
              nn.ReLU(),
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
      "build_dc_generator sizes its first Linear layer with the global NOISE_DIM instead of the noise_dim "
      "argument: build_dc_generator(4) has 6,675,009 parameters instead of 6,580,801 and fails on noise of size 4.",
      "own attempt")

_case("dcg_unflatten_channels_last", "dc_generator", "wrong",
      {"build_dc_generator": """
          class DCGenerator(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc = nn.Sequential(
                      nn.Linear(noise_dim, 1024), nn.ReLU(), nn.BatchNorm1d(1024),
                      nn.Linear(1024, 7 * 7 * 128), nn.ReLU(), nn.BatchNorm1d(7 * 7 * 128),
                  )
                  self.deconv = nn.Sequential(
                      nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1), nn.ReLU(), nn.BatchNorm2d(64),
                      nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1), nn.Tanh(),
                  )

              def forward(self, z):
                  x = self.fc(z)
                  x = x.view(-1, 7, 7, 128).permute(0, 3, 1, 2)  # reshape to 7x7x128, then channels first
                  return self.deconv(x).reshape(z.shape[0], 784)

          model = DCGenerator()
      """},
      "build_dc_generator reshapes the 6272 features as (N, 7, 7, 128) and permutes to channels-first, "
      "instead of reading them as (N, 128, 7, 7): the shapes and parameters are right, but each channel "
      "gets different features, so the images differ for the same weights.",
      S_CS231N_SEARCH + " (the TensorFlow edition's generator: tf.keras.layers.Reshape((7, 7, 128)), channels last)")

_case("dcg_batchnorm_eps_08", "dc_generator", "wrong",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.BatchNorm1d(1024, 0.8),
              nn.Linear(1024, 7 * 7 * 128),
              nn.ReLU(),
              nn.BatchNorm1d(7 * 7 * 128, 0.8),
              Unflatten(-1, 128, 7, 7),
              nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1),
              nn.ReLU(),
              nn.BatchNorm2d(64, 0.8),
              nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1),
              nn.Tanh(),
              Flatten(),
          )
      """},
      "build_dc_generator writes BatchNorm1d(1024, 0.8) etc., meaning momentum 0.8, but the second "
      "positional argument of BatchNorm is eps: every BatchNorm adds 0.8 to the variance, so the "
      "activations are barely normalised.",
      S_ERIK + " (nn.BatchNorm1d(out_feat, 0.8)); tommyvsfu1/MLDS_ADL_GAN report.md")

_case("dcg_convtranspose_no_bias", "dc_generator", "wrong",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024),
              nn.ReLU(),
              nn.BatchNorm1d(1024),
              nn.Linear(1024, 7 * 7 * 128),
              nn.ReLU(),
              nn.BatchNorm1d(7 * 7 * 128),
              Unflatten(-1, 128, 7, 7),
              nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1, bias=False),
              nn.ReLU(),
              nn.BatchNorm2d(64),
              nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1, bias=False),
              nn.Tanh(),
              Flatten(),
          )
      """},
      "build_dc_generator gives both ConvTranspose2d layers bias=False (a DCGAN habit): 65 parameters "
      "short (6,580,736), and the last layer, followed by Tanh, really needs its bias.",
      S_DCGAN_TUT + " (ConvTranspose2d(..., bias=False))")

_case("dcg_nn_unflatten_flatten", "dc_generator", "correct",
      {"build_dc_generator": """
          model = nn.Sequential(
              nn.Linear(noise_dim, 1024), nn.ReLU(), nn.BatchNorm1d(1024),
              nn.Linear(1024, 7 * 7 * 128), nn.ReLU(), nn.BatchNorm1d(7 * 7 * 128),
              nn.Unflatten(1, (128, 7, 7)),
              nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.ReLU(), nn.BatchNorm2d(64),
              nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(),
              nn.Flatten(),
          )
      """},
      "Uses torch's nn.Unflatten(1, (128, 7, 7)) and nn.Flatten() instead of the provided helpers, and "
      "gives stride and padding positionally.",
      S_EECS498 + " (nn.Unflatten(1, (128, 7, 7)), nn.Flatten())")

_case("dcg_module_subclass", "dc_generator", "correct",
      {"build_dc_generator": """
          class DCGenerator(nn.Module):
              def __init__(self, noise_dim):
                  super().__init__()
                  self.fc1 = nn.Linear(noise_dim, 1024)
                  self.bn1 = nn.BatchNorm1d(1024)
                  self.fc2 = nn.Linear(1024, 7 * 7 * 128)
                  self.bn2 = nn.BatchNorm1d(7 * 7 * 128)
                  self.deconv1 = nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1)
                  self.bn3 = nn.BatchNorm2d(64)
                  self.deconv2 = nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1)

              def forward(self, z):
                  x = self.bn1(F.relu(self.fc1(z)))
                  x = self.bn2(F.relu(self.fc2(x)))
                  x = x.view(-1, 128, 7, 7)
                  x = self.bn3(F.relu(self.deconv1(x)))
                  x = torch.tanh(self.deconv2(x))
                  return x.view(x.size(0), -1)

          model = DCGenerator(noise_dim)
      """},
      "An nn.Module subclass with F.relu and torch.tanh in forward() and view() for both reshapes: the same "
      "layers in the same order, ReLU before each BatchNorm.",
      "own attempt")

# =============================================================================
# module-level mistakes (top of the file)
# =============================================================================

_case("top_default_dtype_float64", "noise", "wrong", {},
      "A leftover torch.set_default_dtype(torch.float64) at the top of gan.py makes every new tensor and "
      "layer float64: sample_noise already returns float64 noise instead of float32, and the models get "
      "float64 weights.",
      "own attempt (left over from the float64 gradient checks of the earlier assignments)",
      top="""
          torch.set_default_dtype(torch.float64)
      """)

_case("top_default_tensor_type_double", "noise", "wrong", {},
      "A leftover torch.set_default_tensor_type(torch.DoubleTensor) at the top of gan.py (the old course's "
      "dtype idiom) makes the default dtype float64: the noise, the layers and the labels become float64.",
      S_1219 + " (`dtype = torch.FloatTensor` idiom of the older course code)",
      top="""
          torch.set_default_tensor_type(torch.DoubleTensor)
      """)

_case("top_default_dtype_bfloat16", "noise", "wrong", {},
      "A torch.set_default_dtype(torch.bfloat16) at the top of gan.py ('to save memory on Colab') makes "
      "the noise and all the weights bfloat16, with about 3 significant digits, instead of float32.",
      "own attempt",
      top="""
          torch.set_default_dtype(torch.bfloat16)  # faster on Colab
      """)

_case("top_grad_disabled", "discriminator", "wrong", {},
      "A leftover torch.set_grad_enabled(False) at the top of gan.py turns autograd off globally: the noise "
      "is unaffected, but the discriminator's logits (and every loss) carry no gradient, so nothing can be "
      "trained.",
      "own attempt (a `with torch.no_grad():` cell pasted as a global switch)",
      top="""
          torch.set_grad_enabled(False)  # sampling only, faster
      """)
