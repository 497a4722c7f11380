from django.urls import path

from cercle.circulation import views

app_name = "circulation"

urlpatterns = [
    path("triage/", views.triage, name="triage"),
    path("triage/<int:pk>/", views.triage_preview, name="preview"),
    path("validation/", views.validation, name="validation"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("requests/<int:pk>/", views.detail, name="detail"),
    path(
        "requests/<int:pk>/messages/<int:message_pk>/original.eml",
        views.message_original,
        name="message_original",
    ),
    path(
        "requests/<int:pk>/messages/<int:message_pk>/attachments/<int:index>/",
        views.attachment,
        name="attachment",
    ),
    path("requests/<int:pk>/keep/", views.keep, name="keep"),
    path("requests/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("requests/<int:pk>/restore/", views.restore, name="restore"),
    path("requests/<int:pk>/approve/", views.approve, name="approve"),
    path("requests/<int:pk>/decline/", views.decline, name="decline"),
    path("requests/<int:pk>/defer/", views.defer, name="defer"),
    path("requests/<int:pk>/kick-off/", views.kick_off, name="kick_off"),
    path("requests/<int:pk>/close/", views.close, name="close"),
]
