"""Video generators and discriminators (lesson 03), for clips ``(batch, time, channels, size, size)``
with ``size`` 32 (the ``smoke`` and ``cpu`` profiles) or 64 (the ``gpu`` profile).

Generators, from the naive to MoCoGAN; each has ``sample_latents(batch)`` and ``forward(**latents)``:

- :class:`FrameIndependentGenerator`: ``x_t = G(z_t)`` with independent ``z_t``: the baseline;
- :class:`VGANGenerator` (Vondrick et al. 2016): a moving 3-D foreground, its mask, a still 2-D background;
- :class:`TGANGenerator` (Saito et al. 2017): 1-D deconvolutions make a path of latents from one ``z``;
- :class:`MoCoGANGenerator` (Tulyakov et al. 2018): one content code per clip, a GRU of motion codes.

Discriminators: the DCGAN discriminator of lesson 01 judges single frames
(:func:`sample_frames`); :class:`VideoDiscriminator` judges clips with factorised (2+1)-D
convolutions (:class:`Conv2Plus1d`): on 2 CPU cores a full 3-D convolution was about 7 times
slower per step at 16 x 32 x 32. It has batch norm between blocks, like DCGAN's D: without it,
it learned too slowly and every video generator collapsed to one still image.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import check_network_input, check_positive_int, check_video
from .dcgan import DCGANGenerator, upsample_block


class FrameIndependentGenerator(nn.Module):
    """The baseline: every frame from its own independent noise, ``x_t = G(z_t)``.

    Each frame alone can look right; nothing ties frame ``t`` to frame ``t + 1``, so clips flicker.
    """

    def __init__(self, z_dim: int = 64, channels: int = 1, width: int = 32, n_frames: int = 16, size: int = 32):
        super().__init__()
        self.z_dim, self.n_frames = z_dim, n_frames
        self.image = DCGANGenerator(z_dim, channels, width, size)

    def sample_latents(self, batch: int, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        device = next(self.parameters()).device
        return {"z": torch.randn(batch, self.n_frames, self.z_dim, generator=generator, device=device)}

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``z (batch, time, z_dim)`` -> clips ``(batch, time, channels, size, size)``."""
        check_network_input(self, z, "z", ("batch", "time", self.z_dim))
        batch, time = z.shape[:2]
        return self.image(z.flatten(0, 1)).unflatten(0, (batch, time))


