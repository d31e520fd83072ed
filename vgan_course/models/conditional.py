"""Conditional video networks (lesson 06): a clip generator steered by a caption or a sound, and
discriminators that judge whether a clip matches its caption.

- :class:`TextEncoder`: token ids ``(n, L)`` -> a condition vector ``(n, dim)``, trained from
  scratch over the closed vocabulary (no pretrained language model is available offline);
- :class:`SoundEncoder`: a sound ``(n, samples)`` -> a condition vector of the same kind;
- :class:`ConditionalMoCoGANGenerator`: MoCoGAN's content code and GRU motion codes, with the
  condition fed to the motion GRU, joined to every frame's latent, and applied through
  conditional batch norm (:class:`ConditionalBatchNorm`, FiLM) in every layer of the image generator;
- :class:`ConditionalDiscriminator`: a frame or clip trunk (:func:`frame_trunk`, :func:`clip_trunk`)
  and a head that brings in the caption, by **projection** (:class:`ProjectionHead`, Miyato and
  Koyama 2018) or by **concatenation** (:class:`ConcatenationHead`, Reed et al. 2016).

Clips are ``(batch, time, channels, size, size)`` in [-1, 1], ``size`` 32 or 64.
"""

from __future__ import annotations

import torch
from torch import nn

from ..checks import check_images, check_video
from .dcgan import downsample_block
from .video import Conv2Plus1d

CONDITIONINGS = ("projection", "concatenation")


def _check_size(size: int) -> None:
    if size not in (32, 64):
        raise ValueError(f"size must be 32 or 64, got {size!r}")


def _check_condition(condition: torch.Tensor, batch: int, dim: int) -> None:
    if not isinstance(condition, torch.Tensor) or tuple(condition.shape) != (batch, dim):
        got = tuple(condition.shape) if isinstance(condition, torch.Tensor) else type(condition).__name__
        raise ValueError(f"condition must have shape ({batch}, {dim}), got {got}")


class TextEncoder(nn.Module):
    """Token ids ``(n, L)`` (0 = padding, at the end) -> ``(n, dim)``: word embeddings read by a GRU;
    the sentence's vector is the GRU's state after its last word."""

    def __init__(self, vocab_size: int, dim: int = 64, word_dim: int = 32):
        super().__init__()
        self.vocab_size, self.dim = vocab_size, dim
        self.embed = nn.Embedding(vocab_size, word_dim, padding_idx=0)
        self.gru = nn.GRU(word_dim, dim, batch_first=True)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        if not isinstance(tokens, torch.Tensor) or tokens.dim() != 2 or tokens.dtype != torch.long:
            got = f"{tuple(tokens.shape)} {tokens.dtype}" if isinstance(tokens, torch.Tensor) else type(tokens).__name__
            raise ValueError(f"tokens must be a long tensor (n, length), got {got} (use data.captions.tokenize)")
        if tokens.numel() and (tokens.min() < 0 or tokens.max() >= self.vocab_size):
            raise ValueError(f"token ids must lie in 0..{self.vocab_size - 1}, got {tokens.min()}..{tokens.max()}")
        states, _ = self.gru(self.embed(tokens))  # (n, L, dim)
        last = (tokens != 0).sum(dim=1).clamp(min=1) - 1
        return states[torch.arange(len(tokens), device=tokens.device), last]


class SoundEncoder(nn.Module):
    """Sounds ``(n, samples)`` in [-1, 1] -> ``(n, dim)``: the log-magnitude spectrogram (STFT),
    two 1-D convolutions along time, then the mean and the maximum over time (how many beeps,
    and which pitch), and a small MLP."""

    def __init__(self, dim: int = 64, n_fft: int = 256, hop: int = 64, width: int = 64):
        super().__init__()
        self.n_fft, self.hop = n_fft, hop
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)
        bins = n_fft // 2 + 1
        self.conv = nn.Sequential(nn.Conv1d(bins, width, 5, padding=2), nn.ReLU(),
                                  nn.Conv1d(width, width, 5, padding=2), nn.ReLU())
        self.head = nn.Sequential(nn.Linear(2 * width, 2 * width), nn.ReLU(), nn.Linear(2 * width, dim))

    def forward(self, sound: torch.Tensor) -> torch.Tensor:
        if not isinstance(sound, torch.Tensor) or sound.dim() != 2 or sound.shape[1] < self.n_fft:
            got = tuple(sound.shape) if isinstance(sound, torch.Tensor) else type(sound).__name__
            raise ValueError(f"sound must have shape (n, samples >= {self.n_fft}), got {got}")
        spectrum = torch.stft(sound, self.n_fft, self.hop, window=self.window, return_complex=True).abs()
        features = self.conv(torch.log1p(10 * spectrum))  # (n, width, frames)
        return self.head(torch.cat([features.mean(dim=2), features.amax(dim=2)], dim=1))


