from django.urls import path

from cercle.triage import views

app_name = "triage"

urlpatterns = [
    path("triage/", views.queue, name="queue"),
    path("triage/<int:pk>/", views.preview, name="preview"),
    path("requests/<int:pk>/keep/", views.keep, name="keep"),
    path("requests/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("requests/<int:pk>/restore/", views.restore, name="restore"),
    path("triage/undo/", views.undo, name="undo"),
    path("triage/quality/", views.quality, name="quality"),
    path("triage/quality/retrain/", views.retrain, name="retrain"),
    path("triage/rules/", views.rules, name="rules"),
    path("triage/rules/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("triage/requests/<int:pk>/rule/", views.rule_create, name="rule_create"),
    path("triage/requests/<int:pk>/bulk-dismiss/", views.bulk_dismiss, name="bulk_dismiss"),
    path("triage/requests/<int:pk>/brief/", views.brief, name="brief"),
]
