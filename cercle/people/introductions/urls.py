from django.urls import path

from cercle.people.introductions import views

urlpatterns = [
    path("introductions/", views.introduction_list, name="introductions"),
    path("introductions/answer/<str:token>/", views.introduction_link, name="introduction_link"),
    path("<int:pk>/introduce/", views.introduce, name="introduce"),
    path("<int:pk>/favours/", views.favour_add, name="favour_add"),
    path("favours/<int:pk>/thank/", views.favour_thank, name="favour_thank"),
]
