from django.urls import path

from cercle.intake.form import views
from cercle.intake.linkedin.views import linkedin_import

app_name = "intake"

urlpatterns = [
    path("ask/", views.ask, name="ask"),
    path("ask/thanks/", views.thanks, name="thanks"),
    path("import/linkedin/", linkedin_import, name="linkedin_import"),
]
