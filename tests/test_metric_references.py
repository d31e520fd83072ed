"""The course's metrics against independent implementations of their reference definitions.

Each reference below is written from the paper and its released code with numpy, scipy and OpenCV
directly (no package helper): SSIM (Wang et al. 2004, their ``ssim_index.m``), tOF (TecoGAN's
``metrics.py``), the warping error and its occlusion mask (Lai et al. 2018's
``evaluate_WarpError.py`` and ``utils.detect_occlusion``, with FlowNet2's ``Resample2d`` warp), the
Inception Score (Salimans et al.'s ``inception_score/model.py``) and PacGAN's mode count
(``MetricLogger``). Inputs are fixed: moving shapes over a still background at 64 x 64 with
exact flow, and a 96 x 128 crop of the real carphone clip with OpenCV's flow. Then the controls:
identical clips score the perfect value; frozen, blurred and noisy clips score as expected.
"""

import cv2
import numpy as np
import pytest
import scipy.signal
import torch

from vgan_course import data, metrics


# --- fixed inputs -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shapes():
    """6 clips of 8 frames, 64 x 64: a moving shape over a still blurred-noise background, exact flows."""
    g = torch.Generator().manual_seed(0)
    background = data.blur(torch.rand(6, 1, 3, 64, 64, generator=g) * 2 - 1, 2.0)[:, 0]
    return data.moving_shapes(6, 8, 64, 1, background=background, generator=g)


@pytest.fixture(scope="module")
def carphone():
    """A 96 x 128 crop of 8 frames of carphone, pristine and compressed, ``(1, 8, 3, 96, 128)`` each."""
    pair = data.carphone_pair("test")
    crop = (slice(0, 8), slice(None), slice(24, 120), slice(24, 152))
    return pair.clean[crop][None], pair.degraded[crop][None]


def noisy(video, sigma, seed=1):
    return (video + sigma * torch.randn(video.shape, generator=torch.Generator().manual_seed(seed))).clamp(-1, 1)


def to_unit(video):
    """Course clips ``(n, T, c, h, w)`` in [-1, 1] -> numpy ``(n, T, h, w, c)`` float64 in [0, 1]."""
    return (video.double().numpy().transpose(0, 1, 3, 4, 2) + 1) / 2


# --- SSIM: Wang et al. 2004 -------------------------------------------------------------------
def reference_ssim(x, y):
    """SSIM of two single-channel images in [0, 1] (h, w), as ``ssim_index.m``: 11 x 11 Gaussian window
    (sigma 1.5), K = (0.01, 0.03), L = 1, filtered 'valid', the map's mean."""
    g = cv2.getGaussianKernel(11, 1.5, cv2.CV_64F)
    window = g @ g.T
    blur = lambda image: scipy.signal.correlate2d(image, window, mode="valid")  # noqa: E731
    mu_x, mu_y = blur(x), blur(y)
    sigma_xx, sigma_yy, sigma_xy = blur(x * x) - mu_x ** 2, blur(y * y) - mu_y ** 2, blur(x * y) - mu_x * mu_y
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    ssim_map = (2 * mu_x * mu_y + c1) * (2 * sigma_xy + c2) / ((mu_x ** 2 + mu_y ** 2 + c1) * (sigma_xx + sigma_yy + c2))
    return ssim_map.mean()


def reference_ssim_clips(output, target):
    """Per channel, then channels averaged per frame, then frames averaged."""
    out, ref = to_unit(output), to_unit(target)
    per_frame = [np.mean([reference_ssim(o[..., c], r[..., c]) for c in range(o.shape[-1])])
                 for o, r in zip(out.reshape(-1, *out.shape[2:]), ref.reshape(-1, *ref.shape[2:]))]
    return float(np.mean(per_frame))


def test_ssim_matches_wang_et_al_at_64_and_96_x_128(shapes, carphone):
    truth = shapes.video[:2]
    for output in (noisy(truth, 0.1), data.blur(truth, 1.5), truth[:, :1].expand_as(truth)):
        assert metrics.ssim(output, truth) == pytest.approx(reference_ssim_clips(output, truth), abs=1e-6)
    clean, compressed = carphone
    assert metrics.ssim(compressed, clean) == pytest.approx(reference_ssim_clips(compressed, clean), abs=1e-6)


def test_ssim_of_frames_taller_than_512_takes_the_convolution_path_and_still_matches():
    truth = torch.rand(1, 2, 3, 520, 14, generator=torch.Generator().manual_seed(0)) * 2 - 1
    output = noisy(truth, 0.2)
    assert metrics.ssim(output, truth) == pytest.approx(reference_ssim_clips(output, truth), abs=1e-6)


