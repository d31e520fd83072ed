"""Bad input to every public function gets a ``ValueError`` that names the problem (issue 25).

One row per public function at least: the call, and a pattern its message must match (what was
wrong, what was expected or received). Every call fails at its boundary, before any work, so the
whole table runs in a few seconds.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from vgan_course import checks, data, losses, metrics, models, shipped, viz

NAN, INF = float("nan"), float("inf")


def clips(n=2, t=4, c=1, s=8, value=0.0):
    """Clips ``(n, t, c, s, s)`` of one value (0: mid grey, inside [-1, 1])."""
    return torch.full((n, t, c, s, s), value)


def with_nan(x: torch.Tensor) -> torch.Tensor:
    x = x.clone()
    x.view(-1)[0] = NAN
    return x


def frames(n=2, c=1, s=8, value=0.0):
    return torch.full((n, c, s, s), value)


EIGHT_BIT = clips(value=200.0)  # [0, 255] images
FLOW = torch.zeros(2, 3, 2, 8, 8)
META = torch.empty(2, 1, 8, 8, device="meta")  # a tensor on another device, without a GPU
MIXTURE = data.ring_of_gaussians()

CASES = {
    # --- metrics: temporal, fidelity, Fréchet -------------------------------------------------
    "psnr NaN": (lambda: metrics.psnr(with_nan(clips()), clips()), r"output must be finite, got 1 NaN"),
    "psnr [0, 255]": (lambda: metrics.psnr(EIGHT_BIT, clips()), r"\[0, 255\]\? use x / 127.5 - 1"),
    "psnr int": (lambda: metrics.psnr(clips().long(), clips()), r"output must be a floating-point tensor, got dtype torch.int64"),
    "ssim 4 x 4": (lambda: metrics.ssim(clips(s=4), clips(s=4)), r"at least 11 x 11.*got 4 x 4"),
    "tof one frame": (lambda: metrics.tof(clips(t=1), clips(t=1), convention="course"), r"output must have at least 2 frames, got 1"),
    "tof [0, 255]": (lambda: metrics.tof(EIGHT_BIT, clips()), r"output must lie in \[-1, 1\].*\[0, 255\]"),
    "tof NaN": (lambda: metrics.tof(clips(), with_nan(clips())), r"reference must be finite"),
    "tof convention": (lambda: metrics.tof(clips(), clips(), convention="teco"), r"convention must be one of \('tecogan', 'course'\), got 'teco'"),
    "warping_error NaN video": (lambda: metrics.warping_error(with_nan(clips()), FLOW[:, :3], visible=torch.ones(2, 3, 1, 8, 8)), r"video must be finite"),
    "warping_error NaN flow": (lambda: metrics.warping_error(clips(), with_nan(FLOW), visible=torch.ones(2, 3, 1, 8, 8)), r"flow must be finite"),
    "warping_error [0, 255]": (lambda: metrics.warping_error(EIGHT_BIT, FLOW, visible=torch.ones(2, 3, 1, 8, 8)), r"\[0, 255\]"),
    "warping_error mask range": (lambda: metrics.warping_error(clips(), FLOW, visible=torch.full((2, 3, 1, 8, 8), 2.0)), r"visible must lie in \[0, 1\]"),
    "identity_consistency [0, 255]": (lambda: metrics.identity_consistency(clips(s=32, value=255.0)), r"video must lie in \[-1, 1\].*\[0, 255\]"),
    "motion_statistics 2 frames": (lambda: metrics.motion_statistics(clips(t=2)), r"at least 3 frames, got 2"),
    "motion_statistics NaN": (lambda: metrics.motion_statistics(with_nan(clips())), r"video must be finite"),
    "centroids empty": (lambda: metrics.centroids(clips(n=0)), r"video is empty"),
    "frechet_distance NaN": (lambda: metrics.frechet_distance(with_nan(torch.zeros(4, 3)), torch.zeros(4, 3)), r"features_a must be finite"),
    "frechet_bootstrap rounds 0": (lambda: metrics.frechet_bootstrap(torch.randn(8, 2), torch.randn(8, 2), rounds=0), r"rounds must be an integer >= 2, got 0"),
    "frechet_bootstrap one sample": (lambda: metrics.frechet_bootstrap(torch.randn(1, 2), torch.randn(8, 2)), r"features_a must be features of shape \(n >= 2, dim\), got \(1, 2\)"),
    # --- metrics: video features, clip scores -------------------------------------------------
    "clip_fd [0, 255]": (lambda: metrics.clip_fd(clips(s=32, value=255.0), clips(s=32)), r"video must lie in \[-1, 1\].*\[0, 255\]"),
    "frame_fd NaN": (lambda: metrics.frame_fd(clips(s=32), with_nan(clips(s=32))), r"video must be finite"),
    "video_features batch 0": (lambda: metrics.video_features(clips(s=32), batch=0), r"batch must be an integer >= 1"),
    "VideoFeatureNet 16 x 16": (lambda: metrics.VideoFeatureNet()(clips(s=16)), r"\(batch, time, 1 or 3, 32, 32\), got \(2, 4, 1, 16, 16\)"),
    "train_video_features batch 1": (lambda: metrics.train_video_features(batch=1), r"batch must be an integer >= 2"),
    "evaluate_video_features no model": (lambda: metrics.evaluate_video_features(object()), r"model must be a torch.nn.Module"),
    "frozen one clip": (lambda: metrics.frozen(torch.zeros(4, 1, 8, 8)), r"add a batch dimension with x\[None\]"),
    "shuffled empty": (lambda: metrics.shuffled(clips(n=0)), r"video is empty"),
    "at_metric_resolution 30": (lambda: metrics.at_metric_resolution(clips(s=30)), r"s a multiple of 32, got \(2, 4, 1, 30, 30\)"),
    "score_clips rounds 1": (lambda: metrics.score_clips(clips(s=32), None, rounds=1), r"rounds must be an integer >= 2"),
    "score_clips [0, 255]": (lambda: metrics.score_clips(clips(s=32, value=255.0), None), r"clips must lie in \[-1, 1\].*\[0, 255\]"),
    "aligned_crops size 0": (lambda: metrics.aligned_crops(clips(), size=0), r"size must be an integer >= 1"),
    "appearance_drift 1 frame": (lambda: metrics.appearance_drift(clips(t=1)), r"at least 2 frames"),
    "sample_diversity 1 clip": (lambda: metrics.sample_diversity(clips(n=1)), r"at least 2 clips"),
    "moving_pixels NaN": (lambda: metrics.moving_pixels(with_nan(clips())), r"clips must be finite"),
    "mask_overlap channels": (lambda: metrics.mask_overlap(clips(c=3), clips()), r"mask must have shape \(batch, time, 1, height, width\)"),
    "content_motion_test G": (lambda: metrics.content_motion_test(models.DCGANGenerator()), r"needs a MoCoGANGenerator, got DCGANGenerator"),
    "content_motion_test n 1": (lambda: metrics.content_motion_test(models.MoCoGANGenerator(), n_content=1), r"n_content must be an integer >= 2"),
    "real_reference n 1": (lambda: metrics.real_reference(n=1), r"n must be an integer >= 2"),
    # --- metrics: digits, modes, style, restyled, restored ------------------------------------
    "DigitClassifier RGB": (lambda: metrics.DigitClassifier()(frames(c=3, s=32)), r"\(batch, 1, height, width\), got \(2, 3, 32, 32\)"),
    "train_digit_classifier steps 0": (lambda: metrics.train_digit_classifier(steps=0), r"steps must be an integer >= 1, got 0"),
    "classifier_accuracy no model": (lambda: metrics.classifier_accuracy("model"), r"model must be a torch.nn.Module"),
    "digit_score threshold": (lambda: metrics.digit_score(frames(s=32), threshold=1.5), r"threshold is a probability.*got 1.5"),
    "digit_score uint8": (lambda: metrics.digit_score(frames(s=32).to(torch.uint8)), r"dtype torch.uint8 \(8-bit images\? use x.float\(\) / 127.5 - 1\)"),
    "inception_score NaN": (lambda: metrics.inception_score(with_nan(torch.full((10, 10), 0.1))), r"probabilities must be finite"),
    "mode_coverage images": (lambda: metrics.mode_coverage(frames(), MIXTURE), r"samples must have shape \(n, 2\), got \(2, 1, 8, 8\)"),
    "mode_coverage NaN": (lambda: metrics.mode_coverage(with_nan(torch.zeros(4, 2)), MIXTURE), r"samples must be finite"),
    "mode_coverage mixture": (lambda: metrics.mode_coverage(torch.zeros(4, 2), "ring"), r"mixture must be a GaussianMixture2D, got str"),
    "StyleClassifier grey": (lambda: metrics.StyleClassifier()(frames()), r"\(batch, 3, height, width\)"),
    "train_style_classifier steps 0": (lambda: metrics.train_style_classifier(steps=0), r"steps must be an integer >= 1"),
    "style_accuracy [0, 255]": (lambda: metrics.style_accuracy(frames(c=3, value=255.0)), r"frames must lie in \[-1, 1\].*\[0, 255\]"),
    "style_fd NaN reference": (lambda: metrics.style_fd(frames(c=3), with_nan(frames(c=3))), r"reference must be finite"),
    "style_reference n 0": (lambda: metrics.style_reference(n=0), r"batch_size must be an integer >= 1, got 0"),
    "restyled_scores [0, 255]": (lambda: metrics.restyled_scores(clips(c=3, value=255.0), None), r"outputs must lie in \[-1, 1\]"),
    "edge_correlation NaN": (lambda: metrics.edge_correlation(clips(), with_nan(clips())), r"reference must be finite"),
    "footage_scores 1 frame": (lambda: metrics.footage_scores(clips(t=1, c=3), clips(t=1, c=3), clips(t=1, c=3)), r"at least 2 frames"),
    "restored_scores convention": (lambda: metrics.restored_scores(clips(), clips(), tof_convention="lai"), r"tof_convention must be one of"),
    "feature_distance [0, 255]": (lambda: metrics.feature_distance(clips(s=32, value=255.0), clips(s=32)), r"outputs must lie in \[-1, 1\]"),
    "tiles too small": (lambda: metrics.tiles(clips()), r"frames of 8 x 8 are smaller than one 32 x 32 tile"),
    "visible_pixels channels": (lambda: metrics.visible_pixels(clips(c=3), clips(c=3)), r"flow must have shape \(batch, time, 2, height, width\)"),
    # --- data ---------------------------------------------------------------------------------
    "add_noise NaN": (lambda: data.add_noise(with_nan(clips()), 0.1), r"clips must be finite"),
    "add_noise sigma": (lambda: data.add_noise(clips(), -1.0), r"sigma must be a number >= 0, got -1.0"),
    "blur [0, 255]": (lambda: data.blur(EIGHT_BIT, 1.0), r"\[0, 255\]"),
    "downsample factor": (lambda: data.downsample(clips(), 3), r"factor must be one of \(2, 4\), got 3"),
    "upsample_bicubic 3-D": (lambda: data.upsample_bicubic(torch.zeros(4, 8, 8), 2), r"one video \(time, channels, height, width\), got \(4, 8, 8\)"),
    "codec_damage NaN": (lambda: data.codec_damage(with_nan(clips())), r"clips must be finite"),
    "codec_damage fps 0": (lambda: data.codec_damage(clips(), fps=0), r"fps must be an integer >= 1, got 0"),
    "drop_frames p": (lambda: data.drop_frames(clips(), 1.5), r"p must be a probability in \[0, 1\], got 1.5"),
    "degrade unknown": (lambda: data.degrade(clips(), [("sharpen", {})]), r"unknown degradation 'sharpen'"),
    "Degradation params": (lambda: data.Degradation("blur", {"radius": 2}), r"bad parameters.*'blur'"),
    "warp NaN flow": (lambda: data.warp(frames(), with_nan(torch.zeros(2, 2, 8, 8))), r"flow must be finite"),
    "warp devices": (lambda: data.warp(frames(), torch.zeros(2, 2, 8, 8, device="meta")), r"frame on cpu, flow on meta"),
    "estimate_flow [0, 255]": (lambda: data.estimate_flow(frames(value=255.0), frames()), r"frame_a must lie in \[-1, 1\].*\[0, 255\]"),
    "occlusion_mask NaN": (lambda: data.occlusion_mask(with_nan(torch.zeros(2, 2, 8, 8)), torch.zeros(2, 2, 8, 8)), r"forward must be finite"),
    "motion_boundary_mask channels": (lambda: data.motion_boundary_mask(frames()), r"flow must have shape \(batch, 2, height, width\)"),
    "texture_mask window": (lambda: data.texture_mask(frames(), window=4), r"window must be an odd integer >= 1 \(centred on each pixel\), got 4"),
    "ring_of_gaussians std": (lambda: data.ring_of_gaussians(std=0.0), r"std must be a positive number, got 0.0"),
    "grid_of_gaussians side": (lambda: data.grid_of_gaussians(side=1), r"side must be an integer >= 2"),
    "GaussianMixture2D.sample n": (lambda: MIXTURE.sample(0), r"n must be an integer >= 1, got 0"),
    "digit_images size": (lambda: data.digit_images(4), r"size must be an integer >= 8, got 4"),
    "digit_sprites split": (lambda: data.digit_sprites(16, split="val"), r"split must be 'train', 'test' or 'all', got 'val'"),
    "moving_digits frames": (lambda: data.moving_digits(2, n_frames=1), r"n_frames must be an integer >= 2, got 1"),
    "moving_shapes background": (lambda: data.moving_shapes(2, 4, 16, background=torch.zeros(2, 3, 16, 16, dtype=torch.long)), r"background must be a floating-point tensor"),
    "digit_clips n": (lambda: data.digit_clips(0), r"batch_size must be an integer >= 1, got 0"),
    "two_style_clips batch": (lambda: data.two_style_clips(-1), r"batch_size must be an integer >= 1, got -1"),
    "unpaired_style_clips batch": (lambda: data.unpaired_style_clips(0), r"batch_size must be an integer >= 1"),
    "still_scene_clips size": (lambda: data.still_scene_clips(2, 4, size=8), r"size must be between 16 and 64, got 8"),
    "damaged_scene_clips n": (lambda: data.damaged_scene_clips(0, 4), r"n must be an integer >= 1, got 0"),
    "backgrounds split": (lambda: data.backgrounds("val"), r"split must be 'train' or 'test', got 'val'"),
    "low_resolution_flow factor": (lambda: data.low_resolution_flow(torch.zeros(2, 3, 2, 6, 6), 4), r"divisible by factor 4"),
    "carphone_pair split": (lambda: data.carphone_pair("val"), r"split must be 'train' or 'test'"),
    "random_patch_clips length": (lambda: data.random_patch_clips(data.VideoPair(torch.zeros(4, 1, 8, 8), torch.zeros(4, 1, 8, 8)), 2, length=0), r"length must be an integer >= 1, got 0"),
    "random_crop_clips no videos": (lambda: data.random_crop_clips([], 2), r"videos is empty"),
    "unpaired_footage_clips batch": (lambda: data.unpaired_footage_clips(0), r"batch must be an integer >= 1, got 0"),
    "style_footage size": (lambda: data.style_footage(size=0), r"size must be an integer >= 1 or a pair \(height, width\) of them, got 0"),
    "trusted_flow 1 frame": (lambda: data.trusted_flow(clips(t=1, c=3)), r"at least 2 frames, got 1"),
    "sample_video name": (lambda: data.sample_video("nosuch"), r"unknown sample video 'nosuch'"),
    "cut_clips length": (lambda: data.cut_clips(torch.zeros(4, 1, 8, 8), 8), r"time >= 8.*got shape \(4, 1, 8, 8\)"),
    "resize 1-D": (lambda: data.video_files.resize(torch.zeros(8), 4), r"video must be frames \(\.\.\., channels, height, width\), got shape \(8,\)"),
    # --- models -------------------------------------------------------------------------------
    "DCGANGenerator int z": (lambda: models.DCGANGenerator(z_dim=8)(torch.zeros(2, 8, dtype=torch.long)), r"z must be a floating-point tensor, got dtype torch.int64"),
    "DCGANGenerator z shape": (lambda: models.DCGANGenerator(z_dim=8)(torch.zeros(2, 4)), r"z must have shape \(batch, 8\), got \(2, 4\)"),
    "DCGANGenerator device": (lambda: models.DCGANGenerator(z_dim=8)(torch.zeros(2, 8, device="meta")), r"z on meta, the network's weights on cpu"),
    "DCGANDiscriminator size": (lambda: models.DCGANDiscriminator()(frames(s=64)), r"x must have shape \(batch, 1, 32, 32\)"),
    "MLPGenerator z": (lambda: models.MLPGenerator()(torch.zeros(4, 3)), r"z must have shape \(batch, 2\), got \(4, 3\)"),
    "MLPDiscriminator empty": (lambda: models.MLPDiscriminator()(torch.zeros(0, 2)), r"x is empty"),
    "MinibatchStdDev batch 1": (lambda: models.MinibatchStdDev()(torch.zeros(1, 4)), r"batch of at least 2"),
    "spectral_norm not a network": (lambda: models.spectral_norm("D"), r"module must be a torch.nn.Module"),
    "init_dcgan_weights not a network": (lambda: models.init_dcgan_weights(3), r"module must be a torch.nn.Module"),
    "FrameIndependentGenerator z": (lambda: models.FrameIndependentGenerator()(torch.zeros(2, 64)), r"z must have shape \(batch, time, 64\)"),
    "MoCoGANGenerator content": (lambda: models.MoCoGANGenerator()(torch.zeros(2, 3), torch.zeros(2, 16, 10)), r"content must have shape"),
    "TGANGenerator int z": (lambda: models.TGANGenerator()(torch.zeros(2, 100, dtype=torch.int32)), r"z must be a floating-point tensor"),
    "VGANGenerator z": (lambda: models.VGANGenerator()(torch.zeros(2)), r"z must have shape \(batch, "),
    "VideoDiscriminator channels": (lambda: models.VideoDiscriminator()(clips(c=3, s=32)), r"\(batch, time, 1, height, width\)"),
    "Conv2Plus1d 4-D": (lambda: models.Conv2Plus1d(1, 4)(frames()), r"x must have shape \(batch, 1, time, height, width\)"),
    "sample_clips n": (lambda: models.sample_clips(models.MoCoGANGenerator(), 0), r"n must be an integer >= 1, got 0"),
    "sample_frames k": (lambda: models.sample_frames(clips(), k=0), r"k must be an integer >= 1, got 0"),
    "ResnetGenerator size": (lambda: models.ResnetGenerator()(frames(c=3, s=10)), r"multiples of 4"),
    "ResidualBlock 5-D": (lambda: models.ResidualBlock(1)(clips()), r"x must have shape \(batch, channels, height, width\).*flatten its frames"),
    "PatchDiscriminator 16 x 16": (lambda: models.PatchDiscriminator()(frames(c=3, s=16)), r"at least 24 x 24 pixels, got 16 x 16"),
    "FramePredictor k": (lambda: models.FramePredictor()(clips(t=3, c=3)), r"previous must be \(batch, 2, 3, h, w\)"),
    "PixelShuffleUpsampler channels": (lambda: models.PixelShuffleUpsampler(4)(frames()), r"\(batch, 4, height, width\)"),
    "PlainResidualBlock empty": (lambda: models.PlainResidualBlock(1)(frames(n=0)), r"x is empty"),
    "RestorationNet window": (lambda: models.RestorationNet()(clips(t=2, c=3)), r"window must be \(batch, 1, 3, h, w\)"),
    "RecurrentRestorer previous": (lambda: models.RecurrentRestorer()(frames(c=3), frames(c=3)), r"previous must be \(2, 3, 16, 16\)"),
    "TripletDiscriminator": (lambda: models.TripletDiscriminator()(clips(t=2, c=3)), r"triplet must be \(batch, 3, 3, h, w\)"),
    "bicubic factor": (lambda: models.bicubic(frames(), 3), r"factor must be one of \(2, 4\), got 3"),
    "frame_windows k": (lambda: models.frame_windows(clips(), 0), r"k must be an integer >= 1"),
    "restore_clip [0, 255]": (lambda: models.restore_clip(models.RestorationNet(channels=1, frames=1, factor=1), clips(value=255.0)), r"\[0, 255\]"),
    "restore_recurrent NaN flows": (lambda: models.restore_recurrent(models.RecurrentRestorer(channels=1), clips(), with_nan(FLOW)), r"flows must be finite"),
    "upsample_flow factor": (lambda: models.upsample_flow(FLOW, 3), r"factor must be 1, 2 or 4, got 3"),
    "inflate_single_frame state": (lambda: models.inflate_single_frame(models.RestorationNet(), {}), r"single_frame_state must be a RestorationNet's state_dict"),
    # --- losses -------------------------------------------------------------------------------
    "discriminator_loss 2-D": (lambda: losses.discriminator_loss(torch.zeros(4, 1), torch.zeros(4)), r"real_logits must be a 1-D tensor of logits with shape \(batch,\), got \(4, 1\)"),
    "discriminator_loss devices": (lambda: losses.discriminator_loss(torch.zeros(4), torch.zeros(4, device="meta")), r"real_logits on cpu, fake_logits on meta"),
    "generator_loss_minimax empty": (lambda: losses.generator_loss_minimax(torch.zeros(0)), r"fake_logits is empty"),
    "generator_loss_nonsaturating int": (lambda: losses.generator_loss_nonsaturating(torch.zeros(4, dtype=torch.long)), r"floating-point"),
    "lsgan_discriminator_loss devices": (lambda: losses.lsgan_discriminator_loss(torch.zeros(4), torch.zeros(4, device="meta")), r"on one device"),
    "lsgan_generator_loss list": (lambda: losses.lsgan_generator_loss([0.0, 1.0]), r"fake_logits must be a torch.Tensor, got list"),
    "wasserstein_critic_loss 2-D": (lambda: losses.wasserstein_critic_loss(torch.zeros(4), torch.zeros(4, 1)), r"fake_scores must be a 1-D tensor of logits"),
    "wasserstein_generator_loss empty": (lambda: losses.wasserstein_generator_loss(torch.zeros(0)), r"fake_scores is empty"),
    "hinge_discriminator_loss devices": (lambda: losses.hinge_discriminator_loss(torch.zeros(4), torch.zeros(4, device="meta")), r"on one device"),
    "hinge_generator_loss 2-D": (lambda: losses.hinge_generator_loss(torch.zeros(2, 2)), r"\(batch,\)"),
    "clip_weights limit": (lambda: losses.clip_weights(models.MLPDiscriminator(), 0.0), r"limit must be a positive number, got 0.0"),
    "gradient_penalty NaN": (lambda: losses.gradient_penalty(models.MLPDiscriminator(), with_nan(torch.zeros(4, 2)), torch.zeros(4, 2)), r"real must be finite"),
    "r1_penalty NaN": (lambda: losses.r1_penalty(models.MLPDiscriminator(), with_nan(torch.zeros(4, 2))), r"real must be finite"),
    "r1_penalty device": (lambda: losses.r1_penalty(models.MLPDiscriminator(), torch.zeros(4, 2, device="meta")), r"real on meta, D on cpu"),
    "cycle_consistency_loss shapes": (lambda: losses.cycle_consistency_loss(frames(), frames(s=4)), r"same shape"),
    "temporal_loss devices": (lambda: losses.temporal_loss(frames(), META, torch.zeros(2, 2, 8, 8), frames()), r"output_t on cpu, output_next on meta"),
    "recycle_loss int": (lambda: losses.recycle_loss(frames().long(), frames()), r"frame_next must be a floating-point tensor"),
    "adversarial_restoration_loss weight": (lambda: losses.adversarial_restoration_loss(frames(), frames(), torch.zeros(2), adversarial_weight=-1.0), r"adversarial_weight must be a number >= 0"),
    "ping_pong_sequence 1 frame": (lambda: losses.ping_pong_sequence(clips(t=1)), r"time >= 2"),
    "ping_pong_loss even": (lambda: losses.ping_pong_loss(clips(t=4)), r"odd length"),
    # --- shipped networks ---------------------------------------------------------------------
    "shipped.load_state name": (lambda: shipped.load_state(None), r"name must be the name of a shipped checkpoint \(a string\), got None"),
    "shipped.save_state state": (lambda: shipped.save_state("net", {"w": 1.0}, "cmd", {}, folder=Path("never")), r"state must be a non-empty state dict of tensors.*\['w'\]"),
    # --- viz ----------------------------------------------------------------------------------
    "image_grid nrow": (lambda: viz.image_grid(frames(), nrow=0), r"nrow must be an integer >= 1, got 0"),
    "film_strip 5-D": (lambda: viz.film_strip(clips()), r"clip must have shape \(batch, channels, height, width\)"),
    "to_numpy_image NaN": (lambda: viz.to_numpy_image(with_nan(frames()[0])), r"image must be finite"),
    "show_images [0, 255]": (lambda: viz.show_images(frames(value=255.0)), r"images must lie in \[-1, 1\].*\[0, 255\]"),
    "show_film_strips NaN": (lambda: viz.show_film_strips(with_nan(clips())), r"video must be finite"),
    "plot_points images": (lambda: viz.plot_points(frames()), r"samples must have shape \(n, 2\)"),
    "gif_bytes fps 0": (lambda: viz.gif_bytes(clips(), fps=0), r"fps must be a positive number, got 0"),
    "show_video [0, 255]": (lambda: viz.show_video(EIGHT_BIT), r"\[0, 255\]"),
    "save_gif no frames": (lambda: viz.save_gif(clips(t=0), "never.gif"), r"video is empty"),
    "save_mp4 fps 0": (lambda: viz.save_mp4(clips(), "never.mp4", fps=0), r"fps must be a positive number, got 0"),
    "save_mp4 [0, 255]": (lambda: viz.save_mp4(EIGHT_BIT, "never.mp4"), r"\[0, 255\]"),
    "save_labelled_strips empty": (lambda: viz.save_labelled_strips({}, "never.png"), r"rows is empty"),
    "format_table columns": (lambda: viz.format_table({"a": {"x": 1.0}}, {}), r"columns is empty"),
    "interpolation_strip n": (lambda: viz.interpolation_strip(lambda z: z, torch.zeros(4), torch.zeros(4), n=1), r"n must be an integer >= 2"),
    "interpolation_slider z": (lambda: viz.interpolation_slider(lambda z: z, torch.zeros(4), torch.zeros(3)), r"z0 and z1 must have one shape"),
    "content_motion_explorer G": (lambda: viz.content_motion_explorer(models.DCGANGenerator()), r"needs a MoCoGANGenerator"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gets_a_named_error(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing may be written; if something were, it lands here
    call, pattern = CASES[case]
    with pytest.raises(ValueError, match=pattern):
        call()
    assert not any(tmp_path.iterdir()), f"{case}: a file was written before the input was refused"


def test_psnr_warns_on_images_in_zero_one():
    """[0, 1] images fit inside [-1, 1], so they are scored, with a warning: PSNR would be 6 dB off."""
    image = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    with pytest.warns(UserWarning, match=r"no value below 0: images in \[0, 1\]\?.*x \* 2 - 1"):
        metrics.psnr(image, image.flip(-1))


@pytest.mark.parametrize("value, message", [
    (torch.tensor([0.0, NAN]), r"x must be finite, got 1 NaN and 0 infinite values among 2"),
    (torch.tensor([0.0, INF]), r"x must be finite, got 0 NaN and 1 infinite"),
    (torch.tensor([0.0, 255.0]), r"got values in \[0, 255\] \(8-bit images in \[0, 255\]\? use x / 127.5 - 1\)"),
    (torch.tensor([-1.5, 0.0]), r"got values in \[-1.5, 0\]$"),
    (torch.zeros(0), r"x is empty: got shape \(0,\)"),
    (torch.zeros(2, dtype=torch.long), r"floating-point tensor, got dtype torch.int64"),
    (None, r"x must be a torch.Tensor, got NoneType"),
])
def test_check_range_names_the_problem(value, message):
    with pytest.raises(ValueError, match=message):
        checks.check_range(value, "x")


def test_checks_accept_what_the_course_passes():
    """The controls: valid input passes every check unchanged (a check that rejected it would be wrong)."""
    video = torch.rand(2, 3, 1, 8, 8) * 2 - 1
    assert checks.check_range(checks.check_video(video, "v"), "v") is video
    assert checks.check_range(torch.tensor([-1.0005, 1.0005]), "edge") is not None  # within the tolerance
    assert checks.check_positive(2.5, "fps") == 2.5 and checks.check_non_negative(0, "sigma") == 0.0
    checks.check_same_device(("a", video), ("b", models.MLPGenerator()))
    with pytest.raises(ValueError, match=r"fps must be a finite real number, got True"):
        checks.check_positive(True, "fps")
    assert math.isclose(metrics.psnr(video, video.clamp(-0.9, 0.9)), metrics.psnr(video, video.clamp(-0.9, 0.9)))
