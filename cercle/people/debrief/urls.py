from django.urls import path

from cercle.people.debrief import views

urlpatterns = [
    path("debrief/", views.debrief, name="debrief"),
    path("debrief.csv", views.debrief_csv, name="debrief_csv"),
    path("debrief/print/", views.debrief_print, name="debrief_print"),
]
