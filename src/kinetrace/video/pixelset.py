"""The project's pixel-real evaluation set: textured humanoids rendered from motion capture.

The DeepMimic motion clips shipped in the ``pybullet`` wheel (``humanoid3d_run``,
``humanoid3d_walk``, ...) drive pybullet's DeepMimic humanoid; pybullet's CPU TinyRenderer
films it (headless). Every clip comes with its *exact* ground truth, computed from the 3D
joint positions of the same frames with the project's metric definitions (projected
orthographically on the sagittal or frontal plane, contacts from the true foot height).

``pybullet`` is a development dependency (``pip install 'kinetrace[dev]'``) and is imported
only inside the functions that render. Generated clips are cached (``var/pixelset`` by
default, git-ignored); ``scripts/video-pixelset`` builds the set, ``kinetrace bench-video``
scores the pipeline on it.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: DeepMimic humanoid link indices (pybullet_data/humanoid/humanoid.urdf).
LINKS = {"chest": 1, "neck": 2, "right_shoulder": 3, "right_elbow": 4, "right_wrist": 5, "left_shoulder": 6,
         "left_elbow": 7, "left_wrist": 8, "right_hip": 9, "right_knee": 10, "right_ankle": 11,
         "left_hip": 12, "left_knee": 13, "left_ankle": 14}  # fmt: skip
SCALE = 0.25  # DeepMimic loads the humanoid with globalScaling 0.25 (metres)
#: Points of the foot box in the ankle link frame (unscaled, URDF): heel and toe at the sole.
FOOT = {"heel": (-0.174, -0.2, 0.0), "toe": (0.534, -0.2, 0.0)}
HEAD_RADIUS = 0.41
#: Motion-file layout: [dt, root pos 3, root quat 4 (w,x,y,z), then joints in this order].
MOTION_JOINTS = (("chest", 4), ("neck", 4), ("right_hip", 4), ("right_knee", 1), ("right_ankle", 4),
                 ("right_shoulder", 4), ("right_elbow", 1), ("left_hip", 4), ("left_knee", 1),
                 ("left_ankle", 4), ("left_shoulder", 4), ("left_elbow", 1))  # fmt: skip
CONTACT_HEIGHT_M = 0.015  # a foot point this close to the ground (m) is in contact
#: The truth's angles are read from the motion sampled at this rate (Hz), not at the clip's frame rate:
#: "at initial contact" is an instant, and at 30 fps the first frame in contact lies up to 33 ms after it
#: (knee 22.0 deg at 30 fps vs 17.9 deg at 120 fps for the same motion before this, 2026-12-02).
DENSE_FPS = 600.0
COLOURS = {"chest": (0.15, 0.35, 0.75), "neck": (0.85, 0.68, 0.55), "hip": (0.15, 0.15, 0.2),
           "knee": (0.85, 0.68, 0.55), "ankle": (0.9, 0.9, 0.9), "shoulder": (0.15, 0.35, 0.75),
           "elbow": (0.85, 0.68, 0.55), "wrist": (0.85, 0.68, 0.55)}  # fmt: skip
#: Visual-only shapes added to the DeepMimic body (2026-12-03), so that it looks less like balls on sticks:
#: its pelvis is a ball 7 cm above the hip joints, its chest a ball with 9 cm of air below it and the
#: shoulder joints 11 cm off its surface (the arms float), and it has no neck. Link -> (geometry,
#: attributes, origin xyz, rpy), URDF units (x ``SCALE`` = m; y up, z lateral, x forward). The joints,
#: the collision shapes and so every truth are unchanged: a hip block over the hip joints and a waist
#: on the pelvis; a torso that tapers from a shoulder line through the shoulder joints (a shoulder cap
#: bridging chest and arm) to the waist; a neck; a deltoid ball at each shoulder joint. Sizes are rough
#: adult proportions (shoulder width ~43 cm at the deltoids, chest ~30 cm, hips ~28 cm, torso depth
#: 18-22 cm), chosen by eye on the rendered images before any clip or photo was scored with them.
BODY_SHAPES: dict[str, list[tuple[str, dict[str, str], str, str]]] = {
    "root": [("capsule", {"length": "0.44", "radius": "0.34"}, "0 0.10 0", "0 0 0"),
             ("capsule", {"length": "0.36", "radius": "0.32"}, "0 0.62 0", "0 0 0")],
    "chest": [("capsule", {"length": "0.40", "radius": "0.34"}, "0 0.20 0", "0 0 0"),
              ("capsule", {"length": "0.50", "radius": "0.36"}, "0 0.50 0", "0 0 0"),
              ("capsule", {"length": "1.20", "radius": "0.26"}, "-0.06 0.84 0", "0 0 0")],
    "neck": [("capsule", {"length": "0.30", "radius": "0.17"}, "0.02 0.20 0", "-1.570796 0 0")],
    "right_shoulder": [("sphere", {"radius": "0.25"}, "0 -0.08 0", "0 0 0")],
    "left_shoulder": [("sphere", {"radius": "0.25"}, "0 -0.08 0", "0 0 0")],
}  # fmt: skip


@dataclass(frozen=True)
class ClipSpec:
    """One clip of the pixel set.

    ``view``: ``side_right`` (runner moves to image right), ``side_left``, ``front``
    (runner comes towards the camera), ``back``, ``oblique`` (45 deg between side and front).
    ``distance_m`` from the runner's path; ``pan`` = the camera follows an overground runner
    (else a treadmill: the runner stays in place). ``phase`` = start of the clip as a fraction
    of the motion cycle. ``people`` > 1 adds bystanders doing another motion.
    """

    name: str
    motion: str = "run"
    view: str = "side_right"
    fps: float = 30.0
    seconds: float = 6.0
    distance_m: float = 4.0
    size: tuple[int, int] = (640, 480)
    pan: bool = False
    phase: float = 0.0
    people: int = 1
    posture: dict[str, float] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        """File stem of the rendered clip."""
        return self.name


@dataclass(frozen=True)
class Motion:
    """A DeepMimic clip: per-keyframe pose vectors and the duration of one cycle (s)."""

    frames: FloatArray
    dt: float

    @property
    def cycle_s(self) -> float:
        """Duration of one loop of the clip in seconds."""
        return float(self.dt * (len(self.frames) - 1))

    def pose_at(self, t: float) -> FloatArray:
        """Pose vector at time ``t`` (s), looping; root advanced by whole cycles; joints slerped."""
        n = len(self.frames) - 1
        cycles, rem = divmod(t / self.cycle_s, 1.0)
        u = rem * n
        i = min(int(u), n - 1)
        a, b, w = self.frames[i], self.frames[i + 1], u - i
        out = (1 - w) * a + w * b
        k = 4
        out[4:8] = _slerp(a[4:8], b[4:8], w)
        k = 8
        for _, dof in MOTION_JOINTS:
            if dof == 4:
                out[k : k + 4] = _slerp(a[k : k + 4], b[k : k + 4], w)
            k += dof
        advance = self.frames[-1][1:4] - self.frames[0][1:4]
        out[1] += cycles * advance[0]
        out[3] += cycles * advance[2]
        return np.asarray(out, dtype=np.float64)


def _slerp(q0: FloatArray, q1: FloatArray, w: float) -> FloatArray:
    q0 = q0 / np.linalg.norm(q0)
    q1 = q1 / np.linalg.norm(q1)
    d = float(np.dot(q0, q1))
    if d < 0:
        q1, d = -q1, -d
    if d > 0.9995:
        q = q0 + w * (q1 - q0)
        return np.asarray(q / np.linalg.norm(q), dtype=float)
    th = math.acos(d)
    return np.asarray((math.sin((1 - w) * th) * q0 + math.sin(w * th) * q1) / math.sin(th), dtype=float)


def load_motion(name: str) -> Motion:
    """Read ``humanoid3d_<name>.txt`` from the installed ``pybullet_data``."""
    import pybullet_data

    path = Path(pybullet_data.getDataPath()) / "data" / "motions" / f"humanoid3d_{name}.txt"
    frames = np.array(json.loads(path.read_text(encoding="utf-8"))["Frames"], dtype=float)
    return Motion(frames=frames, dt=float(frames[0, 0]))


def _xyzw(q_wxyz: FloatArray) -> list[float]:
    return [float(q_wxyz[1]), float(q_wxyz[2]), float(q_wxyz[3]), float(q_wxyz[0])]


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Point file descriptor 1 at /dev/null: pybullet's URDF loader prints warnings there (C level),
    which would corrupt ``kinetrace bench-video --json`` on stdout."""
    from kinetrace.video.mediapipe_backend import silenced_fd

    sys.stdout.flush()
    with silenced_fd(1):
        yield


