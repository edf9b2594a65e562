"""Other implementations of the student parts, to test the autograder itself.

WRONG variants are mistakes students make, several with the right parameter
count; each must fail its part. RIGHT variants are correct but written
differently from the reference; each must pass its part.

The model variants are made from the reference's own layers (its sizes, settings
and order), edited where the mistake is, so that a reference with other widths or
another noise size brings its variants along and no size is written twice.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

import gan as ref


def edited(name, build, edit):
    """A builder called `name`, with the reference's arguments, whose model is the reference's own
    layers (`build` makes an nn.Sequential) passed through `edit`, a function of the list of layers."""

    def builder(*args, **kwargs):
        return nn.Sequential(*edit(list(build(*args, **kwargs))))

    builder.__name__ = builder.__qualname__ = name
    return builder


def swapped(kind, make):
    """An edit that puts make(layer) in place of every layer of type `kind`."""
    return lambda layers: [make(m) if type(m) is kind else m for m in layers]


def of(kind, layers):
    """The layers of type `kind` of `layers` (an nn.Sequential or a list), in the order they run."""
    return [m for m in layers if type(m) is kind]


def linear(layer, **settings):
    """A fresh Linear of the same sizes as `layer`."""
    return nn.Linear(layer.in_features, layer.out_features, **settings)


def conv(layer, **settings):
    """A fresh convolution of the same type as `layer`, set as it is but for `settings`."""
    kept = {"kernel_size": layer.kernel_size, "stride": layer.stride, "padding": layer.padding}
    return type(layer)(layer.in_channels, layer.out_channels, **{**kept, **settings})


# -- wrong ----------------------------------------------------------------------

def noise_in_0_1(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return torch.rand(batch_size, dim)


def noise_gaussian(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return torch.randn(batch_size, dim).clamp(-0.999, 0.999)


def noise_float64(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return torch.rand(batch_size, dim, dtype=torch.float64) * 2 - 1


# right count, wrong activation
discriminator_relu = edited("discriminator_relu", ref.discriminator, swapped(nn.LeakyReLU, lambda m: nn.ReLU()))


def _first_linear_without_bias(layers):
    first = next(m for m in layers if type(m) is nn.Linear)
    return [linear(m, bias=False) if m is first else m for m in layers]


discriminator_no_bias = edited("discriminator_no_bias", ref.discriminator, _first_linear_without_bias)
# right count, range [0, 1]
generator_sigmoid = edited("generator_sigmoid", ref.generator, swapped(nn.Tanh, lambda m: nn.Sigmoid()))
# right count, right range, wrong hidden activation
generator_leaky = edited("generator_leaky", ref.generator, swapped(nn.ReLU, lambda m: nn.LeakyReLU(0.2)))


def naive_bce(input, target):  # log(sigmoid) overflows to -inf on large logits
    p = torch.sigmoid(input)
    return (-(target * torch.log(p) + (1 - target) * torch.log(1 - p))).mean()


def discriminator_loss_naive(logits_real, logits_fake):
    return naive_bce(logits_real, torch.ones_like(logits_real)) + naive_bce(logits_fake, torch.zeros_like(logits_fake))


def discriminator_loss_pooled(logits_real, logits_fake):  # one mean over both halves: half the value
    logits = torch.cat([logits_real, logits_fake])
    labels = torch.cat([torch.ones_like(logits_real), torch.zeros_like(logits_fake)])
    return ref.bce_loss(logits, labels)


def generator_loss_saturating(logits_fake):  # minimises log(1 - D(G(z))) instead
    return -ref.bce_loss(logits_fake, torch.zeros_like(logits_fake))


def generator_loss_detached(logits_fake):  # right value, no gradient
    return torch.tensor(ref.bce_loss(logits_fake, torch.ones_like(logits_fake)).item())


def optimizer_default_betas(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3)


def optimizer_sgd(model):
    return torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.5)


def optimizer_first_layer_only(model):
    return torch.optim.Adam(next(iter(model.children())).parameters(), lr=1e-3, betas=(0.5, 0.999))


def ls_discriminator_loss_no_half(scores_real, scores_fake):
    return ((scores_real - 1) ** 2).mean() + (scores_fake ** 2).mean()


def ls_generator_loss_wrong_target(scores_fake):
    return 0.5 * (scores_fake ** 2).mean()


# right count, wrong pooling
dc_classifier_avgpool = edited("dc_classifier_avgpool", ref.build_dc_classifier,
                               swapped(nn.MaxPool2d, lambda m: nn.AvgPool2d(m.kernel_size, m.stride)))


def _same_padding(layers):
    """'Same' padding on every convolution, and the first Linear sized for what then reaches it:
    a model that runs, with the wrong count."""
    out = [conv(m, padding=m.kernel_size[0] // 2) if type(m) is nn.Conv2d else m for m in layers]
    i = next(i for i, m in enumerate(out) if type(m) is nn.Linear)
    reaching = nn.Sequential(*out[:i])(torch.zeros(2, 784)).shape[1]
    out[i] = nn.Linear(reaching, out[i].out_features)
    return out


dc_classifier_padded = edited("dc_classifier_padded", ref.build_dc_classifier, _same_padding)


def _bn_before_relu(layers):
    """Each BatchNorm moved in front of the ReLU it follows."""
    out = list(layers)
    for i in range(1, len(out)):
        if type(out[i]).__name__.startswith("BatchNorm") and type(out[i - 1]) is nn.ReLU:
            out[i - 1], out[i] = out[i], out[i - 1]
    return out


# right count, wrong order
dc_generator_bn_before_relu = edited("dc_generator_bn_before_relu", ref.build_dc_generator, _bn_before_relu)
# right count, 30x30 images
dc_generator_no_padding = edited("dc_generator_no_padding", ref.build_dc_generator,
                                 swapped(nn.ConvTranspose2d, lambda m: conv(m, padding=0)))


WRONG = {
    "noise": {"sample_noise": [noise_in_0_1, noise_gaussian, noise_float64]},
    "discriminator": {"discriminator": [discriminator_relu, discriminator_no_bias]},
    "generator": {"generator": [generator_sigmoid, generator_leaky]},
    "gan_loss": {"discriminator_loss": [discriminator_loss_naive, discriminator_loss_pooled],
                 "generator_loss": [generator_loss_saturating, generator_loss_detached]},
    "optimizer": {"get_optimizer": [optimizer_default_betas, optimizer_sgd, optimizer_first_layer_only]},
    "lsgan_loss": {"ls_discriminator_loss": [ls_discriminator_loss_no_half],
                   "ls_generator_loss": [ls_generator_loss_wrong_target]},
    "dc_classifier": {"build_dc_classifier": [dc_classifier_avgpool, dc_classifier_padded]},
    "dc_generator": {"build_dc_generator": [dc_generator_bn_before_relu, dc_generator_no_padding]},
}


# -- right, written differently -------------------------------------------------

def noise_uniform_(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return torch.empty(batch_size, dim).uniform_(-1, 1)


class ReversedDiscriminator(nn.Module):
    """An nn.Module subclass, layers registered last-first, functional activations."""

    def __init__(self):
        super().__init__()
        self.stack = nn.ModuleList(linear(m) for m in reversed(of(nn.Linear, ref.discriminator())))
        self.slope = of(nn.LeakyReLU, ref.discriminator())[0].negative_slope

    def forward(self, x):
        x = x.flatten(1)
        for i, layer in enumerate(reversed(self.stack)):
            x = layer(x) if i == len(self.stack) - 1 else F.leaky_relu(layer(x), negative_slope=self.slope)
        return x


def discriminator_module(seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return ReversedDiscriminator()


class FunctionalGenerator(nn.Module):
    def __init__(self, noise_dim):
        super().__init__()
        self.layers = nn.ModuleList(linear(m) for m in reversed(of(nn.Linear, ref.generator(noise_dim))))

    def forward(self, z):
        for layer in list(self.layers)[:0:-1]:
            z = torch.relu(layer(z))
        return torch.tanh(self.layers[0](z))


def generator_module(noise_dim=ref.NOISE_DIM, seed=None):
    return FunctionalGenerator(noise_dim)


def discriminator_loss_torch(logits_real, logits_fake):
    return (F.binary_cross_entropy_with_logits(logits_real, torch.ones_like(logits_real))
            + F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake)))


def generator_loss_softplus(logits_fake):  # -log(sigmoid(s)) = softplus(-s)
    return F.softplus(-logits_fake).mean()


def optimizer_list(model):
    return torch.optim.Adam(list(model.parameters()), betas=[0.5, 0.999], lr=0.001)


def ls_discriminator_loss_mse(scores_real, scores_fake):
    return 0.5 * F.mse_loss(scores_real, torch.ones_like(scores_real)) + 0.5 * F.mse_loss(
        scores_fake, torch.zeros_like(scores_fake))


def ls_generator_loss_pow(scores_fake):
    return (scores_fake - 1).pow(2).mean() / 2


class DCClassifier(nn.Module):
    """Pooling before the activation (max-pooling and LeakyReLU commute), torch's Unflatten/Flatten."""

    def __init__(self, batch_size):
        super().__init__()
        reference = ref.build_dc_classifier(batch_size)
        (fc1, fc2), (conv1, conv2) = of(nn.Linear, reference), of(nn.Conv2d, reference)
        self.pool = of(nn.MaxPool2d, reference)[0].kernel_size
        self.fc2, self.fc1, self.conv2, self.conv1 = linear(fc2), linear(fc1), conv(conv2), conv(conv1)
        self.unflatten = nn.Unflatten(1, (1, 28, 28))

    def forward(self, x):
        x = self.unflatten(x.reshape(x.shape[0], -1))
        x = F.leaky_relu(F.max_pool2d(self.conv1(x), self.pool), 0.01)
        x = F.leaky_relu(F.max_pool2d(self.conv2(x), self.pool), 0.01)
        x = F.leaky_relu(self.fc1(torch.flatten(x, 1)), 0.01)
        return self.fc2(x)


