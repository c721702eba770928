"""The whole-body screen: a clinic template's checklist by region (tick a side to add a finding) and
its default marker set for the complaint area (type the baselines), saved in one action.

Templates are the clinic's own (copied from ``kinetrace/web/exam_templates.yaml`` the first time)
and editable by the clinic at ``/exam-templates/``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, get_args

import yaml
from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kinetrace.case.model import FindingKind, Side
from kinetrace.knowledge import marker_catalogue, regions
from kinetrace.presentation import capital, place_label
from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.access import clinic_of
from kinetrace.web.forms import TEXT_LIMIT, StrictFloatField
from kinetrace.web.views import clinic_view, episode_view


@cache
def defaults() -> dict[str, Any]:
    text = resources.files("kinetrace.web").joinpath("exam_templates.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def clinic_templates(clinic: m.Clinic) -> list[m.ExamTemplate]:
    """The clinic's templates; the defaults are copied in (once) when it has none."""
    rows = list(m.ExamTemplate.objects.filter(clinic=clinic))
    if rows:
        return rows
    with transaction.atomic():
        for t in defaults()["templates"]:
            region = t["complaint_regions"][0]
            m.ExamTemplate.objects.get_or_create(
                clinic=clinic,
                name=t["name"],
                defaults={"complaint_region": region, "checklist": t["checklist"], "markers": t["markers"]},
            )
    return list(m.ExamTemplate.objects.filter(clinic=clinic))


def _suits(template: m.ExamTemplate, region: str) -> bool:
    for t in defaults()["templates"]:
        if t["name"] == template.name:
            return region in t["complaint_regions"]
    return template.complaint_region == region


def _pick(templates: list[m.ExamTemplate], episode: m.Episode, wanted: str | None) -> m.ExamTemplate | None:
    if wanted:
        chosen = next((t for t in templates if str(t.pk) == wanted), None)
        if chosen is not None:
            return chosen
    area = episode.complaintareas.first()
    if area is not None:
        match = next((t for t in templates if _suits(t, area.region)), None)
        if match is not None:
            return match
    return templates[0] if templates else None


def _sides(region: str) -> list[str]:
    r = regions().get(region)
    return ["left", "right", "bilateral"] if r is not None and r.paired else ["central", "left", "right"]


def _complaint_side(episode: m.Episode) -> tuple[str, str]:
    area = episode.complaintareas.first()
    return (area.region, area.side) if area is not None else ("lumbar", "central")


def _marker_rows(template: m.ExamTemplate, episode: m.Episode) -> list[dict[str, Any]]:
    region, side = _complaint_side(episode)
    rows = []
    for i, spec in enumerate(template.markers):
        entry = marker_catalogue().get(spec.get("test", ""))
        if entry is None:
            continue
        at = spec.get("at") == "complaint"
        mk_side = side if spec.get("side") == "complaint" else spec.get("side", "central")
        mk_region = region if at else spec.get("region", region)
        if mk_side == "central" and regions()[mk_region].paired:
            mk_side = "bilateral"
        label = capital(place_label(mk_region, mk_side))
        rows.append(
            {**spec, "i": i, "test": entry.id, "entry": entry, "region": mk_region, "side": mk_side, "place": label}
        )
    return rows


