"""Generators and discriminators, one family per file.

Every discriminator returns raw scores (logits), one per sample; the losses in
:mod:`vgan_course.losses` turn them into probabilities where an objective needs them.
"""

from .conditional import (ConcatenationHead, ConditionalBatchNorm, ConditionalDiscriminator, ConditionalMoCoGANGenerator,
                          ProjectionHead, SoundEncoder, TextEncoder)
from .dcgan import DCGANDiscriminator, DCGANGenerator, init_dcgan_weights
from .layers import MinibatchStdDev, spectral_norm
from .mlp import MLPDiscriminator, MLPGenerator
from .msg_gan import MSGDiscriminator, MSGGenerator, image_pyramid
from .restoration import (PixelShuffleUpsampler, PlainResidualBlock, RecurrentRestorer, RestorationNet,
                          TripletDiscriminator, bicubic, frame_windows, inflate_single_frame, restore_clip,
                          restore_recurrent, upsample_flow)
from .translation import FramePredictor, PatchDiscriminator, ResidualBlock, ResnetGenerator
from .video import (Conv2Plus1d, FrameIndependentGenerator, MoCoGANGenerator, TGANGenerator, VGANGenerator,
                    VideoDiscriminator, sample_clips, sample_frames)

__all__ = ["ConcatenationHead", "ConditionalBatchNorm", "ConditionalDiscriminator", "ConditionalMoCoGANGenerator",
           "Conv2Plus1d", "DCGANDiscriminator", "DCGANGenerator", "FramePredictor", "FrameIndependentGenerator",
           "MLPDiscriminator", "MLPGenerator", "MSGDiscriminator", "MSGGenerator", "MinibatchStdDev", "MoCoGANGenerator",
           "PatchDiscriminator", "PixelShuffleUpsampler", "PlainResidualBlock", "ProjectionHead", "RecurrentRestorer",
           "ResidualBlock", "ResnetGenerator", "RestorationNet", "SoundEncoder", "TGANGenerator", "TextEncoder",
           "TripletDiscriminator", "VGANGenerator", "VideoDiscriminator", "bicubic", "frame_windows", "image_pyramid",
           "inflate_single_frame", "init_dcgan_weights", "restore_clip", "restore_recurrent",
           "sample_clips", "sample_frames", "spectral_norm", "upsample_flow"]