def humanoid_urdf() -> str:
    """The DeepMimic humanoid's URDF with every collision shape also as a visual, plus :data:`BODY_SHAPES`.

    Only ``<visual>`` elements are added: links, joints, inertia and collision shapes are the wheel's own.
    """
    import pybullet_data

    src = Path(pybullet_data.getDataPath()) / "humanoid" / "humanoid.urdf"
    robot = ET.fromstring(src.read_text(encoding="ascii").replace("\x00", ""))  # the file ends in a NUL byte
    for link in robot.iter("link"):
        col = link.find("collision")
        if col is None:
            continue
        origin, geometry = col.find("origin"), col.find("geometry")
        assert origin is not None and geometry is not None
        own = [(g.tag, dict(g.attrib), origin.get("xyz", "0 0 0"), origin.get("rpy", "0 0 0")) for g in geometry]
        for tag, attrs, xyz, rpy in own + BODY_SHAPES.get(link.get("name", ""), []):
            vis = ET.SubElement(link, "visual")
            ET.SubElement(vis, "origin", {"xyz": xyz.strip(), "rpy": rpy.strip()})
            ET.SubElement(ET.SubElement(vis, "geometry"), tag, {k.strip(): v.strip() for k, v in attrs.items()})
    return ET.tostring(robot, encoding="unicode")


