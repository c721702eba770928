"""The user's account: two-factor authentication, API tokens, password; a clinic admin's security settings.

2FA is django-otp: a TOTP device (any authenticator app; enrolment shows a QR code) plus ten
single-use recovery codes (a static device). A clinic admin can require 2FA for every member
and reset a member's second factor (a lost phone); both are audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from kinetrace.web import models as m
from kinetrace.web.access import clinic_of, is_clinic_admin
from kinetrace.web.actions import audit, record_denied
from kinetrace.web.security import HAS_DEVICE
from kinetrace.web.views import clinic_view

RECOVERY_CODES = 10


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, initial="api")
    scope = forms.ChoiceField(choices=m.ApiToken.SCOPES, initial=m.ApiToken.READ)
    days = forms.IntegerField(min_value=1, max_value=365, initial=90, label="Valid for (days)")


class CodeForm(forms.Form):
    token = forms.CharField(
        max_length=16, label="Code", widget=forms.TextInput(attrs={"autocomplete": "one-time-code"})
    )


def _devices(user: Any) -> dict[str, Any]:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return {
        "totp": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        "recovery_left": static.token_set.count() if static is not None else 0,
    }


@clinic_view()
def account(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    ctx: dict[str, Any] = {
        "devices": _devices(user),
        "tokens": m.ApiToken.objects.filter(user=user).order_by("-created"),
        "token_form": TokenForm(),
        "now": timezone.now(),
        "is_admin": is_clinic_admin(user),
        "clinic": clinic_of(user),
    }
    if ctx["is_admin"]:
        from django_otp import user_has_device

        members = m.Membership.objects.filter(clinic=ctx["clinic"]).select_related("user").order_by("user__username")
        ctx["members"] = [(mb, user_has_device(mb.user, confirmed=True)) for mb in members]
    return render(request, "web/account.html", ctx)


def _qr_svg(url: str) -> str:
    import io

    import qrcode
    import qrcode.image.svg

    buf = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    return buf.getvalue().decode()


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (TOTP); on the first valid code, show the recovery codes once."""
    from django_otp import login as otp_login
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user: Any = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        messages.info(request, "Two-factor authentication is already set up.")
        return redirect("account")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="authenticator app", confirmed=False
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].replace(" ", "")):
            device.confirmed = True
            device.save()
            static = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
            codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
            StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
            otp_login(request, device)
            request.session[HAS_DEVICE] = True
            audit(user, None, "2fa_enrol", "authenticator app and recovery codes")
            return render(request, "web/account_2fa_codes.html", {"codes": codes})
        form.add_error("token", "That code is not valid; check the time on your phone and enter the current code.")
    ctx = {"form": form, "qr": _qr_svg(device.config_url), "secret": _b32(device.bin_key)}
    return render(request, "web/account_2fa.html", ctx, status=400 if form.errors else 200)


def _b32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the authenticator app or one recovery code."""
    from django_otp.forms import OTPTokenForm

    user: Any = request.user
    target = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if user.is_verified():
        return redirect(target)
    form = OTPTokenForm(user, request, data=_with_device(user, request.POST) if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            from django_otp import login as otp_login

            otp_login(request, user.otp_device)
            audit(user, None, "2fa_verify", type(user.otp_device).__name__)
            return redirect(target)
        record_denied(user, "2fa_verify", "wrong or throttled code")
    status = 400 if form.errors else 200
    return render(request, "web/account_2fa_verify.html", {"form": form, "next": target}, status=status)


def _with_device(user: Any, post: Any) -> Any:
    """The POST data with ``otp_device`` chosen from the code's shape: 6 digits = the app, else a recovery code."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    data = post.copy()
    token = str(data.get("otp_token", "")).strip().replace(" ", "")
    data["otp_token"] = token
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    device = kind.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        data["otp_device"] = device.persistent_id
    return data


@clinic_view(("POST",))
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Token not created: " + "; ".join(str(e) for errs in form.errors.values() for e in errs)
        )
        return redirect("account")
    expires = timezone.now() + dt.timedelta(days=form.cleaned_data["days"])
    user: Any = request.user
    row, raw = m.ApiToken.issue(user, form.cleaned_data["name"], scope=form.cleaned_data["scope"], expires=expires)
    audit(request.user, None, "token_create", f"{row.name} ({row.scope}, until {expires:%Y-%m-%d})")
    return render(request, "web/account_token.html", {"token": row, "raw": raw})


@clinic_view(("GET", "POST"))
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user: Any = request.user
    row = m.ApiToken.objects.filter(user=user, pk=token_id, revoked__isnull=True).first()
    if row is None:  # looked up before the method is checked: someone else's id is a 404 for every method
        record_denied(request.user, "token_revoke", f"token {token_id}")
        raise Http404("No such token")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    m.ApiToken.objects.filter(pk=row.pk).update(revoked=timezone.now())
    audit(request.user, None, "token_revoke", row.name)
    messages.success(request, f"Token {row.name!r} revoked.")
    return redirect("account")


@clinic_view(("POST",), admin=True)
def clinic_security(request: HttpRequest) -> HttpResponse:
    """A clinic admin requires (or stops requiring) 2FA for every member."""
    clinic = clinic_of(request.user)
    require = request.POST.get("require_2fa") == "on"
    m.Clinic.objects.filter(pk=clinic.pk).update(require_2fa=require)
    audit(request.user, None, "clinic_require_2fa", "on" if require else "off")
    messages.success(request, f"Two-factor authentication is {'now required' if require else 'optional'}.")
    return redirect("account")


@clinic_view(("GET", "POST"), admin=True)
def member_2fa_reset(request: HttpRequest, member_id: int) -> HttpResponse:
    """A clinic admin removes a member's second factor (lost phone); the member enrols again."""
    from django_otp import devices_for_user

    member = m.Membership.objects.filter(clinic=clinic_of(request.user), pk=member_id).select_related("user").first()
    if member is None:
        record_denied(request.user, "member_2fa_reset", f"member {member_id}")
        raise Http404("No such member")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    for device in devices_for_user(member.user, confirmed=None):
        device.delete()
    audit(request.user, None, "2fa_reset", member.user.username)
    messages.success(request, f"Second factor of {member.user.username} removed; they enrol again at next login.")
    return redirect("account")