class ConditionalBatchNorm(nn.Module):
    """Batch norm whose scale and shift come from the condition (de Vries et al. 2017; FiLM, Perez
    et al. 2018): ``BN(x) * (1 + gamma(c)) + beta(c)`` on ``x (n, channels, h, w)``, ``c (n, cond_dim)``.
    ``gamma`` and ``beta`` start at 0, so at first it is a plain batch norm."""

    def __init__(self, channels: int, cond_dim: int):
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)
        self.film = nn.Linear(cond_dim, 2 * channels)
        nn.init.zeros_(self.film.weight)
        nn.init.zeros_(self.film.bias)

    def forward(self, x: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        gamma, beta = self.film(condition)[:, :, None, None].chunk(2, dim=1)
        return self.norm(x) * (1 + gamma) + beta


class ConditionalImageGenerator(nn.Module):
    """DCGAN's generator with conditional batch norm: ``z (n, z_dim)``, ``c (n, cond_dim)`` -> images
    ``(n, channels, size, size)`` in [-1, 1]."""

    def __init__(self, z_dim: int, cond_dim: int, channels: int = 1, width: int = 32, size: int = 32):
        super().__init__()
        _check_size(size)
        chans = [4 * width, 2 * width, width] if size == 32 else [8 * width, 4 * width, 2 * width, width]
        self.convs = nn.ModuleList([nn.ConvTranspose2d(z_dim, chans[0], 4, 1, 0, bias=False)])  # 4 x 4
        self.convs.extend(nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False) for a, b in zip(chans, chans[1:]))  # x2 each
        self.norms = nn.ModuleList(ConditionalBatchNorm(c, cond_dim) for c in chans)
        self.out = nn.ConvTranspose2d(width, channels, 4, 2, 1)  # size x size
        for conv in [*self.convs, self.out]:
            nn.init.normal_(conv.weight, 0.0, 0.02)

    def forward(self, z: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        h = z[:, :, None, None]
        for conv, norm in zip(self.convs, self.norms):
            h = torch.relu(norm(conv(h), condition))
        return torch.tanh(self.out(h))


class ConditionalMoCoGANGenerator(nn.Module):
    """MoCoGAN steered by a condition ``c``: ``x_t = G_I([z_content, z_motion(t), c]; c)``,
    ``z_motion(t) = GRU([eps_t, c], z_motion(t - 1))``.

    The condition (from ``self.text_encoder``, or any encoder of the same ``cond_dim``) sets the
    motion codes' course, joins every frame's latent, and scales and shifts every layer of the
    image generator (:class:`ConditionalBatchNorm`). The content code and the motion noise add
    what the caption leaves open: the digit's handwriting, where it starts, how fast it goes.
    """

    def __init__(self, vocab_size: int, cond_dim: int = 64, content_dim: int = 32, motion_dim: int = 16,
                 channels: int = 1, width: int = 32, n_frames: int = 16, size: int = 32):
        super().__init__()
        self.cond_dim, self.content_dim, self.motion_dim, self.n_frames = cond_dim, content_dim, motion_dim, n_frames
        self.text_encoder = TextEncoder(vocab_size, cond_dim)
        self.gru = nn.GRUCell(motion_dim + cond_dim, motion_dim)
        self.image = ConditionalImageGenerator(content_dim + motion_dim + cond_dim, cond_dim, channels, width, size)

    def sample_latents(self, batch: int, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
        """``content (batch, content_dim)`` and ``motion_noise (batch, n_frames, motion_dim)``, standard normal."""
        device = next(self.parameters()).device
        return {"content": torch.randn(batch, self.content_dim, generator=generator, device=device),
                "motion_noise": torch.randn(batch, self.n_frames, self.motion_dim, generator=generator, device=device)}

    def forward(self, condition: torch.Tensor, content: torch.Tensor, motion_noise: torch.Tensor) -> torch.Tensor:
        """``condition (batch, cond_dim)``, ``content (batch, content_dim)``, ``motion_noise (batch, time,
        motion_dim)`` -> clips ``(batch, time, channels, size, size)``."""
        batch = len(content)
        _check_condition(condition, batch, self.cond_dim)
        if content.shape != (batch, self.content_dim) or motion_noise.dim() != 3 or motion_noise.shape[::2] != (batch, self.motion_dim):
            raise ValueError(f"content must be ({batch}, {self.content_dim}) and motion_noise ({batch}, time, "
                             f"{self.motion_dim}), got {tuple(content.shape)} and {tuple(motion_noise.shape)}")
        state, codes = torch.zeros_like(motion_noise[:, 0]), []
        for t in range(motion_noise.shape[1]):
            state = self.gru(torch.cat([motion_noise[:, t], condition], dim=1), state)
            codes.append(state)
        time = len(codes)
        motion = torch.stack(codes, dim=1)  # (B, T, motion_dim)
        per_frame = lambda x: x[:, None].expand(-1, time, -1)  # noqa: E731  (B, d) -> (B, T, d)
        z = torch.cat([per_frame(content), motion, per_frame(condition)], dim=2).flatten(0, 1)
        frames = self.image(z, per_frame(condition).flatten(0, 1))
        return frames.unflatten(0, (batch, time))

    def generate(self, tokens: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Clips for captions ``tokens (batch, L)`` from fresh latents (drawn from ``generator``)."""
        return self(self.text_encoder(tokens), **self.sample_latents(len(tokens), generator))


# --- discriminators -------------------------------------------------------------------------------


def frame_trunk(channels: int = 1, width: int = 32, size: int = 32) -> nn.Sequential:
    """Frames ``(n, channels, size, size)`` -> feature maps ``(n, 4 * width, 4, 4)`` (``8 * width`` at 64):
    DCGAN's discriminator without its last layer (batch norm on all but the first block)."""
    _check_size(size)
    chans = [channels, width, 2 * width, 4 * width] + ([8 * width] if size == 64 else [])
    return nn.Sequential(*(downsample_block(a, b, batch_norm=i > 0) for i, (a, b) in enumerate(zip(chans, chans[1:]))))


class _ClipTrunk(nn.Module):
    def __init__(self, channels: int, width: int, size: int):
        super().__init__()
        _check_size(size)
        blocks: list[nn.Module] = [Conv2Plus1d(channels, width, 1), nn.LeakyReLU(0.2)]
        chans, strides = [width, 2 * width, 4 * width] + ([8 * width] if size == 64 else []), [2, 2, 1]
        for a, b, stride in zip(chans, chans[1:], strides):
            blocks += [Conv2Plus1d(a, b, stride), nn.BatchNorm3d(b), nn.LeakyReLU(0.2)]
        self.blocks = nn.Sequential(*blocks)

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        return self.blocks(video.transpose(1, 2))


def clip_trunk(channels: int = 1, width: int = 32, size: int = 32) -> nn.Module:
    """Clips ``(n, T, channels, size, size)`` -> feature maps ``(n, 4 * width, T / 4, 4, 4)`` (``8 * width``
    at 64): lesson 03's video discriminator without its head, (2+1)-D blocks
    (:class:`~vgan_course.models.Conv2Plus1d`) with batch norm on all but the first."""
    return _ClipTrunk(channels, width, size)


class ProjectionHead(nn.Module):
    """Miyato and Koyama (2018): ``D(x, y) = psi(phi(x)) + <V c(y), phi(x)>``.

    ``phi(x)`` is the trunk's feature map pooled over its positions, ``(n, channels)``; ``psi`` a
    linear map (how real the clip looks, whatever the caption); the inner product with the
    projected condition ``V c(y)`` is how well clip and caption agree. It is the form of the
    logit when ``p(y | x)`` is log-linear in ``phi(x)``.

    The paper sums over positions and keeps the logits small with spectral norm. Our trunks use
    batch norm instead (see :class:`ConditionalDiscriminator`), so ``phi`` is the *mean*: the same
    family of functions (the factor of 1 / positions is absorbed by ``psi`` and ``V``), but logits of
    order 1 at the start instead of about 40 for a clip's 64 positions.
    """

    def __init__(self, channels: int, cond_dim: int):
        super().__init__()
        self.psi = nn.Linear(channels, 1)
        self.project = nn.Linear(cond_dim, channels, bias=False)

    def forward(self, features: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        phi = features.flatten(2).mean(dim=2)  # (n, channels): mean pooling over time and space
        return self.psi(phi).squeeze(1) + (self.project(condition) * phi).sum(dim=1)


class ConcatenationHead(nn.Module):
    """Reed et al. (2016): the condition, reduced to ``embed_dim`` and tiled over every position of the
    4 x 4 feature map (and time step), is concatenated to it; a 1 x 1 convolution mixes the two and
    a 4 x 4 one gives the logit (per time step, averaged, for clips)."""

    def __init__(self, channels: int, cond_dim: int, embed_dim: int = 32):
        super().__init__()
        self.reduce = nn.Linear(cond_dim, embed_dim)
        self.mix = nn.Conv2d(channels + embed_dim, channels, 1)
        self.out = nn.Conv2d(channels, 1, 4)

    def forward(self, features: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        n = len(features)
        maps = features if features.dim() == 4 else features.transpose(1, 2).flatten(0, 1)  # (n * T', c, 4, 4)
        embedded = nn.functional.leaky_relu(self.reduce(condition), 0.2)
        embedded = embedded.repeat_interleave(len(maps) // n, dim=0)[:, :, None, None].expand(-1, -1, *maps.shape[-2:])
        h = nn.functional.leaky_relu(self.mix(torch.cat([maps, embedded], dim=1)), 0.2)
        return self.out(h).view(n, -1).mean(dim=1)


class ConditionalDiscriminator(nn.Module):
    """``D(x, tokens)`` -> one logit per frame or clip ``(n,)``: does ``x`` look real *and* match the caption?

    ``kind`` "frame" (``x`` is ``(n, c, size, size)``) or "clip" (``(n, T, c, size, size)``);
    ``conditioning`` "projection" or "concatenation". The discriminator reads the caption with its
    own :class:`TextEncoder`. The trunks have batch norm, like lesson 03's discriminators (the
    projection paper uses spectral norm instead: with it, one discriminator step per generator
    step was too slow a critic here, and every generator froze into one still blob).
    """

    def __init__(self, kind: str, conditioning: str, vocab_size: int, channels: int = 1, width: int = 32,
                 size: int = 32, cond_dim: int = 64):
        super().__init__()
        if kind not in ("frame", "clip"):
            raise ValueError(f"kind must be 'frame' or 'clip', got {kind!r}")
        if conditioning not in CONDITIONINGS:
            raise ValueError(f"conditioning must be one of {CONDITIONINGS}, got {conditioning!r}")
        self.kind, self.conditioning, self.channels, self.size = kind, conditioning, channels, size
        self.text_encoder = TextEncoder(vocab_size, cond_dim)
        self.trunk = (frame_trunk if kind == "frame" else clip_trunk)(channels, width, size)
        features = (4 if size == 32 else 8) * width
        self.head = ProjectionHead(features, cond_dim) if conditioning == "projection" else ConcatenationHead(features, cond_dim)

    def forward(self, x: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        if self.kind == "frame":
            check_images(x, "frames", channels=self.channels)
        else:
            check_video(x, "clips", channels=self.channels)
        if x.shape[-2:] != (self.size, self.size) or len(tokens) != len(x):
            raise ValueError(f"expected {self.kind}s of {self.size} x {self.size} and one caption each, got "
                             f"{tuple(x.shape)} and {len(tokens)} captions")
        return self.head(self.trunk(x), self.text_encoder(tokens))