class Scene:
    """A headless pybullet world with one or more humanoids (:func:`humanoid_urdf`) and a textured ground."""

    def __init__(self, people: int = 1) -> None:
        with _quiet_stdout():
            import pybullet as p
            import pybullet_data

            self.p = p
            self.cid = p.connect(p.DIRECT)
            p.setAdditionalSearchPath(pybullet_data.getDataPath(), physicsClientId=self.cid)
            with tempfile.TemporaryDirectory() as tmp:
                self._urdf = Path(tmp) / "humanoid.urdf"
                self._urdf.write_text(humanoid_urdf(), encoding="utf-8")
                self.bodies = [self._humanoid(i) for i in range(people)]
        tex = p.loadTexture("checker_blue.png", physicsClientId=self.cid)
        ground_vis = p.createVisualShape(p.GEOM_BOX, halfExtents=[60, 0.01, 60], rgbaColor=[0.7, 0.75, 0.7, 1],
                                         physicsClientId=self.cid)  # fmt: skip
        g = p.createMultiBody(0, -1, ground_vis, [0, -0.01, 0], physicsClientId=self.cid)
        p.changeVisualShape(g, -1, textureUniqueId=tex, physicsClientId=self.cid)

    def _humanoid(self, i: int) -> int:
        p = self.p
        b = int(p.loadURDF(str(self._urdf), [0, 0.9, 0], globalScaling=SCALE, useFixedBase=True,
                           physicsClientId=self.cid))  # fmt: skip
        for link in (-1, 0):
            p.changeVisualShape(b, link, rgbaColor=[0.15, 0.15, 0.2, 1], physicsClientId=self.cid)
        for name, link in LINKS.items():
            part = name.split("_")[-1]
            rgb = COLOURS.get(part, (0.8, 0.6, 0.5))
            if i > 0:
                rgb = (0.6, 0.2 + 0.1 * i, 0.2)
            p.changeVisualShape(b, link, rgbaColor=[*rgb, 1], physicsClientId=self.cid)
        return b

    def set_pose(self, body: int, pose: FloatArray, offset: tuple[float, float, float] = (0, 0, 0),
                 yaw_deg: float = 0.0) -> None:  # fmt: skip
        """Place ``body`` in a DeepMimic pose vector (y up), shifted and turned about the vertical."""
        p = self.p
        turn = p.getQuaternionFromEuler([0, math.radians(yaw_deg), 0])
        pos, orn = p.multiplyTransforms([0, 0, 0], turn, [float(v) for v in pose[1:4]], _xyzw(pose[4:8]))
        pos = [pos[0] + offset[0], pos[1] + offset[1], pos[2] + offset[2]]
        p.resetBasePositionAndOrientation(body, pos, orn, physicsClientId=self.cid)
        k = 8
        for name, dof in MOTION_JOINTS:
            j = LINKS[name]
            if dof == 4:
                p.resetJointStateMultiDof(body, j, _xyzw(pose[k : k + 4]), physicsClientId=self.cid)
            else:
                p.resetJointStateMultiDof(body, j, [float(pose[k])], physicsClientId=self.cid)
            k += dof

    def joints(self, body: int) -> dict[str, FloatArray]:
        """World positions (m, y up) of the joints and of the project's keypoints."""
        p = self.p
        out: dict[str, FloatArray] = {}
        for name, link in LINKS.items():
            st = p.getLinkState(body, link, computeForwardKinematics=True, physicsClientId=self.cid)
            pos, orn = st[4], st[5]
            out[name] = np.array(pos, dtype=float)
            if name.endswith("ankle"):
                side = name.split("_")[0]
                for pt, off in FOOT.items():
                    w, _ = p.multiplyTransforms(pos, orn, [SCALE * v for v in off], [0, 0, 0, 1])
                    out[f"{side}_{pt}"] = np.array(w, dtype=float)
            if name == "neck":
                fwd = np.array(p.multiplyTransforms(pos, orn, [SCALE * HEAD_RADIUS, SCALE * 0.7, 0],
                                                    [0, 0, 0, 1])[0])  # fmt: skip
                out["nose"] = fwd
                for side, z in (("left", -1.0), ("right", 1.0)):
                    ear = p.multiplyTransforms(pos, orn, [0, SCALE * 0.7, z * SCALE * HEAD_RADIUS], [0, 0, 0, 1])[0]
                    out[f"{side}_ear"] = np.array(ear, dtype=float)
        return out

    def close(self) -> None:
        """Disconnect the physics client."""
        self.p.disconnect(physicsClientId=self.cid)


