from django.urls import path
from django.utils.translation import pgettext_lazy

from . import views

app_name = "team"

urlpatterns = [
    path(pgettext_lazy("URL", "team/"), views.team_index, name="index"),
]
