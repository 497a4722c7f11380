from django.urls import path

from cercle.circulation import views

app_name = "circulation"

urlpatterns = [
    path("validation/", views.validation, name="validation"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("requests/<int:pk>/", views.detail, name="detail"),
    path("requests/<int:pk>/approve/", views.approve, name="approve"),
    path("requests/<int:pk>/decline/", views.decline, name="decline"),
    path("requests/<int:pk>/defer/", views.defer, name="defer"),
    path("requests/<int:pk>/kick-off/", views.kick_off, name="kick_off"),
    path("requests/<int:pk>/write/", views.write, name="write"),
    path("requests/<int:pk>/lead-kind/", views.lead_kind, name="lead_kind"),
    path("settings/clocks/", views.clock_settings, name="clock_settings"),
    # A link of the leader's digest (signed token; no sign-in): circulation/digest.py.
    path("digest/<str:token>/", views.digest_link, name="digest_link"),
]
