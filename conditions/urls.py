from django.urls import path
from django.utils.translation import pgettext_lazy

from . import views

app_name = "conditions"

# Included last in clinic_site/urls.py: a page the clinic writes lives at
# /<slug>/, so every other app's routes must match first.
urlpatterns = [
    path("", views.home, name="home"),
    path(pgettext_lazy("URL", "conditions/<slug:slug>/"), views.condition_detail, name="condition"),
    path("<slug:slug>/", views.page_detail, name="page"),
]
