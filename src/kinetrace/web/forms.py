"""Forms: parse and check input (views validate, actions write)."""
# ruff: noqa: RUF012 - Django's declarative Meta/admin/migration class attributes are lists by convention

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast, get_args

from django import forms
from django.core.cache import cache
from django.utils import timezone

from kinetrace.case.model import CONTROL, HistoryKind
from kinetrace.knowledge import marker_catalogue, regions
from kinetrace.presentation import marker_name_label
from kinetrace.web import models as m

if TYPE_CHECKING:
    from kinetrace.web.casefile import EpisodeParts

RED_FLAGS = [
    "Saddle anaesthesia or bladder/bowel change (cauda equina)",
    "Progressive neurological deficit",
    "History of cancer or unexplained weight loss",
    "Fever, infection or immunosuppression",
    "Significant trauma or suspected fracture",
    "Constant night pain not eased by any position",
]
YELLOW_FLAGS = [
    "Fear of movement / avoidance",
    "Low mood or anxiety",
    "Belief that pain means harm",
    "Work stress or dissatisfaction",
    "Passive coping, expects passive treatment",
]


#: A number as the forms accept it: digits with an optional decimal point (never a comma or letters).
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
NUMBER_FORMAT = "digits with a decimal point, e.g. 6 or 2.5 (no letters, no comma)"
#: The largest magnitude any number field takes (the core checks each marker's own range).
NUMBER_LIMIT = 1e7
#: Longest text accepted in a one-line text field of these forms.
TEXT_LIMIT = 500


def decimal_input(**attrs: str) -> forms.TextInput:
    """A text input that brings up the numeric keypad but lets the server see exactly what was typed.

    (``type=number`` makes Chromium drop letters and commas silently: "thirty7" became 7, "2,4" 24.)"""
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false", **attrs})


class StrictFloatField(forms.FloatField):
    """A number parsed strictly: letters or a decimal comma are a field error naming the allowed format."""

    widget = decimal_input()

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not NUMBER.fullmatch(text):
            shown = text if len(text) <= 20 else text[:20] + "…"
            raise forms.ValidationError(f"“{shown}” is not a number: use {NUMBER_FORMAT}.", code="invalid")
        number = float(text)
        if abs(number) > NUMBER_LIMIT:
            raise forms.ValidationError(f"{text} is too large: the limit is {NUMBER_LIMIT:g}.", code="max_value")
        return number

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}