def test_ssim_of_mid_grey_plus_offset_is_the_luminance_term():
    grey = torch.zeros(1, 2, 3, 32, 32)  # mid-grey: 0.5 on [0, 1]
    mu_x, mu_y, c1 = 0.5, 0.55, 0.01 ** 2  # flat frames: contrast and structure terms are 1
    assert metrics.ssim(grey + 0.1, grey) == pytest.approx((2 * mu_x * mu_y + c1) / (mu_x ** 2 + mu_y ** 2 + c1), abs=1e-9)


def test_ssim_matches_scikit_image_when_installed(carphone):
    skimage_metrics = pytest.importorskip("skimage.metrics")
    clean, compressed = carphone
    out, ref = to_unit(compressed)[0], to_unit(clean)[0]
    expected = np.mean([skimage_metrics.structural_similarity(o, r, gaussian_weights=True, sigma=1.5,
                                                              use_sample_covariance=False, data_range=1, channel_axis=-1)
                        for o, r in zip(out, ref)])
    assert metrics.ssim(compressed, clean) == pytest.approx(expected, abs=1e-6)


def test_psnr_is_psnr_on_unit_range_frames(carphone):
    clean, compressed = carphone
    mse = ((to_unit(compressed) - to_unit(clean)) ** 2).mean(axis=(2, 3, 4))  # per frame
    assert metrics.psnr(compressed, clean) == pytest.approx(float(np.mean(10 * np.log10(1 / mse))), rel=1e-5)


def test_ssim_rejects_frames_smaller_than_its_window():
    with pytest.raises(ValueError, match=r"at least 11 x 11.*got 10 x 32"):
        metrics.ssim(torch.zeros(1, 3, 10, 32), torch.zeros(1, 3, 10, 32))


# --- tOF: TecoGAN's metrics.py ----------------------------------------------------------------
def tecogan_crop(image):
    """``crop_8x8``: a centred crop to multiples of 32 that removes at least 8 pixels per side."""
    height, width = image.shape[:2]
    h, w = height // 32 * 32, width // 32 * 32
    while h > height - 16:
        h -= 32
    while w > width - 16:
        w -= 32
    y, x = (height - h) // 2, (width - w) // 2
    return image[y: y + h, x: x + w]


def reference_tof(output, target, cut=2):
    """tOF as TecoGAN's metrics.py: 8-bit RGB frames, OpenCV grey, frames ``cut .. T - cut - 1`` read,
    the flow difference of each consecutive pair among them, cropped, its per-pixel norm averaged."""
    as_uint8 = lambda video: np.clip(np.rint(to_unit(video) * 255), 0, 255).astype(np.uint8)  # noqa: E731
    values = []
    for out_clip, tar_clip in zip(as_uint8(output), as_uint8(target)):
        for i in range(cut, len(tar_clip) - cut):
            out_grey = cv2.cvtColor(out_clip[i], cv2.COLOR_RGB2GRAY)
            tar_grey = cv2.cvtColor(tar_clip[i], cv2.COLOR_RGB2GRAY)
            if i > cut:
                tar_flow = cv2.calcOpticalFlowFarneback(previous_tar, tar_grey, None, 0.5, 3, 15, 3, 5, 1.2, 0)
                out_flow = cv2.calcOpticalFlowFarneback(previous_out, out_grey, None, 0.5, 3, 15, 3, 5, 1.2, 0)
                difference = np.abs(tecogan_crop(tar_flow) - tecogan_crop(out_flow))
                values.append(np.sqrt((difference * difference).sum(axis=-1)).mean())
            previous_out, previous_tar = out_grey, tar_grey
    return float(np.mean(values))


def test_tof_matches_tecogan_at_64_and_96_x_128(shapes, carphone):
    truth = shapes.video
    for output in (noisy(truth, 0.1), data.blur(truth, 1.5), truth[:, :1].expand_as(truth)):
        assert metrics.tof(output, truth) == pytest.approx(reference_tof(output, truth), rel=1e-5)
    clean, compressed = carphone
    assert metrics.tof(compressed, clean) == pytest.approx(reference_tof(compressed, clean), rel=1e-5)


def test_tof_of_grey_clips_is_that_of_their_rgb_copies(shapes):
    grey, truth = shapes.video[:2].mean(dim=2, keepdim=True), shapes.video[:2]
    assert metrics.tof(grey, truth) == pytest.approx(metrics.tof(grey.expand_as(truth), truth), rel=1e-6)


