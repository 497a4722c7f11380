from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from cercle.accounts.urls import account_urlpatterns
from cercle.accounts.views import language_set
from cercle.api.api import api
from cercle.circulation.views import home
from cercle.outbox.forms import OutboxPasswordResetForm

urlpatterns = [
    path("", home, name="home"),
    path("", include("cercle.circulation.urls")),
    path("", include("cercle.triage.urls")),
    path("", include("cercle.circle.urls")),
    path("", include("cercle.projects.urls")),
    path("", include("cercle.outbox.urls")),
    path("", include("cercle.intake.urls")),
    path("", include("cercle.mailsync.urls")),
    path("", include("cercle.people.urls")),
    path(
        "accounts/",
        include((account_urlpatterns(password_reset_form=OutboxPasswordResetForm), "accounts")),
    ),
    path("api/v1/", api.urls),
    path("", include("cercle.api.urls")),  # the API tokens page
    path("i18n/setlang/", language_set, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
