from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("book/", views.choose_time, name="start"),
    path("book/details/", views.your_details, name="details"),
    path("book/reason/", views.reason, name="reason"),
    path("book/check/", views.check_answers, name="check"),
    path("book/confirmation/", views.confirmation, name="confirmation"),
    path("book/manage/<str:token>/", views.manage, name="manage"),
    path("book/manage/<str:token>/cancel/", views.cancel, name="cancel"),
    path("book/manage/<str:token>/assessment.ics", views.calendar_file, name="calendar"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("privacy/v<int:version>/", views.privacy_notice_version, name="privacy_version"),
    path("privacy/request/", views.data_request, name="data_request"),
    path("privacy/request/received/", views.data_request_received, name="data_request_received"),
]