def dc_classifier_module(batch_size):
    return DCClassifier(batch_size)


class DCGenerator(nn.Module):
    def __init__(self, noise_dim):
        super().__init__()
        reference = ref.build_dc_generator(noise_dim)
        (fc1, fc2), (deconv1, deconv2) = of(nn.Linear, reference), of(nn.ConvTranspose2d, reference)
        side = int(round((fc2.out_features / deconv1.in_channels) ** 0.5))
        self.grid = (deconv1.in_channels, side, side)
        self.bn3 = nn.BatchNorm2d(deconv1.out_channels)
        self.deconv2, self.deconv1 = conv(deconv2), conv(deconv1)
        self.bn2, self.fc2 = nn.BatchNorm1d(fc2.out_features), linear(fc2)
        self.bn1, self.fc1 = nn.BatchNorm1d(fc1.out_features), linear(fc1)

    def forward(self, z):
        x = self.bn1(F.relu(self.fc1(z)))
        x = self.bn2(F.relu(self.fc2(x))).view(-1, *self.grid)
        x = self.bn3(F.relu(self.deconv1(x)))
        return torch.tanh(self.deconv2(x)).flatten(1)


def dc_generator_module(noise_dim=ref.NOISE_DIM):
    return DCGenerator(noise_dim)


RIGHT = {
    "noise": {"sample_noise": noise_uniform_},
    "discriminator": {"discriminator": discriminator_module},
    "generator": {"generator": generator_module},
    "gan_loss": {"discriminator_loss": discriminator_loss_torch, "generator_loss": generator_loss_softplus},
    "optimizer": {"get_optimizer": optimizer_list},
    "lsgan_loss": {"ls_discriminator_loss": ls_discriminator_loss_mse, "ls_generator_loss": ls_generator_loss_pow},
    "dc_classifier": {"build_dc_classifier": dc_classifier_module},
    "dc_generator": {"build_dc_generator": dc_generator_module},
}
