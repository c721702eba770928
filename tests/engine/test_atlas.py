"""The atlas data: every link cited and typed, sides possible, checks with stable ids."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kinetrace.cli import app
from kinetrace.engine.atlas import CHECKS, Link, _check_links, atlas, check_atlas
from kinetrace.knowledge import regions


def test_shipped_atlas_passes_every_check() -> None:
    problems, loaded = check_atlas()
    assert problems == []
    assert loaded is not None and len(loaded.links) > 50 and len(loaded.structures) > 40


def test_every_link_has_a_known_level_type_and_source() -> None:
    at = atlas()
    for link in (*at.links, at.fallback):
        assert link.evidence in at.levels, link.id
        assert link.type in at.link_types, link.id
        assert link.sources and all(s in at.sources for s in link.sources), link.id


def test_links_without_published_support_weigh_least() -> None:
    """A link marked 'none' is never weighted above a D-level link, and says so in its source."""
    at = atlas()
    unsupported = [link for link in at.links if link.evidence == "none"]
    assert unsupported
    for link in unsupported:
        assert at.link_weight(link) <= at.levels["D"].weight
    assert any("no_published_support" in link.sources for link in unsupported)


def test_thoracic_to_shoulder_is_weighted_below_a_sham_prior() -> None:
    """A-level evidence of *no* specific effect must not make a strong link (research note B.4)."""
    at = atlas()
    link = next(link for link in at.links if link.id == "thoracic_to_shoulder")
    assert at.link_weight(link) < at.levels["D"].weight


def _link(**kw: object) -> Link:
    base: dict[str, object] = {
        "id": "x",
        "type": "adjacency",
        "a": "knee",
        "b": "calf",
        "laterality": "ipsilateral",
        "evidence": "D",
        "sources": ["s"],
    }
    base.update(kw)
    return Link.model_validate(base)


@pytest.mark.parametrize(
    ("change", "check_id"),
    [
        ({"evidence": "E"}, "kinetrace.E004"),
        ({"type": "telepathy"}, "kinetrace.E005"),
        ({"sources": ["nowhere"]}, "kinetrace.E006"),
        ({"a": "lumbar", "laterality": "contralateral"}, "kinetrace.E007"),
        ({"weight": 0.3}, "kinetrace.E008"),
        ({"evidence": "none", "weight": 0.9, "weight_note": "why"}, "kinetrace.E010"),
        ({"b": "elbw"}, "kinetrace.E003"),
    ],
)
def test_bad_links_are_reported_with_stable_ids(change: dict[str, object], check_id: str) -> None:
    at = atlas()
    links = {"x": _link(**change), at.fallback.id: at.fallback}
    problems = _check_links(links, at.levels, at.link_types, {"s": "a source"}, regions(), at.fallback.id)
    assert check_id in {p.id for p in problems}
    assert check_id in CHECKS


def test_kinetrace_check_command() -> None:
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_structure_matching_prefers_the_longest_name() -> None:
    at = atlas()
    assert at.match_structure("upper trapezius, right").id == "upper_trapezius"  # type: ignore[union-attr]
    assert at.match_structure("Adverse tension of the sciatic nerve").id == "sciatic_nerve"  # type: ignore[union-attr]
    assert at.match_structure("shoulder girdle") is None


def test_unreadable_atlas_file_is_reported_as_e001(monkeypatch: pytest.MonkeyPatch) -> None:
    """A data file that cannot be parsed gives kinetrace.E001 naming the file, not a crash."""
    import yaml

    from kinetrace.engine import atlas as atlas_module

    real = atlas_module.load_yaml  # type: ignore[attr-defined]  # patched where the atlas loader looks it up

    def broken(name: str) -> dict[str, object]:
        if name == "links.yaml":
            raise yaml.YAMLError("mapping values are not allowed here")
        return real(name)

    monkeypatch.setattr(atlas_module, "load_yaml", broken)
    problems, loaded = check_atlas()
    assert loaded is None
    assert any(p.id == "kinetrace.E001" and "links.yaml" in str(p) for p in problems), problems
