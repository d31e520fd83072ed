"""Generators and discriminators, one family per file.

Every discriminator returns raw scores (logits), one per sample; the losses in
:mod:`vgan_course.losses` turn them into probabilities where an objective needs them.
"""

from .dcgan import DCGANDiscriminator, DCGANGenerator, init_dcgan_weights
from .layers import MinibatchStdDev, spectral_norm
from .mlp import MLPDiscriminator, MLPGenerator

__all__ = ["DCGANDiscriminator", "DCGANGenerator", "MLPDiscriminator", "MLPGenerator", "MinibatchStdDev",
           "init_dcgan_weights", "spectral_norm"]