def test_tof_controls(shapes):
    truth = shapes.video
    assert metrics.tof(truth, truth) == 0
    frozen, blurred, noise = truth[:, :1].expand_as(truth), data.blur(truth, 1.5), noisy(truth, 0.1)
    assert metrics.tof(frozen, truth) > 0.2 and metrics.tof(noise, truth) > 0.2  # it moves differently
    assert 0.02 < metrics.tof(blurred, truth) < 0.5 * metrics.tof(frozen, truth)  # blur moves like the truth, almost


def test_tof_says_what_its_convention_cannot_score():
    small, short = torch.zeros(1, 8, 3, 32, 32), torch.zeros(1, 5, 3, 64, 64)
    with pytest.raises(ValueError, match=r"nothing of 32 x 32 frames.*48 x 48.*convention='course'"):
        metrics.tof(small, small)
    with pytest.raises(ValueError, match=r"at least 6 frames, got 5"):
        metrics.tof(short, short)
    assert metrics.tof(small, small, convention="course") == 0
    with pytest.raises(ValueError, match="convention must be"):
        metrics.tof(small, small, convention="teco")


# --- warping error: Lai et al. 2018 -----------------------------------------------------------
def resample(image, flow):
    """FlowNet2's Resample2d: ``image (h, w, c)`` read bilinearly at ``(x + u, y + v)``, indices clamped."""
    height, width = image.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width]
    xf, yf = xs + flow[..., 0], ys + flow[..., 1]
    alpha, beta = (xf - np.floor(xf))[..., None], (yf - np.floor(yf))[..., None]
    left, right = np.clip(np.floor(xf), 0, width - 1).astype(int), np.clip(np.floor(xf) + 1, 0, width - 1).astype(int)
    top, bottom = np.clip(np.floor(yf), 0, height - 1).astype(int), np.clip(np.floor(yf) + 1, 0, height - 1).astype(int)
    return ((1 - alpha) * (1 - beta) * image[top, left] + alpha * (1 - beta) * image[top, right]
            + (1 - alpha) * beta * image[bottom, left] + alpha * beta * image[bottom, right])


def reference_occlusion(forward, backward):
    """Lai et al.'s detect_occlusion for the pair (t, t+1): 1 = occluded or on a motion boundary, ``(h, w)``."""
    backward_there = resample(backward, forward)
    inconsistent = ((forward + backward_there) ** 2).sum(-1) > 0.01 * (
        (backward_there ** 2).sum(-1) + (forward ** 2).sum(-1)) + 0.5
    gradient = np.zeros(forward.shape[:2])
    for channel in (0, 1):
        u = forward[..., channel]
        du, dv = np.zeros_like(u), np.zeros_like(u)
        du[:, :-1], dv[:-1, :] = u[:, :-1] - u[:, 1:], u[:-1, :] - u[1:, :]
        gradient += du ** 2 + dv ** 2
    boundary = gradient > 0.01 * (forward ** 2).sum(-1) + 0.002
    return (inconsistent | boundary).astype(np.float64)


def reference_warping_error(video, flow, occluded):
    """evaluate_WarpError.py: per clip, the mean over pairs of sum(((warp(I_t+1) - I_t) * noc)^2) / sum(noc),
    ``noc`` the non-occluded mask repeated over channels; then the mean over clips."""
    frames, flows = to_unit(video), flow.double().numpy().transpose(0, 1, 3, 4, 2)
    per_clip = []
    for clip, clip_flows, clip_occluded in zip(frames, flows, occluded):
        error = 0.0
        for t in range(1, len(clip)):
            noc = np.repeat(1 - clip_occluded[t - 1][..., None], clip.shape[-1], axis=-1)
            difference = (resample(clip[t], clip_flows[t - 1]) - clip[t - 1]) * noc
            counted = noc.sum() if noc.sum() > 0 else difference.size
            error += (difference ** 2).sum() / counted
        per_clip.append(error / (len(clip) - 1))
    return float(np.mean(per_clip))


def reference_occlusions(forward, backward):
    """``(n, T-1, 2, h, w)`` flows -> Lai's occlusion maps ``(n, T-1, h, w)``."""
    fw, bw = (f.double().numpy().transpose(0, 1, 3, 4, 2) for f in (forward, backward))
    return np.array([[reference_occlusion(a, b) for a, b in zip(clip_fw, clip_bw)] for clip_fw, clip_bw in zip(fw, bw)])