def camera(spec: ClipSpec, target: FloatArray) -> tuple[list[float], list[float]]:
    """pybullet view and projection matrices for ``spec`` looking at ``target`` (x = running direction)."""
    p = __import__("pybullet")
    d = spec.distance_m
    # the humanoid runs along +x; its right side faces +z
    eye_dir = {"side_right": (0, 0, 1), "side_left": (0, 0, -1), "front": (1, 0, 0), "back": (-1, 0, 0),
               "oblique": (math.sqrt(0.5), 0, math.sqrt(0.5))}[spec.view]  # fmt: skip
    if spec.view == "side_left":
        eye_dir = (0, 0, -1)
    eye = [target[0] + d * eye_dir[0], 1.0, target[2] + d * eye_dir[2]]
    view = p.computeViewMatrix(eye, [float(target[0]), 0.9, float(target[2])], [0, 1, 0])
    w, h = spec.size
    fov = 2 * math.degrees(math.atan(1.25 / d))  # ~2.5 m of scene vertically at the runner
    proj = p.computeProjectionMatrixFOV(fov, w / h, 0.1, 100.0)
    return list(view), list(proj)


def _posed(spec: ClipSpec, scene: Scene, motion: Motion) -> Iterator[dict[str, FloatArray]]:
    """Pose every body of ``scene`` frame by frame; yields the runner's joints."""
    t0 = spec.phase * motion.cycle_s
    jump = load_motion("jump") if spec.people > 1 else None
    for i in range(round(spec.seconds * spec.fps)):
        pose = motion.pose_at(t0 + i / spec.fps)
        shift = (0.0, 0.0, 0.0) if spec.pan else (-pose[1], 0.0, 0.0)  # treadmill: root kept at x = 0
        scene.set_pose(scene.bodies[0], pose, shift)
        for k, b in enumerate(scene.bodies[1:], start=1):
            assert jump is not None
            other = jump.pose_at(i / spec.fps + 0.3 * k)
            scene.set_pose(b, other, (-other[1] + 1.3 * k, 0.0, -1.5 * k))
        yield scene.joints(scene.bodies[0])


