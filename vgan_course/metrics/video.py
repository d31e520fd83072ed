"""A video feature network trained offline, and the clip- and frame-level Fréchet distances on it.

FVD (Unterthiner et al. 2019) needs I3D weights we cannot download. So the course trains its
own small network on its own synthetic clips, to predict what needs motion to be seen: the
object's identity from every frame and from the whole clip, and its velocity at every frame.
It is never trained to detect shuffled or frozen clips: that it notices them is checked, not
taught (lesson 03 and ``tests/test_video_metric.py`` validate it).

The trained weights ship with the package (``vgan_course/checkpoints/video_features.pt``, with
its SHA-256 and the command that rebuilds it in ``manifest.json``), so loading is instant.
"""

from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import nn

from .. import data, shipped
from ..checks import check_module, check_positive_int, check_range, check_video
from .frechet import FDEstimate, frechet_bootstrap

CLASS_NAMES = tuple(str(d) for d in range(10)) + data.SHAPE_NAMES  # 13 classes: digits, then shapes
MAX_SPEED = 2.5  # pixels per frame: velocities are predicted in units of this
CHECKPOINT = "video_features"


class VideoFeatureNet(nn.Module):
    """(2+1)-D features of clips ``(batch, time, 1 or 3, 32, 32)`` in [-1, 1].

    A 2-D trunk embeds every frame (``(batch, time, dim)``: the *frame features*); 1-D
    convolutions over time mix neighbouring frames. Heads: the object's class per frame and per
    clip, its velocity per frame. The *clip feature* ``(batch, dim + 2 * time)`` joins what the
    clip shows (the time-averaged features) and how it moves (the predicted velocity at every
    frame, scaled by ``motion_scale`` so that motion carries a quarter of the feature's variance
    on real clips: averaged features alone barely notice shuffled frames).
    """

    def __init__(self, width: int = 16, dim: int = 64):
        super().__init__()
        self.frame_trunk = nn.Sequential(
            nn.Conv2d(3, width, 4, 2, 1), nn.LeakyReLU(0.2),  # w x 16 x 16
            nn.Conv2d(width, 2 * width, 4, 2, 1), nn.LeakyReLU(0.2),  # 2w x 8 x 8
            nn.Conv2d(2 * width, 4 * width, 4, 2, 1), nn.LeakyReLU(0.2),  # 4w x 4 x 4
            nn.Flatten(), nn.Linear(4 * width * 16, dim),  # keeps *where* things are, not only what
        )
        self.temporal = nn.Sequential(
            nn.Conv1d(dim, dim, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(dim, dim, 3, padding=1), nn.LeakyReLU(0.2),
        )
        self.frame_class = nn.Linear(dim, len(CLASS_NAMES))
        self.clip_class = nn.Linear(dim, len(CLASS_NAMES))
        self.velocity = nn.Linear(dim, 2)
        self.register_buffer("motion_scale", torch.tensor(1.0))  # set by calibrate_motion_scale

    def forward(self, video: torch.Tensor) -> dict[str, torch.Tensor]:
        check_video(video, "video")
        if video.shape[2] not in (1, 3) or video.shape[-2:] != (32, 32):
            raise ValueError(f"video must have shape (batch, time, 1 or 3, 32, 32), got {tuple(video.shape)}")
        if video.shape[2] == 1:
            video = video.expand(-1, -1, 3, -1, -1)  # grey -> RGB
        batch, time = video.shape[:2]
        frame = self.frame_trunk(video.reshape(batch * time, 3, 32, 32)).view(batch, time, -1)  # (B, T, dim)
        mixed = self.temporal(frame.transpose(1, 2)).transpose(1, 2)  # (B, T, dim)
        content = mixed.mean(dim=1)  # (B, dim)
        velocity = self.velocity(mixed)  # (B, T, 2), in units of MAX_SPEED
        clip = torch.cat([content, self.motion_scale * velocity.flatten(1)], dim=1)  # (B, dim + 2T)
        return {"frame": frame, "clip": clip, "frame_logits": self.frame_class(frame),
                "clip_logits": self.clip_class(content), "velocity": velocity}


def training_batch(batch: int, n_frames: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Half moving digits, half moving shapes, one object each: clips (B, T, 3, 32, 32),
    class labels (B,) in 0..12, velocities (B, T, 2) in pixels per frame."""
    digits = data.moving_digits(batch // 2, n_frames, 32, 1, generator=generator)
    shapes = data.moving_shapes(batch - batch // 2, n_frames, 32, 1, generator=generator)
    video = torch.cat([digits.video.expand(-1, -1, 3, -1, -1), shapes.video])
    labels = torch.cat([digits.labels[:, 0], shapes.labels[:, 0] + 10])
    velocities = torch.cat([digits.velocities[:, :, 0], shapes.velocities[:, :, 0]])
    return video, labels, velocities


def feature_loss(out: dict[str, torch.Tensor], labels: torch.Tensor, velocities: torch.Tensor) -> torch.Tensor:
    """Class per clip + class per frame (cross-entropy) + velocity per frame (squared error)."""
    time = out["frame_logits"].shape[1]
    frame_labels = labels[:, None].expand(-1, time).reshape(-1)
    return (F.cross_entropy(out["clip_logits"], labels)
            + F.cross_entropy(out["frame_logits"].reshape(-1, len(CLASS_NAMES)), frame_labels)
            + F.mse_loss(out["velocity"], velocities / MAX_SPEED))


def train_video_features(steps: int = 4000, batch: int = 32, n_frames: int = 16, seed: int = 0,
                         progress: bool = True) -> VideoFeatureNet:
    """Train the feature network from scratch on fresh synthetic clips (a few minutes on a CPU)."""
    from tqdm.auto import tqdm

    for value, name in ((steps, "steps"), (batch, "batch"), (n_frames, "n_frames")):
        check_positive_int(value, name, minimum=2 if name == "batch" else 1)  # half digits, half shapes
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = VideoFeatureNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    for _ in tqdm(range(steps), disable=not progress, desc="video features", mininterval=5):
        video, labels, velocities = training_batch(batch, n_frames, generator)
        loss = feature_loss(model(video), labels, velocities)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    model.eval()
    calibrate_motion_scale(model, training_batch(512, n_frames, generator)[0])
    return model


@torch.no_grad()
def calibrate_motion_scale(model: VideoFeatureNet, video: torch.Tensor, motion_share: float = 0.25) -> float:
    """Set ``model.motion_scale`` so that, on real clips ``video``, the velocity part of the clip
    feature carries ``motion_share`` of its total variance (trace of the covariance)."""
    model.motion_scale.fill_(1.0)
    out = model(video)
    dim = out["clip"].shape[1] - out["velocity"][0].numel()
    content_variance = out["clip"][:, :dim].var(dim=0).sum()
    motion_variance = out["velocity"].flatten(1).var(dim=0).sum()
    scale = float((motion_share / (1 - motion_share) * content_variance / motion_variance).sqrt())
    model.motion_scale.fill_(scale)
    return scale


@torch.no_grad()
def evaluate_video_features(model: VideoFeatureNet, n: int = 512, seed: int = 12345) -> dict[str, float]:
    """Held-out accuracy (clip and frame class) and velocity error (pixels per frame) on fresh clips."""
    check_module(model, "model")
    check_positive_int(n, "n", minimum=2)
    video, labels, velocities = training_batch(n, 16, torch.Generator().manual_seed(seed))
    out = model(video)
    return {"clip_accuracy": float((out["clip_logits"].argmax(1) == labels).float().mean()),
            "frame_accuracy": float((out["frame_logits"].argmax(2) == labels[:, None]).float().mean()),
            "velocity_error": float((out["velocity"] * MAX_SPEED - velocities).norm(dim=2).mean())}


@lru_cache(maxsize=1)
def video_feature_net() -> VideoFeatureNet:
    """The shipped feature network (its SHA-256 checked against the manifest), in eval mode."""
    model = VideoFeatureNet()
    model.load_state_dict(shipped.load_state(CHECKPOINT))
    return model.eval()


@torch.no_grad()
def video_features(video: torch.Tensor, batch: int = 128, model: VideoFeatureNet | None = None) -> dict[str, torch.Tensor]:
    """Clip features ``(n, 64 + 2 * time)`` and frame features ``(n * time, 64)`` of clips ``(n, time, c, 32, 32)``.

    Compare clip features only between clips of the same length (the course's are 16 frames).
    """
    check_range(check_video(video, "video"), "video")
    check_positive_int(batch, "batch")
    model = video_feature_net() if model is None else model
    clips, frames = [], []
    for start in range(0, len(video), batch):
        out = model(video[start: start + batch].float().cpu())
        clips.append(out["clip"])
        frames.append(out["frame"].flatten(0, 1))
    return {"clip": torch.cat(clips), "frame": torch.cat(frames)}


def clip_fd(real: torch.Tensor, fake: torch.Tensor, rounds: int = 20) -> FDEstimate:
    """Clip-level Fréchet distance between two sets of clips, with a bootstrap interval."""
    return frechet_bootstrap(video_features(real)["clip"], video_features(fake)["clip"], rounds)


def frame_fd(real: torch.Tensor, fake: torch.Tensor, rounds: int = 20) -> FDEstimate:
    """Frame-level Fréchet distance (every frame a sample; blind to temporal order)."""
    return frechet_bootstrap(video_features(real)["frame"], video_features(fake)["frame"], rounds)


def shuffled(video: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Each clip's frames in a random order: the same frames, no coherent motion."""
    check_video(video, "video")
    order = torch.stack([torch.randperm(video.shape[1], generator=generator) for _ in range(len(video))])
    return video[torch.arange(len(video))[:, None], order]


def frozen(video: torch.Tensor) -> torch.Tensor:
    """Each clip's first frame repeated: the right content, no motion at all."""
    return check_video(video, "video")[:, :1].expand_as(video).clone()