class StrictIntegerField(forms.IntegerField):
    """A whole number parsed strictly (letters are a field error, never dropped)."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not re.fullmatch(r"\d{1,6}", text):
            shown = text if len(text) <= 20 else text[:20] + "…"
            raise forms.ValidationError(f"“{shown}” is not a whole number: use digits only, e.g. 41.", code="invalid")
        return int(text)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}


def region_choices() -> list[tuple[str, str]]:
    return [("", "— tap the chart —")] + [(r.id, r.label) for r in regions().values()]


class PatientForm(forms.ModelForm[m.Patient]):
    class Meta:
        model = m.Patient
        fields = ["ref", "display_name", "age", "sex", "occupation", "sports", "synthetic"]
        widgets = {"sports": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"age": StrictIntegerField}

    def __init__(self, *args: Any, clinic: m.Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic

    def clean_ref(self) -> str:
        ref = self.cleaned_data["ref"].strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", ref):
            raise forms.ValidationError("Use letters, digits, '-', '_' or '.' (a pseudonymous reference, not a name).")
        if m.Patient.objects.filter(clinic=self.clinic, ref=ref).exists():
            raise forms.ValidationError("This clinic already has a patient with this reference.")
        return str(ref)

    def clean_age(self) -> int | None:
        age = self.cleaned_data.get("age")
        if age is not None and age > 120:
            raise forms.ValidationError("Age must be between 0 and 120.")
        return age


ANSWERS = [("yes", "yes"), ("no", "no"), ("not_asked", "not asked")]


def _flag_field(flag: str) -> str:
    return "flag_" + re.sub(r"[^a-z0-9]+", "_", flag.lower()).strip("_")[:40]


class EpisodeForm(forms.ModelForm[m.Episode]):
    """Intake: the complaint in words, its duration and aggravating activities, and the screening.

    Each listed flag is answered yes / no / not asked; "no" answers are recorded as "screened,
    negative" with the screening date (``screened_on``, today by default once anything is answered).
    """

    red_flag_other = forms.CharField(
        label="Other red flags (one per line)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    yellow_flag_other = forms.CharField(
        label="Other yellow flags (one per line)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = m.Episode
        fields = ["title", "description", "duration_weeks", "aggravating", "easing", "red_flags_cleared", "screened_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "aggravating": forms.Textarea(attrs={"rows": 2}),
            "easing": forms.Textarea(attrs={"rows": 2}),
            "red_flags_cleared": forms.Textarea(attrs={"rows": 2}),
            "screened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {
            "red_flags_cleared": "Referral or clearance (required before trials when red flags are present)",
            "screened_on": "Screened on",
        }
        field_classes = {"duration_weeks": StrictFloatField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ep = self.instance
        answers = dict(ep.screening_answers or {})
        self.flag_rows: list[tuple[str, str, str]] = []  # (group, flag, field name)
        for group, flags, text in (("red", RED_FLAGS, ep.red_flags), ("yellow", YELLOW_FLAGS, ep.yellow_flags)):
            stored = [line.strip() for line in text.splitlines() if line.strip()]
            for flag in flags:
                name = _flag_field(flag)
                initial = answers.get(flag) or ("yes" if flag in stored else "not_asked")
                self.fields[name] = forms.ChoiceField(
                    label=flag, choices=ANSWERS, initial=initial, widget=forms.RadioSelect(attrs={"class": "answer"})
                )
                self.flag_rows.append((group, flag, name))
            self.fields[f"{group}_flag_other"].initial = "\n".join(s for s in stored if s not in flags)

    def flag_fields(self, group: str) -> list[forms.BoundField]:
        return [self[name] for g, _, name in self.flag_rows if g == group]

    def clean_duration_weeks(self) -> float | None:
        value = self.cleaned_data.get("duration_weeks")
        if value is not None and not 0 <= value <= 5200:
            raise forms.ValidationError("Duration must be between 0 and 5200 weeks.")
        return value

    def changes(self) -> dict[str, Any]:
        data = {f: self.cleaned_data[f] for f in self.Meta.fields}
        answers = {flag: self.cleaned_data.get(name) or "not_asked" for _, flag, name in self.flag_rows}
        for group in ("red", "yellow"):
            yes = [flag for g, flag, _ in self.flag_rows if g == group and answers[flag] == "yes"]
            other = [line.strip() for line in self.cleaned_data[f"{group}_flag_other"].splitlines() if line.strip()]
            data[f"{group}_flags"] = "\n".join(yes + other)
        data["screening_answers"] = {k: v for k, v in answers.items() if v != "not_asked"}
        if data["screening_answers"] and data["screened_on"] is None:
            data["screened_on"] = timezone.localdate()
        return data


class ComplaintAreaForm(forms.Form):
    region = forms.ChoiceField(choices=region_choices)
    side = forms.ChoiceField(choices=m.SIDES)
    kind = forms.ChoiceField(choices=m.COMPLAINT_KINDS, initial="pain")


HISTORY_KINDS = [("", "—")] + [(k, k.replace("_", " ")) for k in get_args(HistoryKind)]
#: History rows offered on a finding (the seed case's driver carries two).
HISTORY_ROWS = 2
KEY_RE = re.compile(r"[a-z][a-z0-9_]*")


def _check_key(form: forms.ModelForm[Any], model: type[m.Finding] | type[m.Marker], what: str) -> str:
    """An optional short id: the format, reserved words and uniqueness in the episode (a field error, never a 500)."""
    key = (form.cleaned_data.get("key") or "").strip()
    if not key:
        return key
    if not KEY_RE.fullmatch(key) or len(key) > 64:
        raise forms.ValidationError("Lower-case letters, digits and '_' only, starting with a letter (64 at most).")
    if key in (CONTROL, "none"):
        raise forms.ValidationError(f"{key!r} is reserved.")
    episode = getattr(form, "episode", None)
    if episode is not None:
        taken = model.objects.filter(episode=episode, key=key).exclude(pk=form.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"This episode already has a {what} with the id {key!r}; choose another.")
    return key


class FindingForm(forms.ModelForm[m.Finding]):
    """A finding (candidate driver) with up to two history items (the ``case@1`` vocabulary)."""

    region = forms.ChoiceField(choices=region_choices)

    class Meta:
        model = m.Finding
        fields = ["region", "side", "kind", "structure", "severity", "text", "key"]
        labels = {"key": "Short id (optional)", "text": "Description"}
        help_texts = {"key": "e.g. r_infraspinatus; generated when empty"}
        widgets = {"severity": forms.RadioSelect}

    def __init__(self, *args: Any, episode: m.Episode | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.fields["key"].required = False
        stored = list(self.instance.history or []) if self.instance.pk else []
        for i in range(1, HISTORY_ROWS + 1):
            old = stored[i - 1] if len(stored) >= i else {}
            self.fields[f"history_{i}_kind"] = forms.ChoiceField(
                label=f"History {i}", choices=HISTORY_KINDS, required=False, initial=old.get("kind", "")
            )
            self.fields[f"history_{i}_text"] = forms.CharField(
                label=f"History {i} details",
                required=False,
                max_length=TEXT_LIMIT,
                initial=old.get("text", ""),
                widget=forms.TextInput(attrs={"placeholder": "e.g. scanning with the arm abducted"}),
            )
        if self.instance.pk:  # trials name a finding by its id: it is fixed once saved
            self.fields["key"].disabled = True

    def clean_key(self) -> str:
        if self.instance.pk:
            return str(self.instance.key)
        return _check_key(self, m.Finding, "finding")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        history = []
        for i in range(1, HISTORY_ROWS + 1):
            kind, text = data.pop(f"history_{i}_kind", ""), (data.pop(f"history_{i}_text", "") or "").strip()
            if text and not kind:
                self.add_error(f"history_{i}_kind", "Choose the kind of history for these details.")
            elif kind:
                history.append({"kind": kind, "text": text})
        data["history"] = history
        return data


def _active_tests(*, fresh: bool) -> list[m.MarkerTest]:
    """The clinic catalogue's active marker tests (Django admin). A blank form's choices may be a
    minute old (the exam sheet is rendered after every entry); a submitted form reads them fresh."""
    if fresh:
        return list(m.MarkerTest.objects.filter(active=True))
    return cast(
        list[m.MarkerTest],
        cache.get_or_set("kinetrace:marker-tests", lambda: list(m.MarkerTest.objects.filter(active=True)), 60),
    )


class MarkerForm(forms.ModelForm[m.Marker]):
    """A marker from the clinic's catalogue (Django admin: marker tests) or a custom one, with its baseline.

    A catalogue test the core knows is stored as ``test`` (the core resolves name, unit and MDC);
    a clinic-only test becomes a custom marker carrying the catalogue's name, unit, direction and
    MDC; a clinic MDC that differs from the core's is stored as an override with its source.
    """

    test = forms.ChoiceField(label="Test", required=False)
    region = forms.ChoiceField(choices=region_choices)

    class Meta:
        model = m.Marker
        fields = [
            "test",
            "name",
            "region",
            "side",
            "baseline",
            "target",
            "primary",
            "unit",
            "better",
            "mdc",
            "mdc_source",
            "key",
        ]
        labels = {"key": "Short id (optional)", "name": "Name (custom marker or label)", "mdc": "MDC (custom marker)"}
        field_classes = {"baseline": StrictFloatField, "target": StrictFloatField, "mdc": StrictFloatField}

    def __init__(self, *args: Any, episode: m.Episode | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.fields["key"].required = False
        self.tests = {t.code: t for t in _active_tests(fresh=self.is_bound)}
        cast(forms.ChoiceField, self.fields["test"]).choices = [("", "Custom marker")] + [
            (code, f"{t.name} ({t.unit})") for code, t in self.tests.items()
        ]
        if self.instance.pk:  # trials and sessions name a marker by its id: it is fixed once saved
            self.fields["key"].disabled = True

    def clean_key(self) -> str:
        if self.instance.pk:
            return str(self.instance.key)
        return _check_key(self, m.Marker, "marker")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = self.tests.get(data.get("test") or "")
        if chosen is not None:
            core = marker_catalogue().get(chosen.code)
            if core is None:  # a clinic-only test: a custom marker with the catalogue's figures
                data["test"] = ""
                data["name"] = data.get("name") or chosen.name
                data["unit"] = data.get("unit") or chosen.unit
                data["better"] = chosen.better
                data["mdc"] = data.get("mdc") or chosen.mdc
                data["mdc_source"] = data.get("mdc_source") or chosen.mdc_source or "clinic catalogue"
            elif chosen.mdc is not None and core.mdc != chosen.mdc and data.get("mdc") is None:
                data["mdc"] = chosen.mdc
                data["mdc_source"] = data.get("mdc_source") or f"clinic catalogue: {chosen.mdc_source}"
        if not data.get("test"):
            for f in ("name", "unit", "better", "mdc"):
                if data.get(f) in (None, ""):
                    self.add_error(f, "Required for a custom marker.")
        return data


def marker_value_fields(form: forms.Form, markers: Iterable[m.Marker], *, required: bool = False) -> None:
    """Add one fast numeric input per marker, named ``m_<key>``."""
    for mk in markers:
        if mk.archived:
            continue
        form.fields[f"m_{mk.key}"] = StrictFloatField(
            label=marker_name_label(mk.name, mk.key, mk.side), required=required
        )


def marker_values(form: forms.Form, markers: Iterable[m.Marker]) -> dict[m.Marker, float]:
    return {mk: v for mk in markers if (v := form.cleaned_data.get(f"m_{mk.key}")) is not None}


class TrialForm(forms.Form):
    """A trial: the candidate treated, the intervention, and fast numeric re-test inputs ``m_<marker id>``.

    ``candidates`` are ``(finding id, label)``; ``markers`` are ``(marker id, label)``.
    """

    candidate = forms.ChoiceField()
    intervention = forms.CharField(
        max_length=300, required=False, widget=forms.TextInput(attrs={"list": "interventions"})
    )

    def __init__(
        self, *args: Any, candidates: list[tuple[str, str]], markers: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["candidate"]).choices = [
            *candidates,
            (CONTROL, "Control: re-test without treatment"),
        ]
        for key, label in markers:
            self.fields[f"m_{key}"] = StrictFloatField(label=label, required=False)
        self.marker_keys = [key for key, _ in markers]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f"m_{key}") is not None for key in self.marker_keys):
            raise forms.ValidationError("Enter at least one re-test value.")
        return data

    def post_values(self) -> dict[str, float]:
        """Re-test values entered, by marker id."""
        data = getattr(self, "cleaned_data", {})
        return {k: v for k in self.marker_keys if (v := data.get(f"m_{k}")) is not None}


def trial_form_choices(episode: m.Episode, parts: EpisodeParts | None = None) -> dict[str, list[tuple[str, str]]]:
    """TrialForm's ``candidates`` and ``markers`` for an episode (``parts``: its
    :class:`~kinetrace.web.casefile.EpisodeParts`, if already read)."""
    if parts is not None:
        findings = [(f["key"], f["text"], f["region"], f["side"]) for f in parts.findings if not f.get("archived")]
        markers = [(mk["key"], mk["name"], mk["side"]) for mk in parts.markers if not mk.get("archived")]
    else:
        findings = [(f.key, f.text, f.region, f.side) for f in episode.findings.all() if not f.archived]
        markers = [(mk.key, mk.name, mk.side) for mk in episode.markers.all() if not mk.archived]
    return {
        "candidates": [(key, f"{text or key} ({region} {side})") for key, text, region, side in findings],
        "markers": [(key, marker_name_label(name, key, side)) for key, name, side in markers],
    }


class SessionForm(forms.Form):
    date = forms.DateField(
        initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PlanItemForm(forms.ModelForm[m.PlanItem]):
    library = forms.ModelChoiceField(
        queryset=m.AdviceItem.objects.all(), required=False, label="From the advice library"
    )

    class Meta:
        model = m.PlanItem
        fields = ["library", "kind", "text", "source"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False
        self.fields["text"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lib = data.get("library")
        if lib is not None:
            data["kind"] = data.get("kind") or lib.kind
            data["text"] = data.get("text") or lib.text
            data["source"] = data.get("source") or lib.source
        if not data.get("kind"):
            self.add_error("kind", "Choose a kind or a library item.")
        if not data.get("text"):
            self.add_error("text", "Write the advice or choose a library item.")
        return data


class GoalForm(forms.ModelForm[m.Goal]):
    class Meta:
        model = m.Goal
        fields = ["text", "status", "note"]

    def clean_text(self) -> str:
        text = (self.cleaned_data.get("text") or "").strip()
        if not text:
            raise forms.ValidationError("Write the goal in the patient's words.")
        return text


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A kinetrace/case@1 file (YAML or JSON), as written by the CLI or the export")
    ref = forms.CharField(
        required=False, max_length=64, label="Patient reference (optional; default: the file's patient id)"
    )


def apply_problems(form: forms.BaseForm, problems: Iterable[str], prefix_map: dict[str, str] | None = None) -> None:
    """Attach the core's ``path: message`` problems to the form fields they name (else to the form)."""
    for problem in problems:
        path, _, message = problem.partition(": ")
        last = re.sub(r"\[\d+\]", "", path.rsplit(".", 1)[-1])
        field = (prefix_map or {}).get(last, last)
        if field in form.fields and message:
            form.add_error(field, message)
        else:
            form.add_error(None, problem)