def render(spec: ClipSpec, out_dir: Path) -> Path:
    """Render ``spec`` to ``out_dir/<name>.mp4`` plus ``<name>.truth.json``; cached (skips if present)."""
    import cv2

    out_dir.mkdir(parents=True, exist_ok=True)
    video = out_dir / f"{spec.stem}.mp4"
    truth_path = out_dir / f"{spec.stem}.truth.json"
    if video.exists() and truth_path.exists():
        return video
    motion = load_motion(spec.motion)
    scene = Scene(people=spec.people)
    p = scene.p
    w, h = spec.size
    tmp = out_dir / f"{spec.stem}.tmp.mp4"
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter.fourcc(*"mp4v"), spec.fps, (w, h))
    frames3d: list[dict[str, FloatArray]] = []
    try:
        for j in _posed(spec, scene, motion):
            frames3d.append(j)
            target = 0.5 * (j["left_hip"] + j["right_hip"]) if spec.pan else np.array([0.0, 0.9, 0.0])
            view, proj = camera(spec, target)
            img = p.getCameraImage(w, h, view, proj, renderer=p.ER_TINY_RENDERER, lightDirection=[1, 3, 2],
                                   shadow=1, physicsClientId=scene.cid)[2]  # fmt: skip
            rgb = np.reshape(np.asarray(img, dtype=np.uint8), (h, w, 4))[:, :, :3]
            writer.write(np.ascontiguousarray(rgb[:, :, ::-1]))
    finally:
        writer.release()
        scene.close()
    tmp.replace(video)
    truth = ground_truth(frames3d, spec, motion, dense_frames(spec, motion))
    truth_path.write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return video


def dense_frames(spec: ClipSpec, motion: Motion, fps: float = DENSE_FPS) -> list[dict[str, FloatArray]]:
    """The runner's joints over the clip's time span sampled at ``fps`` (for frame-rate-free truth)."""
    scene = Scene(people=1)
    try:
        return list(_posed(ClipSpec(**{**asdict(spec), "people": 1, "fps": fps}), scene, motion))
    finally:
        scene.close()


def rewrite_truth(spec: ClipSpec, out_dir: Path) -> Path:
    """Recompute ``<name>.truth.json`` from the motion alone (no rendering), e.g. after a definition changed."""
    motion = load_motion(spec.motion)
    scene = Scene(people=1)
    try:
        frames3d = list(_posed(ClipSpec(**{**asdict(spec), "people": 1}), scene, motion))
    finally:
        scene.close()
    path = out_dir / f"{spec.stem}.truth.json"
    truth = ground_truth(frames3d, spec, motion, dense_frames(spec, motion))
    path.write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- ground truth


def _stack(frames3d: list[dict[str, FloatArray]]) -> dict[str, FloatArray]:
    return {k: np.array([f[k] for f in frames3d]) for k in frames3d[0]}


