from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("book/", views.start, name="start"),
]