@pytest.fixture(scope="module")
def carphone_flows(carphone):
    """OpenCV's Farneback flows of the pristine crop, forward and backward, ``(1, 7, 2, 96, 128)`` each."""
    grey = np.rint(to_unit(carphone[0])[0].mean(-1) * 255).astype(np.uint8)
    flow = lambda a, b: cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 3, 15, 3, 5, 1.2, 0)  # noqa: E731
    as_tensor = lambda flows: torch.from_numpy(np.stack(flows)).permute(0, 3, 1, 2)[None]  # noqa: E731
    return (as_tensor([flow(grey[t], grey[t + 1]) for t in range(7)]),
            as_tensor([flow(grey[t + 1], grey[t]) for t in range(7)]))


def test_occlusion_mask_is_lais_with_motion_boundaries(shapes, carphone_flows):
    for forward, backward in ((shapes.flow, shapes.backward_flow), carphone_flows):
        visible = data.occlusion_mask(forward.flatten(0, 1), backward.flatten(0, 1)).unflatten(0, forward.shape[:2])
        agree = (visible[:, :, 0].double().numpy() == 1 - reference_occlusions(forward, backward)).mean()
        assert agree > 0.9995  # float32 against float64: a pixel on a threshold may flip
    only_check = data.occlusion_mask(forward.flatten(0, 1), backward.flatten(0, 1), motion_boundaries=False)
    assert only_check.mean() > visible.mean() + 0.1  # on real footage, motion boundaries are a large share


def test_motion_boundaries_mark_a_jump_in_the_flow_on_its_left_side():
    flow = torch.zeros(1, 2, 4, 6)
    flow[:, 0, :, 3:] = 1.0  # the right half moves by one pixel
    boundary = data.motion_boundary_mask(flow)[0, 0]
    assert boundary[:, 2].eq(1).all() and boundary.sum() == 4  # |grad u|^2 = 1 > 0.01 * 0 + 0.002, column 2 only


def test_warping_error_matches_lai_et_al_at_64_and_96_x_128(shapes, carphone, carphone_flows):
    occluded = reference_occlusions(shapes.flow, shapes.backward_flow)
    for output in (shapes.video, noisy(shapes.video, 0.1), data.blur(shapes.video, 1.5)):
        expected = reference_warping_error(output, shapes.flow, occluded)
        assert metrics.warping_error(output, shapes.flow, backward=shapes.backward_flow) == pytest.approx(expected, rel=1e-5)
    clean, compressed = carphone
    forward, backward = carphone_flows
    visible = torch.from_numpy(1 - reference_occlusions(forward, backward)).float()[:, :, None]
    expected = reference_warping_error(compressed, forward, reference_occlusions(forward, backward))
    assert metrics.warping_error(compressed, forward, visible) == pytest.approx(expected, rel=1e-5)
    assert metrics.warping_error(compressed, forward, backward=backward) == pytest.approx(expected, rel=1e-2)


def test_warping_error_controls_and_what_it_is_blind_to(shapes):
    truth, flow, backward = shapes.video, shapes.flow, shapes.backward_flow
    score = lambda video: metrics.warping_error(video, flow, backward=backward)  # noqa: E731
    assert score(truth) < 5e-4  # the truth follows its exact flow: ~0 once occlusions and motion boundaries are out
    assert score(truth[:, :1].expand_as(truth)) > 2 * score(truth)  # frozen: it stops following the flow
    assert score(noisy(truth, 0.1)) > 20 * score(truth)  # flicker
    blurred = data.blur(truth, 1.5)
    assert score(blurred) < 2 * score(truth)  # blur moves with the flow: the warping error cannot see it ...
    assert metrics.ssim(blurred, truth) < 0.97  # ... fidelity to the truth does
    unmasked = metrics.warping_error(truth, flow, torch.ones_like(flow[:, :, :1]))
    assert unmasked > 3 * score(truth)  # without the mask, occlusions count as flicker


def test_warping_error_requires_a_mask_and_a_known_convention(shapes):
    video, flow = shapes.video[:1], shapes.flow[:1]
    with pytest.raises(ValueError, match=r"exactly one of visible=.*or backward=.*got neither"):
        metrics.warping_error(video, flow)
    with pytest.raises(ValueError, match="got both"):
        metrics.warping_error(video, flow, torch.ones_like(flow[:, :, :1]), backward=shapes.backward_flow[:1])
    with pytest.raises(ValueError, match=r"backward must have the shape of flow"):
        metrics.warping_error(video, flow, backward=shapes.backward_flow[:1, :-1])
    with pytest.raises(ValueError, match="convention must be"):
        metrics.warping_error(video, flow, backward=shapes.backward_flow[:1], convention="mae")