def _flexion2(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """180 - angle abc (deg) in 2D: 0 = straight."""
    u, v = a - b, c - b
    cos = np.sum(u * v, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
    return np.asarray(180.0 - np.degrees(np.arccos(np.clip(cos, -1, 1))), dtype=float)


def contacts(J: dict[str, FloatArray], side: str) -> list[int]:
    """Frames at which the foot (heel or toe) first touches the ground, one per stance."""
    return [a for a, _ in _stance_runs(J, side, complete=False)]


def _stance_runs(J: dict[str, FloatArray], side: str, *, complete: bool = True) -> list[tuple[int, int]]:
    """``(contact, toe-off)`` frames: the foot's lowest point below the contact height (ground y = 0)."""
    low = np.minimum(J[f"{side}_heel"][:, 1], J[f"{side}_toe"][:, 1])
    on = low < CONTACT_HEIGHT_M
    runs, i = [], 1
    while i < len(on):
        if on[i] and not on[i - 1]:
            j = i
            while j + 1 < len(on) and on[j + 1]:
                j += 1
            if j + 1 < len(on) or not complete:
                runs.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    return runs


def sagittal_truth(J: dict[str, FloatArray], step_frames: float) -> dict[str, dict[str, float]]:
    """Knee flexion at contact and midstance, shank angle at contact, trunk lean: per side, truth.

    Midstance knee flexion = the peak knee flexion of the stance leg within 0.6 step after
    contact (the same window as the analysis, :func:`kinetrace.video.gait_sagittal._midstance_flexion`).
    """
    P = {k: v[:, [0, 1]] for k, v in J.items()}  # sagittal plane: x forward, y up
    hip = 0.5 * (P["left_hip"] + P["right_hip"])
    out: dict[str, dict[str, float]] = {}
    for s in ("left", "right"):
        knee = _flexion2(P[f"{s}_hip"], P[f"{s}_knee"], P[f"{s}_ankle"])
        d = P[f"{s}_ankle"] - P[f"{s}_knee"]
        shank = np.degrees(np.arctan2(d[:, 0], -d[:, 1]))  # + = ankle ahead of knee
        runs = _stance_runs(J, s)
        ic = [a for a, _ in runs]
        mid = [a + int(np.argmax(knee[a : min(b, a + int(np.ceil(0.6 * step_frames)))])) for a, b in runs]
        out[s] = {
            "knee_flexion_ic_deg": float(np.median(knee[ic])) if ic else float("nan"),
            "shank_angle_ic_deg": float(np.median(shank[ic])) if ic else float("nan"),
            "knee_flexion_midstance_deg": float(np.median(knee[mid])) if mid else float("nan"),
            "n_contacts": float(len(ic)),
        }
    sh = 0.5 * (P["left_shoulder"] + P["right_shoulder"])
    trunk = np.degrees(np.arctan2(sh[:, 0] - hip[:, 0], sh[:, 1] - hip[:, 1]))
    out["central"] = {"trunk_lean_deg": float(np.mean(trunk))}
    return out


def frontal_truth(J: dict[str, FloatArray]) -> dict[str, dict[str, float]]:
    """Pelvic drop in stance and arm carriage (shoulder abduction), per side, frontal plane."""
    P = {k: v[:, [2, 1]] for k, v in J.items()}  # frontal plane: z lateral (right +), y up
    sh_mid = 0.5 * (P["left_shoulder"] + P["right_shoulder"])
    hip_mid = 0.5 * (P["left_hip"] + P["right_hip"])
    up = sh_mid - hip_mid
    up /= np.linalg.norm(up, axis=1, keepdims=True)
    out: dict[str, dict[str, float]] = {}
    for s, other in (("left", "right"), ("right", "left")):
        o = P[f"{s}_shoulder"] - sh_mid
        o = o - np.sum(o * up, axis=1, keepdims=True) * up
        o /= np.linalg.norm(o, axis=1, keepdims=True)
        arm = P[f"{s}_elbow"] - P[f"{s}_shoulder"]
        abd = np.degrees(np.arctan2(np.sum(arm * o, axis=1), np.sum(arm * -up, axis=1)))
        dy = P[s + "_hip"][:, 1] - P[f"{other}_hip"][:, 1]  # y up: stance hip higher = contralateral drop
        dx = np.abs(P[f"{other}_hip"][:, 0] - P[f"{s}_hip"][:, 0])
        drop = np.degrees(np.arctan2(dy, dx))
        runs = _stance_runs(J, s)
        out[s] = {
            "shoulder_abduction_deg": float(np.mean(abd)),
            "pelvic_drop_deg": float(np.median([np.max(drop[a:b]) for a, b in runs])) if runs else float("nan"),
        }
    return out


def ground_truth(
    frames3d: list[dict[str, FloatArray]],
    spec: ClipSpec,
    motion: Motion,
    dense: list[dict[str, FloatArray]] | None = None,
) -> dict[str, Any]:
    """Every metric's true value for a rendered clip (cadence from the cycle: 2 steps per loop).

    ``contacts`` are the clip's frames (first frame in contact, for matching detected contacts);
    ``contacts_s`` the contact instants (s) and the angles are taken from ``dense`` (the same
    motion sampled at :data:`DENSE_FPS`) when given, so the truth does not depend on the
    clip's frame rate or start phase; without it, from the clip's own frames.
    """
    J = _stack(frames3d)
    truth: dict[str, Any] = {"spec": asdict(spec), "cycle_s": motion.cycle_s}
    truth["cadence_spm"] = 120.0 / motion.cycle_s
    truth["contacts"] = {s: contacts(J, s) for s in ("left", "right")}
    Jv, rate = (J, spec.fps) if dense is None else (_stack(dense), DENSE_FPS)
    truth["truth_rate_hz"] = rate
    truth["contacts_s"] = {s: [round(c / rate, 4) for c in contacts(Jv, s)] for s in ("left", "right")}
    truth["sagittal"] = sagittal_truth(Jv, motion.cycle_s / 2 * rate)
    truth["frontal"] = frontal_truth(Jv)
    return truth


# ----------------------------------------------------------------------------- the set


def standard_set() -> list[ClipSpec]:
    """The clips scored by ``kinetrace bench-video`` (small: rendering and MediaPipe cost CPU)."""
    specs = [
        ClipSpec("run_side_r_30"),
        ClipSpec("run_side_r_30_phase", phase=0.37),
        ClipSpec("run_side_r_30_far", distance_m=6.0, phase=0.6),
        ClipSpec("run_side_l_30", view="side_left"),
        ClipSpec("run_side_r_60", fps=60.0, seconds=4.0),
        ClipSpec("run_side_r_120", fps=120.0, seconds=3.0),
        ClipSpec("run_side_pan_30", pan=True),
        ClipSpec("run_oblique_30", view="oblique"),
        ClipSpec("run_back_30", view="back"),
        ClipSpec("run_back_30_phase", view="back", phase=0.37),
        ClipSpec("run_back_30_far", view="back", distance_m=6.0, phase=0.6),
        ClipSpec("run_front_30", view="front"),
        ClipSpec("walk_side_r_30", motion="walk", seconds=8.0),
        ClipSpec("run_side_short", seconds=1.5),
        ClipSpec("run_side_crowd", people=2),
        ClipSpec("run_side_r_720", size=(1280, 720), seconds=4.0),
    ]
    return specs


def check_sets() -> dict[str, list[ClipSpec]]:
    """Side-view clips rendered after the 2026-12-02 contact changes were fixed, to check them on unseen data.

    Not in :func:`standard_set` (nothing was tuned on them; see docs/video.md). ``scripts/video-pixelset
    --check`` renders them into ``var/pixelset/check`` and prints each clip's errors.
    """
    return {
        "check1": [
            ClipSpec("val_r_30_far_p2", distance_m=6.0, phase=0.2),
            ClipSpec("val_pan_30_p5", pan=True, phase=0.5),
            ClipSpec("val_r_30_p8", phase=0.8),
            ClipSpec("val_l_30_far_p45", view="side_left", distance_m=6.0, phase=0.45),
            ClipSpec("val_r_30_5m_p1", distance_m=5.0, phase=0.1),
            ClipSpec("val_l_pan_30_p3", view="side_left", pan=True, phase=0.3),
        ],
        "check2": [
            ClipSpec("v2_r_30_p3", phase=0.3),
            ClipSpec("v2_l_30_p6", view="side_left", phase=0.6),
            ClipSpec("v2_r_30_45m_p9", distance_m=4.5, phase=0.9),
            ClipSpec("v2_pan_30_p15", pan=True, phase=0.15),
            ClipSpec("v2_l_30_5m_p7", view="side_left", distance_m=5.0, phase=0.7),
            ClipSpec("v2_r_60_p4", fps=60.0, seconds=4.0, phase=0.4),
        ],
    }


# ----------------------------------------------------------------------------- posture photos


@dataclass(frozen=True)
class PostureSpec:
    """A still work posture, side view: trunk and neck flexion and upper-arm flexion (deg, about the lateral axis)."""

    name: str
    trunk: float = 0.0
    neck: float = 0.0
    arm: float = 0.0
    elbow: float = 60.0


def posture_set() -> list[PostureSpec]:
    """Rendered postures with known angles (RULA bands: trunk 0/<20/20-60/>60, neck 0-10/10-20/>20, arm bands)."""
    return [
        PostureSpec("posture_upright", 0, 5, 10, 80),
        PostureSpec("posture_desk", 15, 25, 30, 90),
        PostureSpec("posture_bend", 40, 15, 60, 60),
        PostureSpec("posture_reach", 10, 10, 100, 30),
        PostureSpec("posture_stoop", 50, 20, 45, 70),
    ]


def _q(deg: float) -> list[float]:
    """Quaternion (w, x, y, z) for ``deg`` about the humanoid's lateral (z) axis; + = backwards."""
    a = math.radians(deg) / 2
    return [math.cos(a), 0.0, 0.0, math.sin(a)]


#: Share of a posture's trunk flexion taken at the hip joints (the pelvis tilts forward over vertical
#: thighs); the rest is taken at the chest joint. Until 2026-12-03 round 2 all of it was at the chest
#: joint, 24 cm above an upright pelvis, which no person does in a bend or stoop (they flex mostly at
#: the hips). 0.6 is a rendering choice made by eye before any photo was scored with it, not a
#: clinical figure; the truth is still the project's definitions applied to the figure's joints.
HIP_SHARE = 0.6


def posture_pose(spec: PostureSpec) -> FloatArray:
    """A DeepMimic pose vector for ``spec`` (both arms alike; trunk flexion split hips/chest by :data:`HIP_SHARE`)."""
    pose = np.zeros(44)
    hip = HIP_SHARE * spec.trunk
    pose[0], pose[1:4], pose[4:8] = 1 / 30, (0.0, 0.9, 0.0), _q(-hip)  # pelvis tilted forward
    k = 8
    for name, dof in MOTION_JOINTS:
        if dof == 4:
            pose[k : k + 4] = (1, 0, 0, 0)
        if name == "chest":
            pose[k : k + 4] = _q(-(spec.trunk - hip))
        elif name.endswith("hip"):
            pose[k : k + 4] = _q(hip)  # hip flexion: the thighs stay vertical under the tilted pelvis
        elif name == "neck":
            pose[k : k + 4] = _q(-spec.neck)
        elif name.endswith("shoulder"):
            pose[k : k + 4] = _q(spec.arm)
        elif name.endswith("elbow"):
            pose[k] = math.radians(spec.elbow)
        k += dof
    return pose


def keypoints_2d(
    J: dict[str, FloatArray], px_per_m: float = 200.0, origin: tuple[float, float] = (320, 420)
) -> FloatArray:
    """The project's keypoints of one frame, orthographic side projection (x forward right, image y down), (K, 3)."""
    from kinetrace.video.skeleton import KEYPOINTS

    pts = dict(J)
    for side in ("left", "right"):
        pts[f"{side}_index"] = J[f"{side}_wrist"] + 0.3 * (J[f"{side}_wrist"] - J[f"{side}_elbow"])
        pts[f"{side}_eye"] = 0.5 * (J["nose"] + J[f"{side}_ear"])
    out = np.zeros((len(KEYPOINTS), 3))
    for i, name in enumerate(KEYPOINTS):
        p = pts[name]
        out[i] = (origin[0] + px_per_m * p[0], origin[1] - px_per_m * p[1], 1.0)
    return out


def render_posture(spec: PostureSpec, out_dir: Path) -> Path:
    """A side-view photo ``<name>.png`` and ``<name>.truth.json`` (angles and RULA in the project's definitions)."""
    import cv2

    from kinetrace.video.pose import PoseSequence
    from kinetrace.video.posture import analyse_frames

    out_dir.mkdir(parents=True, exist_ok=True)
    png, truth_path = out_dir / f"{spec.name}.png", out_dir / f"{spec.name}.truth.json"
    if png.exists() and truth_path.exists():
        return png
    scene = Scene()
    try:
        scene.set_pose(scene.bodies[0], posture_pose(spec))
        J = scene.joints(scene.bodies[0])
        view, proj = camera(ClipSpec("posture", distance_m=3.5), np.array([0.0, 0.9, 0.0]))
        p = scene.p
        img = p.getCameraImage(640, 480, view, proj, renderer=p.ER_TINY_RENDERER, lightDirection=[1, 3, 2],
                               physicsClientId=scene.cid)[2]  # fmt: skip
        cv2.imwrite(str(png), np.reshape(np.asarray(img, dtype=np.uint8), (480, 640, 4))[:, :, 2::-1])
    finally:
        scene.close()
    kp = keypoints_2d(J)
    seq = PoseSequence.from_frames([kp], fps=1.0, size=(640, 480), source="truth")
    a = analyse_frames(seq)
    truth = {"spec": asdict(spec), "view": a.view,
             "angles": {k: float(v[0]) for k, v in a.per_frame.items() if np.isfinite(v[0])},
             "rula": a.rula[0]}  # fmt: skip
    truth_path.write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return png


def iter_set(out_dir: Path, names: list[str] | None = None) -> Iterator[tuple[ClipSpec, Path]]:
    """Render (or reuse) each clip of :func:`standard_set`; yields ``(spec, video_path)``."""
    for spec in standard_set():
        if names and spec.name not in names:
            continue
        yield spec, render(spec, out_dir)
