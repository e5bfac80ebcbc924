from django.urls import path
from django.utils.translation import pgettext_lazy

from . import views

app_name = "privacy"

urlpatterns = [
    path(pgettext_lazy("URL", "privacy/"), views.privacy_notice, name="notice"),
    path(pgettext_lazy("URL", "privacy/v<int:version>/"), views.privacy_notice_version, name="notice_version"),
    path(pgettext_lazy("URL", "privacy/request/"), views.data_request, name="data_request"),
    path(pgettext_lazy("URL", "privacy/request/received/"), views.data_request_received, name="data_request_received"),
]