class ScreenForm(forms.Form):
    """Ticks ``f<i>_<side>`` for the checklist items, baselines ``m<i>`` (and a name ``m<i>_name``)."""

    def __init__(self, *args: Any, template: m.ExamTemplate, episode: m.Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = [dict(item, i=i) for i, item in enumerate(template.checklist)]
        for item in self.items:
            for side in _sides(item["region"]):
                label = {"bilateral": "both", "central": "centre"}.get(side, side)
                self.fields[f"f{item['i']}_{side}"] = forms.BooleanField(required=False, label=label)
        self.marker_rows = _marker_rows(template, episode)
        for row in self.marker_rows:
            lo, hi = row["entry"].range
            self.fields[f"m{row['i']}"] = StrictFloatField(
                required=False, label=f"{row['entry'].name} baseline", help_text=f"{lo:g}-{hi:g}"
            )
            if row["test"] == "psfs_item":
                self.fields[f"m{row['i']}_name"] = forms.CharField(
                    required=False,
                    max_length=200,
                    label="activity",
                    widget=forms.TextInput(attrs={"placeholder": "activity, e.g. running 10 km"}),
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in self.marker_rows:
            value = data.get(f"m{row['i']}")
            lo, hi = row["entry"].range
            if value is not None and not lo <= value <= hi:
                self.add_error(f"m{row['i']}", f"{value:g} is outside {lo:g}-{hi:g} for {row['entry'].name}.")
        return data

    def findings(self) -> list[dict[str, Any]]:
        out = []
        for item in self.items:
            for side in _sides(item["region"]):
                if self.cleaned_data.get(f"f{item['i']}_{side}"):
                    where = {"central": "", "bilateral": ", both sides"}.get(side, f", {side}")
                    out.append(
                        {
                            "kind": item["kind"],
                            "region": item["region"],
                            "side": side,
                            "structure": item.get("structure") or "",
                            "severity": 2,
                            "text": f"{item['text']}{where}"[:TEXT_LIMIT],
                        }
                    )
        return out

    def markers(self) -> list[dict[str, Any]]:
        out = []
        for row in self.marker_rows:
            value = self.cleaned_data.get(f"m{row['i']}")
            if value is None:
                continue
            name = (self.cleaned_data.get(f"m{row['i']}_name") or "").strip()
            data = {"test": row["test"], "region": row["region"], "side": row["side"], "baseline": value}
            data["primary"] = bool(row.get("primary"))
            if name:
                data["name"] = f"PSFS: {name}"
            out.append(data)
        return out

    def marker_fields(self) -> list[tuple[dict[str, Any], forms.BoundField, forms.BoundField | None]]:
        out = []
        for row in self.marker_rows:
            name = self[f"m{row['i']}_name"] if f"m{row['i']}_name" in self.fields else None
            out.append((row, self[f"m{row['i']}"], name))
        return out

    def grouped(self) -> list[tuple[str, list[tuple[dict[str, Any], list[forms.BoundField]]]]]:
        groups: dict[str, list[tuple[dict[str, Any], list[forms.BoundField]]]] = {}
        for item in self.items:
            label = capital(place_label(item["region"], "central"))
            ticks = [self[f"f{item['i']}_{side}"] for side in _sides(item["region"])]
            groups.setdefault(label, []).append((item, ticks))
        return list(groups.items())


@episode_view(("GET", "POST"))
def exam_screen(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    templates = clinic_templates(episode.patient.clinic)
    template = _pick(templates, episode, request.GET.get("template") or request.POST.get("template"))
    if template is None:
        return redirect("exam_templates")
    form = ScreenForm(request.POST or None, template=template, episode=episode)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_apply_template(request.user, episode, form.findings(), form.markers())
        except actions.ActionError as exc:
            problems = exc.problems
        else:
            return redirect("exam", episode_id=episode.pk)
    ctx = {"episode": episode, "tab": "exam", "form": form, "template": template, "templates": templates}
    ctx["problems"] = problems
    return render(request, "web/exam_screen.html", ctx, status=400 if (form.errors or problems) else 200)


# --- the clinic's templates -----------------------------------------------------------------------

KINDS = set(get_args(FindingKind))
SIDES = set(get_args(Side))


def _check_checklist(items: Any) -> list[str]:
    if not isinstance(items, list):
        return ["checklist: a list of items ({region, kind, structure, text})"]
    problems = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or item.get("region") not in regions() or item.get("kind") not in KINDS:
            problems.append(f"checklist[{n}]: needs a known region and one of the kinds {', '.join(sorted(KINDS))}")
        elif not str(item.get("text", "")).strip():
            problems.append(f"checklist[{n}].text: describe the finding")
    return problems


def _check_markers(items: Any) -> list[str]:
    if not isinstance(items, list):
        return ["markers: a list of {test, region, side}"]
    problems = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or item.get("test") not in marker_catalogue():
            problems.append(f"markers[{n}].test: a catalogue test id ({', '.join(sorted(marker_catalogue()))})")
        elif item.get("at") != "complaint" and item.get("region") not in regions():
            problems.append(f"markers[{n}].region: a known region, or at: complaint")
        elif item.get("side") not in (SIDES | {"complaint"}):
            problems.append(f"markers[{n}].side: left, right, central, bilateral or complaint")
    return problems


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=200)
    complaint_region = forms.ChoiceField(
        choices=lambda: [("", "any")] + [(r.id, r.label) for r in regions().values()], required=False
    )
    checklist = forms.CharField(widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}), max_length=50_000)
    markers = forms.CharField(widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}), max_length=20_000)

    def _yaml(self, name: str, check: Any) -> Any:
        try:
            value = yaml.safe_load(self.cleaned_data[name])
        except yaml.YAMLError as exc:
            raise forms.ValidationError(f"Not valid YAML: {exc}") from None
        problems = check(value)
        if problems:
            raise forms.ValidationError(problems)
        return value

    def clean_checklist(self) -> Any:
        return self._yaml("checklist", _check_checklist)

    def clean_markers(self) -> Any:
        return self._yaml("markers", _check_markers)


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=None, width=200)


@clinic_view()
def template_list(request: HttpRequest) -> HttpResponse:
    templates = clinic_templates(clinic_of(request.user))
    return render(request, "web/exam_templates.html", {"templates": templates})


@clinic_view(("GET", "POST"))
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = get_object_or_404(m.ExamTemplate, clinic=clinic_of(request.user), pk=template_id)
    initial = {
        "name": template.name,
        "complaint_region": template.complaint_region,
        "checklist": _dump(template.checklist),
        "markers": _dump(template.markers),
    }
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_exam_template(request.user, form.cleaned_data, template)
        except actions.ActionError as exc:
            form.add_error("name", exc.problems[0].partition(": ")[2])
        else:
            return redirect("exam_templates")
    ctx = {"template": template, "form": form}
    return render(request, "web/exam_template.html", ctx, status=400 if form.errors else 200)