def test_the_course_convention_is_the_earlier_number(shapes):
    video, flow = noisy(shapes.video, 0.1), shapes.flow
    visible = data.occlusion_mask(flow.flatten(0, 1), shapes.backward_flow.flatten(0, 1)).unflatten(0, flow.shape[:2])
    warped = data.warp(video[:, 1:].flatten(0, 1), flow.flatten(0, 1)).unflatten(0, flow.shape[:2])
    error = (warped - video[:, :-1]).abs().mean(dim=2, keepdim=True)  # [-1, 1], channels averaged, all pairs pooled
    expected = float((error * visible).sum() / visible.sum())
    assert metrics.warping_error(video, flow, visible, convention="course") == pytest.approx(expected, rel=1e-6)


# --- Inception Score: Salimans et al. 2016 ----------------------------------------------------
def reference_inception_score(p, splits):
    """inception_score/model.py: consecutive splits, exp of the mean KL to the split's marginal; mean, std."""
    scores = []
    for i in range(splits):
        part = p[i * len(p) // splits: (i + 1) * len(p) // splits]
        kl = part * (np.log(part) - np.log(np.mean(part, 0, keepdims=True)))
        scores.append(np.exp(np.mean(np.sum(kl, 1))))
    return np.mean(scores), np.std(scores)


def test_inception_score_matches_salimans_et_al_with_10_splits():
    p = np.random.default_rng(0).dirichlet(np.full(10, 0.3), size=1003)  # 1003: splits of unequal size
    score = metrics.inception_score(torch.from_numpy(p))
    mean, std = reference_inception_score(p, 10)
    assert (score.mean, score.std, score.splits) == (pytest.approx(mean, rel=1e-9), pytest.approx(std, rel=1e-9), 10)
    assert metrics.inception_score(torch.from_numpy(p), 1).mean == pytest.approx(reference_inception_score(p, 1)[0])


def test_inception_score_controls():
    sure = torch.eye(10).repeat(50, 1)  # each sample one sure class, every class equally often in every split
    assert metrics.inception_score(sure).mean == pytest.approx(10) and metrics.inception_score(sure).std < 1e-9
    assert metrics.inception_score(torch.eye(10)[[3] * 500]).mean == pytest.approx(1)  # collapse
    assert metrics.inception_score(torch.full((500, 10), 0.1)).mean == pytest.approx(1)  # unsure
    with pytest.raises(ValueError, match=r"n >= splits = 10"):
        metrics.inception_score(torch.full((9, 10), 0.1))


# --- modes covered: PacGAN / VEEGAN -----------------------------------------------------------
def reference_pacgan_modes(samples, means, std, threshold=3):
    """PacGAN's MetricLogger: each sample to its nearest mode (distance in std units); counted when strictly
    within ``threshold``; modes with a non-zero count are covered; the counted share is the quality."""
    counts = np.zeros(len(means))
    for x in samples:
        distances = np.sqrt((((x - means) ** 2) / std ** 2).sum(axis=1))
        if distances.min() < threshold:
            counts[distances.argmin()] += 1
    return int(np.count_nonzero(counts)), counts.sum() / len(samples)


def test_modes_covered_under_pacgans_rule_matches_their_code():
    for mixture in (data.ring_of_gaussians(), data.grid_of_gaussians()):
        g = torch.Generator().manual_seed(0)
        near = mixture.means[torch.randint(mixture.n_modes // 2, (400,), generator=g)]
        samples = torch.cat([near + 2 * mixture.std * torch.randn(400, 2, generator=g), torch.randn(100, 2, generator=g)])
        result = metrics.mode_coverage(samples, mixture)
        modes, quality = reference_pacgan_modes(samples.double().numpy(), mixture.means.double().numpy(), mixture.std)
        assert (result.modes_covered_pacgan, result.pacgan_min_count) == (modes, 1)
        assert result.high_quality_fraction == pytest.approx(quality, abs=1e-6)


def test_the_two_rules_differ_on_stray_points():
    ring = data.ring_of_gaussians()
    samples = torch.cat([ring.means[0].repeat(995, 1), ring.means[1].repeat(5, 1)])
    result = metrics.mode_coverage(samples, ring)
    assert (result.modes_covered, result.modes_covered_pacgan) == (1, 2)  # five stray points: covered for PacGAN
    assert metrics.mode_coverage(samples, ring, pacgan_min_count=20).modes_covered_pacgan == 1
    with pytest.raises(ValueError, match="pacgan_min_count must be an integer >= 1"):
        metrics.mode_coverage(samples, ring, pacgan_min_count=0)
