"""The SVG body chart: every atlas region is drawn, clickable, and marks/paths are applied."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kinetrace.bodychart import render_body_chart
from kinetrace.knowledge import regions

NS = "{http://www.w3.org/2000/svg}"


def _shapes(svg: str) -> list[ET.Element]:
    return [e for e in ET.fromstring(svg).iter(f"{NS}ellipse") if e.get("data-region")]


def test_every_atlas_region_is_drawn_on_each_side_it_has() -> None:
    drawn = {(e.get("data-region"), e.get("data-side")) for e in _shapes(render_body_chart())}
    for r in regions().values():
        sides = ("left", "right") if r.paired else ("central",)
        for side in sides:
            assert (r.id, side) in drawn, f"{r.id} {side} missing from the chart"


def test_chart_is_well_formed_svg_with_front_and_back_views_and_the_side_convention() -> None:
    svg = render_body_chart(title="Mrs H")
    root = ET.fromstring(svg)
    views = {g.get("data-view") for g in root.iter(f"{NS}g") if g.get("data-view")}
    assert views == {"front", "back"}
    assert "patient's left: your right" in svg
    assert "Mrs H" in svg


def test_front_view_puts_the_patients_left_on_the_viewers_right() -> None:
    shapes = {
        (e.get("data-region"), e.get("data-side"), e.get("data-view")): float(e.attrib["cx"])
        for e in _shapes(render_body_chart())
    }
    assert shapes[("knee", "left", "front")] > shapes[("knee", "right", "front")]
    assert shapes[("knee", "left", "back")] < shapes[("knee", "right", "back")]


def test_clickable_chart_makes_every_shape_a_focusable_button() -> None:
    shapes = _shapes(render_body_chart(clickable=True))
    assert all(e.get("role") == "button" and e.get("tabindex") == "0" for e in shapes)
    assert not any(e.get("role") for e in _shapes(render_body_chart()))


@pytest.mark.parametrize(
    ("mark_side", "shape_side", "expected"),
    [("left", "left", True), ("left", "right", False), ("bilateral", "right", True), ("bilateral", "left", True)],
)
def test_marks_apply_to_the_named_side(mark_side: str, shape_side: str, expected: bool) -> None:
    svg = render_body_chart(marks={("buttock", mark_side): "complaint"})
    hit = [e for e in _shapes(svg) if e.get("data-region") == "buttock" and e.get("data-side") == shape_side]
    assert hit and all(("mark-complaint" in e.get("class", "").split()) is expected for e in hit)


def test_a_one_sided_mark_on_a_midline_region_marks_its_single_shape() -> None:
    svg = render_body_chart(marks={("mid_thoracic", "left"): "finding driver"})
    (shape,) = [e for e in _shapes(svg) if e.get("data-region") == "mid_thoracic"]
    assert {"mark-finding", "mark-driver"} <= set(shape.attrib["class"].split())


def test_explanation_path_is_drawn_as_a_numbered_line() -> None:
    svg = render_body_chart(path=[("scapula", "right"), ("lumbar", "central"), ("buttock", "left")])
    root = ET.fromstring(svg)
    lines = list(root.iter(f"{NS}polyline"))
    assert len(lines) == 1  # all three steps are on the back view
    assert len(lines[0].attrib["points"].split()) == 3
    assert [t.text for t in root.iter(f"{NS}text") if t.get("class") == "step-n"] == ["1", "2", "3"]


def test_unknown_regions_are_ignored_not_fatal() -> None:
    svg = render_body_chart(marks={("tail", "left"): "complaint"}, path=[("tail", "left")])
    assert "tail" not in svg
