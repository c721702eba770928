"""Video reading: the frame loop's read-ahead (same items, same order, errors raised, stops early) and the people count on tiny frames."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kinetrace.video.video_io import prefetched


def test_items_and_results_keep_their_order_and_work_runs_in_another_thread() -> None:
    main = threading.get_ident()
    seen: list[int] = []

    def work(x: int) -> int:
        seen.append(threading.get_ident())
        return x * x

    out = list(prefetched(iter(range(50)), work, depth=3))
    assert out == [(i, i * i) for i in range(50)]
    assert seen and main not in seen


def test_an_error_in_the_reader_or_the_work_reaches_the_consumer() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        list(prefetched(items(), lambda x: x))
    with pytest.raises(ZeroDivisionError):
        list(prefetched(iter([1, 0]), lambda x: 1 // x))


def test_stopping_early_reads_only_a_few_items_ahead() -> None:
    read: list[int] = []

    def items() -> Iterator[int]:
        for i in range(1000):
            read.append(i)
            yield i

    gen = prefetched(items(), lambda x: x, depth=4)
    assert next(gen) == (0, 0)
    gen.close()
    assert len(read) <= 6  # the item taken, up to `depth` read ahead, one in flight


def test_the_pipeline_gives_the_same_keypoints_and_people_counts_as_a_plain_loop(tmp_path: object) -> None:
    """load_keypoints with the read-ahead equals detect() frame by frame (fake backend, synthetic clip)."""
    np = pytest.importorskip("numpy")
    cv2 = pytest.importorskip("cv2")
    from pathlib import Path

    from kinetrace.video.pipeline import load_keypoints
    from kinetrace.video.skeleton import KEYPOINTS

    path = Path(str(tmp_path)) / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (64, 48))
    for i in range(40):
        writer.write(np.full((48, 64, 3), i * 5, dtype=np.uint8))
    writer.release()

    class Recorder:
        name = "recorder"

        def __init__(self) -> None:
            self.means: list[float] = []

        def prepare(self, frame: object) -> object:
            return np.asarray(frame)[::2, ::2].copy()

        def detect(self, frame: object, t: float, prepared: object | None = None) -> object:
            small = self.prepare(frame) if prepared is None else prepared
            self.means.append(float(np.asarray(small).mean()))
            kp = np.zeros((len(KEYPOINTS), 3))
            kp[:, 0], kp[:, 1], kp[:, 2] = float(np.asarray(frame).mean()), t, 1.0
            return kp

        def reset(self) -> None:
            self.means = []

        def close(self) -> None:
            pass

    backend = Recorder()
    people: list[int] = []
    seq, info = load_keypoints(path, backend, None, static=False, people=people)  # type: ignore[arg-type]
    assert info is not None and seq.n_frames == 40
    assert np.allclose(seq.xy[:, 0, 1], np.arange(40) / info.fps)  # frame order kept
    assert backend.means == sorted(backend.means)  # the clip brightens frame by frame
    assert len(people) == 8


@pytest.mark.parametrize("shape", [(48, 64, 3), (127, 200, 3), (300, 63, 3)])
def test_a_frame_smaller_than_the_people_detector_window_counts_nobody(shape: tuple[int, int, int]) -> None:
    """OpenCV's HOG corrupted the heap (process abort) on frames under its 64x128 window."""
    np = pytest.importorskip("numpy")
    from kinetrace.video.video_io import count_people

    assert count_people(np.zeros(shape, dtype=np.uint8)) == 0
