"""Other implementations of the student parts, to test the autograder itself.

WRONG variants are mistakes students make, several with the right parameter
count; each must fail its part. RIGHT variants are correct but written
differently from the reference; each must pass its part.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

import gan as ref

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


def discriminator_relu(seed=None):  # right count, wrong activation
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))


def discriminator_no_bias(seed=None):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256, bias=False), nn.LeakyReLU(0.01),
                         nn.Linear(256, 256), nn.LeakyReLU(0.01), nn.Linear(256, 1))


def generator_sigmoid(noise_dim=ref.NOISE_DIM, seed=None):  # right count, range [0, 1]
    return nn.Sequential(nn.Linear(noise_dim, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                         nn.Linear(1024, 784), nn.Sigmoid())


def generator_leaky(noise_dim=ref.NOISE_DIM, seed=None):  # right count, right range, wrong hidden activation
    return nn.Sequential(nn.Linear(noise_dim, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 1024), nn.LeakyReLU(0.2),
                         nn.Linear(1024, 784), nn.Tanh())


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


def dc_classifier_avgpool(batch_size):  # right count, wrong pooling
    return nn.Sequential(ref.Unflatten(-1, 1, 28, 28),
                         nn.Conv2d(1, 32, 5), nn.LeakyReLU(0.01), nn.AvgPool2d(2, 2),
                         nn.Conv2d(32, 64, 5), nn.LeakyReLU(0.01), nn.AvgPool2d(2, 2),
                         nn.Flatten(), nn.Linear(1024, 1024), nn.LeakyReLU(0.01), nn.Linear(1024, 1))


def dc_classifier_padded(batch_size):  # 'same' padding: wrong count
    return nn.Sequential(ref.Unflatten(-1, 1, 28, 28), nn.Conv2d(1, 32, 5, padding=2), nn.LeakyReLU(0.01),
                         nn.MaxPool2d(2, 2), nn.Conv2d(32, 64, 5, padding=2), nn.LeakyReLU(0.01), nn.MaxPool2d(2, 2),
                         nn.Flatten(), nn.Linear(7 * 7 * 64, 1024), nn.LeakyReLU(0.01), nn.Linear(1024, 1))


def dc_generator_bn_before_relu(noise_dim=ref.NOISE_DIM):  # right count, wrong order
    return nn.Sequential(nn.Linear(noise_dim, 1024), nn.BatchNorm1d(1024), nn.ReLU(),
                         nn.Linear(1024, 6272), nn.BatchNorm1d(6272), nn.ReLU(), ref.Unflatten(-1, 128, 7, 7),
                         nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
                         nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(), ref.Flatten())


def dc_generator_no_padding(noise_dim=ref.NOISE_DIM):  # right count, 30x30 images
    return nn.Sequential(nn.Linear(noise_dim, 1024), nn.ReLU(), nn.BatchNorm1d(1024),
                         nn.Linear(1024, 6272), nn.ReLU(), nn.BatchNorm1d(6272), ref.Unflatten(-1, 128, 7, 7),
                         nn.ConvTranspose2d(128, 64, 4, 2, 0), nn.ReLU(), nn.BatchNorm2d(64),
                         nn.ConvTranspose2d(64, 1, 4, 2, 0), nn.Tanh(), ref.Flatten())


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
    """An nn.Module subclass, layers defined last-first, functional activations."""

    def __init__(self):
        super().__init__()
        self.out = nn.Linear(256, 1)
        self.hidden = nn.Linear(256, 256)
        self.inp = nn.Linear(784, 256)

    def forward(self, x):
        x = F.leaky_relu(self.inp(x.flatten(1)), 0.01)
        x = F.leaky_relu(self.hidden(x), negative_slope=0.01)
        return self.out(x)


def discriminator_module(seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return ReversedDiscriminator()


class FunctionalGenerator(nn.Module):
    def __init__(self, noise_dim):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(1024, 784), nn.Linear(1024, 1024), nn.Linear(noise_dim, 1024)])

    def forward(self, z):
        z = torch.relu(self.layers[2](z))
        z = F.relu(self.layers[1](z))
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
    """Pooling before the activation (max-pool and LeakyReLU commute), torch's Unflatten/Flatten."""

    def __init__(self, batch_size):
        super().__init__()
        self.fc2 = nn.Linear(1024, 1)
        self.fc1 = nn.Linear(4 * 4 * 64, 1024)
        self.conv2 = nn.Conv2d(32, 64, 5)
        self.conv1 = nn.Conv2d(1, 32, 5)
        self.unflatten = nn.Unflatten(1, (1, 28, 28))

    def forward(self, x):
        x = self.unflatten(x.reshape(x.shape[0], -1))
        x = F.leaky_relu(F.max_pool2d(self.conv1(x), 2), 0.01)
        x = F.leaky_relu(F.max_pool2d(self.conv2(x), 2), 0.01)
        x = F.leaky_relu(self.fc1(torch.flatten(x, 1)), 0.01)
        return self.fc2(x)


def dc_classifier_module(batch_size):
    return DCClassifier(batch_size)


class DCGenerator(nn.Module):
    def __init__(self, noise_dim):
        super().__init__()
        self.bn3 = nn.BatchNorm2d(64)
        self.deconv2 = nn.ConvTranspose2d(64, 1, kernel_size=4, stride=2, padding=1)
        self.deconv1 = nn.ConvTranspose2d(128, 64, kernel_size=4, stride=2, padding=1)
        self.bn2 = nn.BatchNorm1d(7 * 7 * 128)
        self.fc2 = nn.Linear(1024, 7 * 7 * 128)
        self.bn1 = nn.BatchNorm1d(1024)
        self.fc1 = nn.Linear(noise_dim, 1024)

    def forward(self, z):
        x = self.bn1(F.relu(self.fc1(z)))
        x = self.bn2(F.relu(self.fc2(x))).view(-1, 128, 7, 7)
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
