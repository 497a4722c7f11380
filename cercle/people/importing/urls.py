from django.urls import path

from cercle.people.importing import views

# Included by cercle/people/urls.py under "network/": the names are the parent's ("people:import").
urlpatterns = [
    path("import/", views.import_start, name="import"),
    path("import/csv/<str:token>/", views.import_csv_map, name="import_csv_map"),
]
