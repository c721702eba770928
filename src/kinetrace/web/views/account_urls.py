"""URLs of the account pages (2FA, API tokens, password change and reset, clinic security)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from kinetrace.web.views import account

FORM = "web/account_form.html"


def _ctx(heading: str, text: str = "", button: str = "Save", link: str = "", link_text: str = "") -> dict[str, str]:
    return {"heading": heading, "text": text, "button": button, "link": link, "link_text": link_text}


urlpatterns = [
    path("accounts/", account.account, name="account"),
    path("accounts/2fa/", account.enrol, name="account_2fa"),
    path("accounts/2fa/verify/", account.verify, name="account_2fa_verify"),
    path("accounts/tokens/", account.token_create, name="account_tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", account.token_revoke, name="account_token_revoke"),
    path("accounts/clinic/", account.clinic_security, name="clinic_security"),
    path("accounts/members/<int:member_id>/reset-2fa/", account.member_2fa_reset, name="member_2fa_reset"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(
            template_name=FORM, success_url=reverse_lazy("password_change_done"), extra_context=_ctx("Change password")
        ),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name=FORM, extra_context=_ctx("Password changed", link="/accounts/", link_text="Your account")
        ),
        name="password_change_done",
    ),
    path(
        "accounts/reset/",
        auth_views.PasswordResetView.as_view(
            template_name=FORM,
            success_url=reverse_lazy("password_reset_done"),
            extra_context=_ctx("Reset your password", "We e-mail a link to the account's address.", "Send the link"),
        ),
        name="password_reset",
    ),
    path(
        "accounts/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name=FORM,
            extra_context=_ctx(
                "Check your e-mail", "If the address belongs to an account, a reset link is on its way."
            ),
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=FORM,
            success_url=reverse_lazy("password_reset_complete"),
            extra_context=_ctx("Choose a new password", "A link that was used or is too old does not work."),
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=FORM, extra_context=_ctx("Password set", link="/accounts/login/", link_text="Log in")
        ),
        name="password_reset_complete",
    ),
]
