from django.urls import path

from cercle.intake import views as mail_views
from cercle.intake.form import views
from cercle.intake.linkedin.views import linkedin_import

app_name = "intake"

urlpatterns = [
    path("ask/", views.ask, name="ask"),
    path("ask/thanks/", views.thanks, name="thanks"),
    path("requests/new/", views.manual, name="manual"),
    path("import/linkedin/", linkedin_import, name="linkedin_import"),
    path("settings/", mail_views.hub_settings, name="settings"),
    path(
        "requests/<int:pk>/messages/<int:message_pk>/original.eml",
        mail_views.message_original,
        name="message_original",
    ),
    path(
        "requests/<int:pk>/messages/<int:message_pk>/remote-images/",
        mail_views.remote_images_allow,
        name="remote_images_allow",
    ),
    path(
        "requests/<int:pk>/messages/<int:message_pk>/attachments/<int:index>/",
        mail_views.attachment,
        name="attachment",
    ),
]
