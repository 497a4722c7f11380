from django.urls import path

from cercle.people.privacy import views

urlpatterns = [
    path("<int:pk>/export/", views.export_person, name="export_person"),
    path("<int:pk>/erase/", views.erase_person, name="erase_person"),
]
