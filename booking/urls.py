from django.urls import path
from django.utils.translation import pgettext_lazy

from . import views

app_name = "booking"

# Each address is translated: /book/details/ is /es/reservar/datos/ in Spanish.
urlpatterns = [
    path(pgettext_lazy("URL", "book/"), views.choose_time, name="start"),
    path(pgettext_lazy("URL", "book/details/"), views.form_step, {"step": "details"}, name="details"),
    path(pgettext_lazy("URL", "book/reason/"), views.form_step, {"step": "reason"}, name="reason"),
    path(pgettext_lazy("URL", "book/check/"), views.check_answers, name="check"),
    path(pgettext_lazy("URL", "book/confirmation/"), views.confirmation, name="confirmation"),
    path(pgettext_lazy("URL", "book/manage/<str:token>/"), views.manage, name="manage"),
    path(pgettext_lazy("URL", "book/manage/<str:token>/cancel/"), views.cancel, name="cancel"),
    path(pgettext_lazy("URL", "book/manage/<str:token>/assessment.ics"), views.calendar_file, name="calendar"),
]
