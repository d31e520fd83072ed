"""Pictures and clips: image grids, film-strips, inline video, GIF/MP4 export, latent sliders.

Inline video is an animated GIF embedded in HTML: it plays in JupyterLab, Colab and exported
notebooks, needs no ffmpeg and works headless. All inputs use the course's [-1, 1] range.
"""

from __future__ import annotations

import base64
import io
import os
from fractions import Fraction
from pathlib import Path
from typing import Callable

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .checks import check_finite, check_images, check_positive, check_positive_int, check_range, check_shape, check_tensor, check_video


def image_grid(images: torch.Tensor, nrow: int = 8, pad: int = 1) -> torch.Tensor:
    """Tile images ``(n, c, h, w)`` into one image ``(c, rows*(h+pad)-pad, nrow*(w+pad)-pad)``."""
    check_images(images)
    check_positive_int(nrow, "nrow")
    check_positive_int(pad, "pad", minimum=0)
    n, c, h, w = images.shape
    nrow = min(nrow, n)
    rows = -(-n // nrow)
    grid = images.new_full((c, rows * (h + pad) - pad, nrow * (w + pad) - pad), -1.0)
    for i in range(n):
        r, col = divmod(i, nrow)
        grid[:, r * (h + pad): r * (h + pad) + h, col * (w + pad): col * (w + pad) + w] = images[i]
    return grid


def film_strip(clip: torch.Tensor, pad: int = 1) -> torch.Tensor:
    """One clip ``(t, c, h, w)`` as its frames side by side: ``(c, h, t*(w+pad)-pad)``."""
    check_images(clip, "clip")
    return image_grid(clip, nrow=clip.shape[0], pad=pad)


def to_numpy_image(image: torch.Tensor) -> np.ndarray:
    """``(c, h, w)`` in [-1, 1] -> ``(h, w, c)`` uint8 (grey images get 3 equal channels)."""
    check_finite(check_shape(image, "image", ("channels", "height", "width")), "image")
    image = ((image.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    if image.shape[0] == 1:
        image = image.expand(3, -1, -1)
    return image.permute(1, 2, 0).numpy()


def show_images(images: torch.Tensor, nrow: int = 8, title: str | None = None, ax: plt.Axes | None = None, scale: float = 0.6):
    """Plot a grid of images ``(n, c, h, w)`` in [-1, 1]; returns the matplotlib axes."""
    grid = image_grid(check_range(check_images(images), "images"), nrow)
    if ax is None:
        _, ax = plt.subplots(figsize=(scale * grid.shape[2] / 16, scale * grid.shape[1] / 16))
    ax.imshow(to_numpy_image(grid), interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def show_film_strips(video: torch.Tensor, title: str | None = None, scale: float = 0.6):
    """Plot each clip of ``(b, t, c, h, w)`` as one row of frames; returns the axes."""
    check_range(check_video(video), "video")
    rows = torch.stack([film_strip(clip) for clip in video])  # (b, c, h, t*(w+1)-1)
    return show_images(rows, nrow=1, title=title, scale=scale)


def plot_points(samples: torch.Tensor, data: torch.Tensor | None = None, means: torch.Tensor | None = None,
                ax: plt.Axes | None = None, title: str | None = None, lim: float | None = None):
    """Scatter 2-D samples ``(n, 2)`` over data points and mode centres; returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 3.2))
    if data is not None:
        d = data.detach().cpu()
        ax.scatter(d[:, 0], d[:, 1], s=2, c="tab:gray", alpha=0.3, label="data")
    s = check_finite(check_shape(samples, "samples", ("n", 2)), "samples").detach().cpu()
    ax.scatter(s[:, 0], s[:, 1], s=2, c="tab:orange", alpha=0.6, label="generated")
    if means is not None:
        ax.scatter(means[:, 0].cpu(), means[:, 1].cpu(), marker="x", c="k", s=20, label="modes")
    if lim is not None:
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


# --- clips: inline video and export --------------------------------------------------------------


def _frames(video: torch.Tensor, scale: int, ncol: int = 8) -> list[np.ndarray]:
    """``(t, c, h, w)`` or ``(b, t, c, h, w)`` -> list of ``(H, W, 3)`` uint8 frames, clips tiled."""
    if isinstance(video, torch.Tensor) and video.dim() == 4:
        video = video[None]
    check_range(check_video(video), "video")
    check_positive_int(scale, "scale")
    check_positive_int(ncol, "ncol")
    b, t, c, h, w = video.shape
    video = video.detach().float().cpu()
    if scale > 1:
        video = F.interpolate(video.reshape(b * t, c, h, w), scale_factor=scale, mode="nearest")
        video = video.view(b, t, c, h * scale, w * scale)
    return [to_numpy_image(image_grid(video[:, i], nrow=ncol, pad=2)) for i in range(t)]


def gif_bytes(video: torch.Tensor, fps: float = 8, scale: int = 3, ncol: int = 8) -> bytes:
    """An endlessly looping animated GIF of a clip or a batch of clips (tiled side by side)."""
    check_positive(fps, "fps")
    frames = [Image.fromarray(f) for f in _frames(video, scale, ncol)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:],
                   duration=round(1000 / fps), loop=0, optimize=False)
    return buffer.getvalue()


def show_video(video: torch.Tensor, fps: float = 8, scale: int = 3, ncol: int = 8, caption: str | None = None):
    """Play a clip ``(t, c, h, w)`` or clips ``(b, t, c, h, w)`` inline in a notebook.

    Returns an ``IPython.display.HTML`` object (the last expression of a cell is displayed).
    """
    from IPython.display import HTML

    data = base64.b64encode(gif_bytes(video, fps, scale, ncol)).decode("ascii")
    text = f"<figcaption>{caption}</figcaption>" if caption else ""
    return HTML(f'<figure style="margin:0"><img src="data:image/gif;base64,{data}"/>{text}</figure>')


def save_gif(video: torch.Tensor, path: str | os.PathLike, fps: float = 8, scale: int = 3, ncol: int = 8) -> Path:
    """Write a looping GIF of a clip or batch of clips (ready to share); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gif_bytes(video, fps, scale, ncol))
    return path


def save_mp4(video: torch.Tensor, path: str | os.PathLike, fps: float = 8, scale: int = 4, ncol: int = 8) -> Path:
    """Write an H.264 MP4 (yuv420p, plays everywhere) with PyAV; returns the path."""
    import av

    rate = Fraction(check_positive(fps, "fps")).limit_denominator(1001)  # 29.97 fps is 30000/1001
    frames = _frames(video, scale, ncol)
    height, width = frames[0].shape[:2]
    even = [np.pad(f, ((0, height % 2), (0, width % 2), (0, 0))) for f in frames]  # yuv420p needs even sizes
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.height, stream.width = even[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for frame in even:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())  # flush the encoder
    return path


# --- latent interpolation ------------------------------------------------------------------------


def format_table(rows: dict[str, dict[str, float]], columns: dict[str, str], digits: int = 4) -> str:
    """A results table as aligned text: one line per row name, one column per key of ``columns``
    (key -> heading), numbers to ``digits`` significant digits, blank where a row lacks a key.

    Example: ``format_table({"real": {"psnr": 31.2}}, {"psnr": "PSNR dB"})``."""
    def cell(row: dict, key: str) -> str:
        value = row.get(key)
        return "" if value is None else value if isinstance(value, str) else f"{value:.{digits}g}"

    if not columns:
        raise ValueError("columns is empty: map at least one key of the rows to a heading")
    names = list(rows)
    widths = [max(len(columns[k]), *(len(cell(r, k)) for r in rows.values())) for k in columns]
    first = max([len(n) for n in names] + [1])
    lines = [" " * first + "".join(f"  {columns[k]:>{w}}" for k, w in zip(columns, widths))]
    lines += [f"{name:<{first}}" + "".join(f"  {cell(rows[name], k):>{w}}" for k, w in zip(columns, widths))
              for name in names]
    return "\n".join(lines)


def save_labelled_strips(rows: dict[str, torch.Tensor], path: str | os.PathLike, scale: int = 2) -> Path:
    """A PNG of film-strips, one per row, each labelled on its left: ``rows`` maps a label to frames
    ``(T, C, H, W)`` in [-1, 1] (grey or RGB; rows may differ in size). For the results page."""
    from PIL import ImageDraw

    check_positive_int(scale, "scale")
    if not rows:
        raise ValueError("rows is empty: give at least one label -> frames (T, C, H, W)")
    strips = []
    for label, frames in rows.items():
        check_range(check_images(frames, f"rows[{label!r}]"), f"rows[{label!r}]")
        strip = to_numpy_image(film_strip(frames.expand(-1, 3, -1, -1) if frames.shape[1] == 1 else frames, pad=1))
        strips.append((label, Image.fromarray(strip).resize((strip.shape[1] * scale, strip.shape[0] * scale), Image.NEAREST)))
    label_width, gap = 170, 4
    width = label_width + max(s.width for _, s in strips)
    sheet = Image.new("RGB", (width, sum(s.height + gap for _, s in strips)), "white")
    draw, y = ImageDraw.Draw(sheet), 0
    for label, strip in strips:
        sheet.paste(strip, (label_width, y))
        draw.text((4, y + strip.height // 2 - 6), label, fill="black")
        y += strip.height + gap
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path


def interpolation_strip(render: Callable[[torch.Tensor], torch.Tensor], z0: torch.Tensor, z1: torch.Tensor,
                        n: int = 9) -> torch.Tensor:
    """Render ``n`` points on the segment from ``z0`` to ``z1`` (each ``(z_dim,)``).

    ``render`` maps latents ``(n, z_dim)`` to images ``(n, c, h, w)``; returns those images.
    """
    check_positive_int(n, "n", minimum=2)
    _check_endpoints(z0, z1)
    alphas = torch.linspace(0, 1, n, device=z0.device)[:, None]
    with torch.no_grad():
        return render((1 - alphas) * z0 + alphas * z1)


def interpolation_slider(render: Callable[[torch.Tensor], torch.Tensor], z0: torch.Tensor, z1: torch.Tensor, steps: int = 20):
    """An ipywidgets slider that walks from ``z0`` to ``z1``; ``None`` if widgets are unavailable.

    Front-ends without widget support show the slider's text fallback; the lesson shows a
    static :func:`interpolation_strip` next to it, so nothing depends on the slider.
    """
    _check_endpoints(z0, z1)
    check_positive_int(steps, "steps")
    try:
        import ipywidgets as widgets
    except ImportError:
        return None
    output = widgets.Output()

    def draw(change=None) -> None:
        alpha = slider.value / steps
        with torch.no_grad():
            image = render(((1 - alpha) * z0 + alpha * z1)[None])[0]
        with output:
            output.clear_output(wait=True)
            plt.figure(figsize=(2, 2))
            plt.imshow(to_numpy_image(image), interpolation="nearest")
            plt.axis("off")
            plt.show()

    slider = widgets.IntSlider(value=0, min=0, max=steps, description="z0 -> z1")
    slider.observe(draw, names="value")
    draw()
    return widgets.VBox([slider, output])


def _check_endpoints(z0: torch.Tensor, z1: torch.Tensor) -> None:
    check_finite(check_tensor(z0, "z0"), "z0")
    check_finite(check_tensor(z1, "z1"), "z1")
    if z0.shape != z1.shape:
        raise ValueError(f"z0 and z1 must have one shape (z_dim,), got {tuple(z0.shape)} and {tuple(z1.shape)}")


# --- content and motion ---------------------------------------------------------------------------


def content_motion_explorer(G, seed: int = 0, fps: float = 8, scale: int = 4):
    """Buttons that resample a MoCoGAN clip's content code or its motion noise, and replay it.

    ``G`` is a :class:`vgan_course.models.MoCoGANGenerator`. Returns an ipywidgets box, or
    ``None`` where widgets are unavailable (the lesson shows a static grid beside it).
    """
    from .models import MoCoGANGenerator

    if not isinstance(G, MoCoGANGenerator):
        raise ValueError(f"content_motion_explorer needs a MoCoGANGenerator, got {type(G).__name__}")
    check_positive(fps, "fps")
    check_positive_int(scale, "scale")
    try:
        import ipywidgets as widgets
    except ImportError:
        return None
    from IPython.display import display

    rng = torch.Generator().manual_seed(seed)
    device = next(G.parameters()).device
    state = {"content": torch.randn(1, G.content_dim, generator=rng),
             "motion_noise": torch.randn(1, G.n_frames, G.motion_dim, generator=rng)}
    output = widgets.Output()

    def draw() -> None:
        with torch.no_grad():
            clip = G(**{k: v.to(device) for k, v in state.items()}).clamp(-1, 1)
        with output:
            output.clear_output(wait=True)
            display(show_video(clip, fps=fps, scale=scale))

    def resample(key: str):
        def on_click(_button) -> None:
            state[key] = torch.randn(state[key].shape, generator=rng)
            draw()
        return on_click

    fit_label = widgets.Layout(width="auto")  # the default width (148 px) cuts these labels off
    new_content = widgets.Button(description="new content (same motion)", layout=fit_label)
    new_motion = widgets.Button(description="new motion (same content)", layout=fit_label)
    new_content.on_click(resample("content"))
    new_motion.on_click(resample("motion_noise"))
    G.eval()
    draw()
    return widgets.VBox([widgets.HBox([new_content, new_motion]), output])
