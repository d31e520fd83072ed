import io

import av
import pytest
import torch
from PIL import Image

from vgan_course import viz


def test_image_grid_and_film_strip_shapes():
    images = torch.zeros(10, 3, 8, 8)
    assert viz.image_grid(images, nrow=4, pad=1).shape == (3, 3 * 9 - 1, 4 * 9 - 1)
    assert viz.film_strip(torch.zeros(6, 1, 8, 8), pad=1).shape == (1, 8, 6 * 9 - 1)
    with pytest.raises(ValueError, match=r"images must have shape \(batch, channels, height, width\)"):
        viz.image_grid(torch.zeros(3, 8, 8))


def test_gif_has_every_frame_and_loops():
    clip = torch.rand(2, 7, 3, 8, 8) * 2 - 1
    gif = Image.open(io.BytesIO(viz.gif_bytes(clip, fps=10, scale=2)))
    assert gif.n_frames == 7 and gif.info.get("loop") == 0


def test_show_video_is_inline_html_without_ffmpeg():
    html = viz.show_video(torch.zeros(4, 1, 8, 8), caption="hi")
    assert html.data.startswith('<figure style="margin:0"><img src="data:image/gif;base64,') and "hi" in html.data


def test_mp4_export_decodes(tmp_path):
    clip = torch.rand(1, 9, 3, 16, 16) * 2 - 1
    path = viz.save_mp4(clip, tmp_path / "clip.mp4", fps=8, scale=3)
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    assert len(frames) == 9 and frames[0].width % 2 == 0


def test_video_shape_errors_are_clear():
    with pytest.raises(ValueError, match=r"video must have shape \(batch, time, channels, height, width\), got \(8, 8\)"):
        viz.gif_bytes(torch.zeros(8, 8))


def test_interpolation_strip_endpoints():
    render = lambda z: z[:, :, None, None].expand(-1, -1, 4, 4)  # noqa: E731
    z0, z1 = torch.full((1,), -1.0), torch.full((1,), 1.0)
    strip = viz.interpolation_strip(render, z0, z1, n=5)
    assert strip.shape == (5, 1, 4, 4)
    assert strip[0].mean() == -1 and strip[2].mean() == 0 and strip[-1].mean() == 1
    assert viz.interpolation_slider(render, z0, z1) is not None


def test_content_motion_buttons_show_their_whole_labels():
    from vgan_course.models import MoCoGANGenerator

    box = viz.content_motion_explorer(MoCoGANGenerator(width=8, n_frames=4), fps=4, scale=1)
    buttons = box.children[0].children
    assert [b.description for b in buttons] == ["new content (same motion)", "new motion (same content)"]
    assert all(b.layout.width == "auto" for b in buttons), "a fixed-width button cuts its label off"
