"""Sign-in, sign-out and password reset. The reset mail's form is given by the wiring (config/urls.py):
it goes through the outbox, an app that sits above this one."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.urls import URLPattern, path, reverse_lazy

from cercle.accounts.views import LimitedPasswordResetView, SignInView


def account_urlpatterns(*, password_reset_form: type[PasswordResetForm]) -> list[URLPattern]:
    return [
        path("login/", SignInView.as_view(), name="login"),
        path("logout/", auth_views.LogoutView.as_view(), name="logout"),
        path(
            "password-reset/",
            LimitedPasswordResetView.as_view(
                template_name="accounts/password_reset.html",
                form_class=password_reset_form,
                email_template_name="accounts/password_reset_email.txt",
                subject_template_name="accounts/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
            ),
            name="password_reset",
        ),
        path(
            "password-reset/sent/",
            auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
            name="password_reset_done",
        ),
        path(
            "reset/<uidb64>/<token>/",
            auth_views.PasswordResetConfirmView.as_view(
                template_name="accounts/password_reset_confirm.html",
                success_url=reverse_lazy("accounts:password_reset_complete"),
            ),
            name="password_reset_confirm",
        ),
        path(
            "reset/done/",
            auth_views.PasswordResetCompleteView.as_view(
                template_name="accounts/password_reset_complete.html"
            ),
            name="password_reset_complete",
        ),
    ]
