from django.urls import path

from cercle.api import export_views, views

app_name = "api_tokens"

urlpatterns = [
    path("account/api-tokens/", views.tokens, name="tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.revoke, name="revoke"),
    # Downloads from the screens (docs/exports.md): ?format=csv|json and the API list's filters.
    path("exports/requests/", export_views.export_requests, name="export_requests"),
    path("exports/projects/", export_views.export_projects, name="export_projects"),
    path("exports/meetings.ics", export_views.export_meetings, name="export_meetings"),
]
