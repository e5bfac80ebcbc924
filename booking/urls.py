from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy

from .views import flow, manage, waitlist

app_name = "booking"

MANAGE = pgettext_lazy("URL", "book/manage/<str:token>/")


def under_manage(tail):
    """A page under the private link: its address is the manage page's and `tail`, so an email can add it to one."""
    return format_lazy("{}{}", MANAGE, tail)


# Each address is translated: /book/details/ is /es/reservar/datos/ in Spanish.
urlpatterns = [
    path(pgettext_lazy("URL", "book/"), flow.choose_time, name="start"),
    path(pgettext_lazy("URL", "book/details/"), flow.form_step, {"step": "details"}, name="details"),
    path(pgettext_lazy("URL", "book/reason/"), flow.form_step, {"step": "reason"}, name="reason"),
    path(pgettext_lazy("URL", "book/check/"), flow.check_answers, name="check"),
    path(pgettext_lazy("URL", "book/confirmation/"), flow.confirmation, name="confirmation"),
    path(pgettext_lazy("URL", "book/manage/<str:token>/"), manage.manage, name="manage"),
    path(pgettext_lazy("URL", "book/manage/<str:token>/cancel/"), manage.cancel, name="cancel"),
    path(pgettext_lazy("URL", "book/manage/<str:token>/assessment.ics"), manage.calendar_file, name="calendar"),
    path(under_manage(pgettext_lazy("URL", "move/")), manage.move, name="move"),
    path(under_manage(pgettext_lazy("URL", "move/check/")), manage.move_check, name="move_check"),
    path(under_manage(pgettext_lazy("URL", "reply/")), manage.reply, name="reply"),
    path(pgettext_lazy("URL", "book/waitlist/"), waitlist.join, name="waitlist_join"),
    path(pgettext_lazy("URL", "book/waitlist/joined/"), waitlist.joined, name="waitlist_joined"),
    path(pgettext_lazy("URL", "book/waitlist/<str:token>/"), waitlist.entry_page, name="waitlist_entry"),
    path(pgettext_lazy("URL", "book/waitlist/<str:token>/leave/"), waitlist.leave, name="waitlist_leave"),
    path(pgettext_lazy("URL", "book/waitlist/<str:token>/<str:when>/"), waitlist.offer, name="waitlist_offer"),
]