class MoCoGANGenerator(nn.Module):
    """MoCoGAN: ``x_t = G_I([z_content, z_motion(t)])``.

    The content code is drawn once per clip and held fixed; the motion codes come from a GRU
    driven by fresh noise at every step, ``z_motion(t) = GRU(eps_t, z_motion(t-1))`` from a zero
    state, so they
    change smoothly. Fix the content and resample the motion: the same object, moving
    differently; fix the motion and resample the content: another object, the same motion.
    """

    def __init__(self, content_dim: int = 48, motion_dim: int = 16, channels: int = 1, width: int = 32,
                 n_frames: int = 16, size: int = 32):
        super().__init__()
        self.content_dim, self.motion_dim, self.n_frames = content_dim, motion_dim, n_frames
        self.gru = nn.GRUCell(motion_dim, motion_dim)
        self.image = DCGANGenerator(content_dim + motion_dim, channels, width, size)

    def sample_latents(self, batch: int, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        device = next(self.parameters()).device
        return {"content": torch.randn(batch, self.content_dim, generator=generator, device=device),
                "motion_noise": torch.randn(batch, self.n_frames, self.motion_dim, generator=generator, device=device)}

    def motion_codes(self, motion_noise: torch.Tensor) -> torch.Tensor:
        """Noise ``(batch, time, motion_dim)`` -> motion codes ``(batch, time, motion_dim)``.

        The GRU starts from a zero state and takes one noise vector per frame,
        ``h_t = GRU(eps_t, h_{t-1})``; every code is a GRU output, so every frame's code comes
        from the same kind of distribution (values in (-1, 1)).
        """
        check_network_input(self, motion_noise, "motion_noise", ("batch", "time", self.motion_dim))
        state = torch.zeros_like(motion_noise[:, 0])
        codes = []
        for t in range(motion_noise.shape[1]):
            state = self.gru(motion_noise[:, t], state)
            codes.append(state)
        return torch.stack(codes, dim=1)

    def forward(self, content: torch.Tensor, motion_noise: torch.Tensor) -> torch.Tensor:
        """``content (batch, content_dim)``, ``motion_noise (batch, time, motion_dim)`` -> clips."""
        check_network_input(self, content, "content", ("batch", self.content_dim))
        motion = self.motion_codes(motion_noise)
        batch, time = motion.shape[:2]
        z = torch.cat([content[:, None].expand(-1, time, -1), motion], dim=2)  # (B, T, content + motion)
        return self.image(z.flatten(0, 1)).unflatten(0, (batch, time))


class TGANGenerator(nn.Module):
    """TGAN's temporal generator: one ``z0`` -> a path of ``time`` latents by 1-D transposed
    convolutions; each frame is ``G_I([z0, z1_t])``."""

    def __init__(self, z_dim: int = 64, path_dim: int = 32, channels: int = 1, width: int = 32, n_frames: int = 16,
                 size: int = 32):
        super().__init__()
        if n_frames != 16:
            raise ValueError(f"TGANGenerator makes 16 frames (1 -> 2 -> 4 -> 8 -> 16), got n_frames={n_frames}")
        self.z_dim, self.n_frames = z_dim, n_frames
        layers: list[nn.Module] = []
        c = z_dim
        for _ in range(4):  # time 1 -> 16
            layers += [nn.ConvTranspose1d(c, path_dim, 4, 2, 1), nn.BatchNorm1d(path_dim), nn.Tanh()]
            c = path_dim
        self.temporal = nn.Sequential(*layers)
        self.image = DCGANGenerator(z_dim + path_dim, channels, width, size)

    def sample_latents(self, batch: int, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        device = next(self.parameters()).device
        return {"z": torch.randn(batch, self.z_dim, generator=generator, device=device)}

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``z (batch, z_dim)`` -> clips ``(batch, 16, channels, size, size)``."""
        check_network_input(self, z, "z", ("batch", self.z_dim))
        path = self.temporal(z[:, :, None]).transpose(1, 2)  # (B, T, path_dim)
        frames = torch.cat([z[:, None].expand(-1, self.n_frames, -1), path], dim=2)
        return self.image(frames.flatten(0, 1)).unflatten(0, (len(z), self.n_frames))


class VGANGenerator(nn.Module):
    """VGAN's two streams: ``video = m * f + (1 - m) * b``.

    A 3-D (space-time) transposed-convolution stream makes the moving foreground ``f`` and its
    mask ``m`` in [0, 1], ``(batch, time, 1, size, size)``; a 2-D stream makes one background
    image ``b`` for the whole clip. ``last_mask`` ``(batch, time, 1, size, size)`` and
    ``last_background`` ``(batch, channels, size, size)`` keep the latest call's mask (for the
    sparsity penalty) and background (for plots). At ``size=64`` each stream has one more
    up-sampling layer (the 3-D one doubles space only).
    """

    def __init__(self, z_dim: int = 64, channels: int = 1, width: int = 16, n_frames: int = 16, size: int = 32):
        super().__init__()
        if n_frames != 16:
            raise ValueError(f"VGANGenerator makes 16 frames, got n_frames={n_frames}")
        if size not in (32, 64):
            raise ValueError(f"size must be 32 or 64, got {size!r}")
        self.z_dim, self.n_frames, self.channels = z_dim, n_frames, channels
        w = width
        foreground: list[nn.Module] = [  # z (B, z, 1, 1, 1) -> (B, channels + 1, 16, size, size)
            nn.ConvTranspose3d(z_dim, 8 * w, (2, 4, 4), 1, 0, bias=False), nn.BatchNorm3d(8 * w), nn.ReLU(True),  # 2x4x4
            nn.ConvTranspose3d(8 * w, 4 * w, 4, 2, 1, bias=False), nn.BatchNorm3d(4 * w), nn.ReLU(True),  # 4x8x8
            nn.ConvTranspose3d(4 * w, 2 * w, 4, 2, 1, bias=False), nn.BatchNorm3d(2 * w), nn.ReLU(True),  # 8x16x16
        ]
        if size == 32:
            foreground.append(nn.ConvTranspose3d(2 * w, channels + 1, 4, 2, 1))  # 16 x 32 x 32
        else:
            foreground += [nn.ConvTranspose3d(2 * w, w, 4, 2, 1, bias=False), nn.BatchNorm3d(w), nn.ReLU(True),  # 16x32x32
                           nn.ConvTranspose3d(w, channels + 1, (3, 4, 4), (1, 2, 2), 1)]  # 16 x 64 x 64
        self.foreground = nn.Sequential(*foreground)
        background: list[nn.Module] = [  # z (B, z, 1, 1) -> (B, channels, size, size)
            nn.ConvTranspose2d(z_dim, 4 * w, 4, 1, 0, bias=False), nn.BatchNorm2d(4 * w), nn.ReLU(True),  # 4x4
            upsample_block(4 * w, 2 * w), upsample_block(2 * w, w),  # 16x16
        ]
        if size == 64:
            background.append(upsample_block(w, w))  # 32x32
        background += [nn.ConvTranspose2d(w, channels, 4, 2, 1), nn.Tanh()]  # size x size
        self.background = nn.Sequential(*background)
        self.last_mask: torch.Tensor | None = None
        self.last_background: torch.Tensor | None = None

    def sample_latents(self, batch: int, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        device = next(self.parameters()).device
        return {"z": torch.randn(batch, self.z_dim, generator=generator, device=device)}

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """``z (batch, z_dim)`` -> clips ``(batch, 16, channels, size, size)``."""
        check_network_input(self, z, "z", ("batch", self.z_dim))
        stream = self.foreground(z[:, :, None, None, None]).transpose(1, 2)  # (B, T, channels + 1, H, W)
        foreground = torch.tanh(stream[:, :, : self.channels])
        mask = torch.sigmoid(stream[:, :, self.channels:])  # (B, T, 1, H, W)
        background = self.background(z[:, :, None, None])[:, None]  # (B, 1, channels, H, W)
        self.last_mask, self.last_background = mask, background[:, 0]
        return mask * foreground + (1 - mask) * background


@torch.no_grad()
def sample_clips(G: nn.Module, n: int, seed: int = 0, batch: int = 64) -> torch.Tensor:
    """``n`` clips ``(n, time, c, size, size)`` from a video generator ``G`` (one with
    ``sample_latents``), in eval mode, on the CPU, from a generator seeded with ``seed``."""
    check_positive_int(n, "n")
    check_positive_int(batch, "batch")
    if not hasattr(G, "sample_latents"):
        raise ValueError(f"G must be a video generator with sample_latents (e.g. models.MoCoGANGenerator), got {type(G).__name__}")
    G.eval()
    rng = torch.Generator(device=next(G.parameters()).device).manual_seed(seed)
    clips = [G(**G.sample_latents(min(batch, n - start), generator=rng)).float().cpu() for start in range(0, n, batch)]
    return torch.cat(clips).clamp(-1, 1)


def sample_frames(video: torch.Tensor, k: int = 1, generator: torch.Generator | None = None) -> torch.Tensor:
    """``k`` random frames of every clip ``(batch, time, c, h, w)`` -> images ``(batch * k, c, h, w)``,
    for MoCoGAN's image discriminator."""
    check_video(video, "video")
    check_positive_int(k, "k")
    batch, time = video.shape[:2]
    which = torch.randint(time, (batch, k), generator=generator, device=video.device if generator is None else generator.device)
    return video[torch.arange(batch, device=which.device)[:, None], which].flatten(0, 1)


class Conv2Plus1d(nn.Module):
    """A factorised space-time convolution: a 2-D convolution on every frame, then a 1-D
    convolution along time at every pixel (Tran et al. 2018, "R(2+1)D").

    ``(batch, c_in, time, h, w)`` -> ``(batch, c_out, time / time_stride, h / 2, w / 2)``.
    """

    def __init__(self, c_in: int, c_out: int, time_stride: int = 1):
        super().__init__()
        self.spatial = nn.Conv2d(c_in, c_out, kernel_size=4, stride=2, padding=1)
        self.temporal = nn.Conv1d(c_out, c_out, kernel_size=3, stride=time_stride, padding=1)
        self.act = nn.LeakyReLU(0.2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_network_input(self, x, "x", ("batch", self.spatial.in_channels, "time", "height", "width"))
        batch, _, time, h, w = x.shape
        frames = x.transpose(1, 2).flatten(0, 1)  # (B*T, c_in, h, w)
        y = self.act(self.spatial(frames))  # (B*T, c_out, h/2, w/2)
        c, h2, w2 = y.shape[1:]
        pixels = y.view(batch, time, c, h2, w2).permute(0, 3, 4, 2, 1).reshape(-1, c, time)  # (B*h2*w2, c, T)
        z = self.temporal(pixels)  # (B*h2*w2, c, T')
        t2 = z.shape[-1]
        return z.view(batch, h2, w2, c, t2).permute(0, 3, 4, 1, 2)  # (B, c, T', h2, w2)


class VideoDiscriminator(nn.Module):
    """D for clips ``(batch, time, channels, size, size)`` -> one logit per clip ``(batch,)``.

    ``size`` 32 or 64; at 64 a fourth block (no time stride) brings 8 x 8 down to 4 x 4.
    """

    def __init__(self, channels: int = 1, width: int = 32, size: int = 32):
        super().__init__()
        if size not in (32, 64):
            raise ValueError(f"size must be 32 or 64, got {size!r}")
        self.channels, self.size = channels, size
        blocks: list[nn.Module] = [  # like DCGAN's D: batch norm on all but the first block
            Conv2Plus1d(channels, width, time_stride=1), nn.LeakyReLU(0.2),  # T x 16 x 16 (x 32 x 32 at size 64)
            Conv2Plus1d(width, 2 * width, time_stride=2), nn.BatchNorm3d(2 * width), nn.LeakyReLU(0.2),  # T/2 x 8 x 8
            Conv2Plus1d(2 * width, 4 * width, time_stride=2), nn.BatchNorm3d(4 * width), nn.LeakyReLU(0.2),  # T/4 x 4 x 4
        ]
        if size == 64:
            blocks += [Conv2Plus1d(4 * width, 8 * width), nn.BatchNorm3d(8 * width), nn.LeakyReLU(0.2)]  # T/4 x 4 x 4
        self.blocks = nn.Sequential(*blocks)
        last = 4 * width if size == 32 else 8 * width
        self.head = nn.Conv3d(last, 1, kernel_size=(1, 4, 4))  # one score per remaining time step

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        check_video(video, "video", channels=self.channels)
        check_network_input(self, video, "video")
        if video.shape[-2:] != (self.size, self.size):
            raise ValueError(f"video must be (batch, time, {self.channels}, {self.size}, {self.size}), got {tuple(video.shape)}")
        scores = self.head(self.blocks(video.transpose(1, 2)))  # (B, 1, T/4, 1, 1)
        return scores.flatten(1).mean(dim=1)
