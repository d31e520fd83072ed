"""Numbers that say how good a generator is, all computed offline.

- :mod:`.modes`: 2-D mixtures: *modes covered* (the course's strict rule and PacGAN's) and
  *high-quality fraction* (lessons 01-02);
- :mod:`.digits`: the course's digit classifier (shipped, SHA-256 checked), and its scores of generated digits
  (confident fraction, classes covered, an Inception-Score-style number, also over 10 splits);
- :mod:`.frechet`: the Fréchet distance between two sets of features, with bootstrap intervals;
- :mod:`.video`: the course's own video feature network (shipped, SHA-256 checked) and the
  clip- and frame-level Fréchet distances on it (lesson 03 onwards);
- :mod:`.clip_scores`: lesson 03's results table of generated clips, and the content/motion test;
- :mod:`.temporal`: temporal consistency: identity kept across frames, motion statistics, the
  warping error against a flow (Lai et al. 2018) and tOF (TecoGAN), each as its paper's released
  code computes it, the course's earlier conventions by name (lessons 04-05);
- :mod:`.fidelity`: PSNR and SSIM (Wang et al. 2004) against a known answer (lessons 04-05);
- :mod:`.style`: a style classifier for lesson 04's two-style world, and the style accuracy;
- :mod:`.restyled`: lesson 04's scores of restyled clips (style, fidelity, flicker, content kept);
- :mod:`.restored`: lesson 05's scores of restored clips (fidelity, flicker, a feature distance).
"""

from .clip_scores import (ContentMotionTest, RealReference, aligned_crops, appearance_drift, at_metric_resolution,
                          content_motion_test, mask_overlap, moving_pixels, real_reference, sample_diversity, score_clips)
from .digits import (DigitClassifier, DigitScore, InceptionScore, classifier_accuracy, digit_classifier, digit_score,
                     inception_score, train_digit_classifier)
from .fidelity import psnr, ssim
from .frechet import FDEstimate, frechet_bootstrap, frechet_distance
from .modes import ModeCoverage, mode_coverage
from .restored import feature_distance, restored_scores, tiles, visible_pixels
from .restyled import edge_correlation, footage_scores, restyled_scores, style_reference
from .style import StyleClassifier, style_accuracy, style_classifier, style_fd, train_style_classifier
from .temporal import MotionStatistics, centroids, identity_consistency, motion_statistics, tof, warping_error
from .video import (VideoFeatureNet, clip_fd, evaluate_video_features, frame_fd, frozen, shuffled, train_video_features,
                    video_feature_net, video_features)

__all__ = [
    "ContentMotionTest", "RealReference", "aligned_crops", "appearance_drift", "at_metric_resolution", "content_motion_test",
    "mask_overlap", "moving_pixels", "real_reference", "sample_diversity", "score_clips",
    "DigitClassifier", "DigitScore", "FDEstimate", "InceptionScore", "ModeCoverage", "MotionStatistics",
    "StyleClassifier", "VideoFeatureNet", "centroids", "classifier_accuracy", "clip_fd", "digit_classifier",
    "digit_score", "evaluate_video_features", "frame_fd", "frechet_bootstrap", "frechet_distance", "frozen",
    "identity_consistency", "inception_score", "mode_coverage", "motion_statistics", "psnr", "shuffled", "ssim",
    "style_accuracy", "style_classifier", "style_fd", "tof", "train_digit_classifier", "train_style_classifier", "train_video_features", "video_feature_net",
    "video_features", "warping_error",
    "feature_distance", "restored_scores", "tiles", "visible_pixels",
    "edge_correlation", "footage_scores", "restyled_scores", "style_reference",
]
