"""A request id on every log line, so one request's lines (gunicorn's, the site's, the email to the operator) are found together.

The proxy's X-Request-ID is kept when it is a sane value (nginx's $request_id,
a load balancer's); otherwise the site makes one. It goes back out in the
X-Request-ID response header, where gunicorn's access log reads it. Lines
written outside a request carry "-", or in `manage.py db_worker` the id of
the task being run.
"""

import secrets
from contextvars import ContextVar
from logging import Filter

from django.core.signals import request_finished
from django.dispatch import receiver
from django_tasks.signals import task_finished, task_started

from .log_redaction import REQUEST_ID, typed_values

current_request_id = ContextVar("current_request_id", default=None)


def new_request_id():
    # Short of the 32 characters at which log lines read a string as a private link.
    return secrets.token_hex(8)


def request_id_for(header_value):
    """The proxy's id if it is one we can write into a log line as it is, else a new one."""
    if header_value and REQUEST_ID.fullmatch(header_value):
        return header_value
    return new_request_id()


def values_typed_in(request):
    """A callable giving the form's and the query's values, once the view has read them (never parsed for a log line)."""

    def values():
        found = []
        for data in (request.__dict__.get("_post"), request.__dict__.get("GET")):
            for name in data or ():
                if name != "csrfmiddlewaretoken":
                    found += [value.strip() for value in data.getlist(name) if len(value.strip()) >= 3]
        return found

    return values


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every line a request causes carries its id.

    The id stays set until the response is finished: Django logs a 4xx
    answer ("Conflict: /path") after the last middleware has returned.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request.headers.get("X-Request-ID"))
        current_request_id.set(request.request_id)
        typed_values.set(values_typed_in(request))
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


@receiver(request_finished, dispatch_uid="clinic_site.request_id.request_finished")
def _forget_the_request(sender, **kwargs):
    current_request_id.set(None)
    typed_values.set(None)


class RequestIdFilter(Filter):
    """Puts the current request's id (or "-") on the record as `request_id`, unless it has one."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get() or "-"
        return True


# Connected here, not in an AppConfig, because this module is loaded by the
# logging settings in every process, the email worker's included. A task run
# inside a request (an immediate backend) gives the request its id back after.
_before_task = {}


@receiver(task_started, dispatch_uid="clinic_site.request_id.task_started")
def _use_the_task_id(sender, task_result, **kwargs):
    _before_task[task_result.id] = current_request_id.set(str(task_result.id))


@receiver(task_finished, dispatch_uid="clinic_site.request_id.task_finished")
def _forget_the_task_id(sender, task_result, **kwargs):
    token = _before_task.pop(task_result.id, None)
    try:
        current_request_id.reset(token)
    except (TypeError, ValueError):  # no token, or one from another thread's context
        current_request_id.set(None)
