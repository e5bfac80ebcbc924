"""gunicorn's settings. gunicorn reads this file from the folder it is started in (README, Production).

Every value can be changed from the environment the service starts with, so
the same file serves a small server, a platform that sets PORT, and CI.
"""

import multiprocessing
import os


def _number(name, default):
    return int(os.environ.get(name, default))


# Behind the proxy on the same host by default; a platform that sets PORT gets it on every interface.
_platform_port = os.environ.get("PORT")
bind = os.environ.get("GUNICORN_BIND") or (f"0.0.0.0:{_platform_port}" if _platform_port else "127.0.0.1:8001")
# Django's pages are mostly database time: two workers a core and one more, as gunicorn's documentation advises.
workers = _number("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
# A request that takes longer is stuck, not slow: the database's own statement timeout is shorter.
timeout = _number("GUNICORN_TIMEOUT", 30)
# A worker told to stop finishes its request first, even one that waits on the mail
# server for an error report to the operator (EMAIL_TIMEOUT, 20 seconds by default).
graceful_timeout = _number("EMAIL_TIMEOUT", 20) + 15
# The proxy reuses its connections; slow clients are the proxy's to buffer, not ours.
keepalive = 5
# Workers are replaced after a while so a slow leak never grows into an outage.
max_requests = 20000
max_requests_jitter = 2000
# The heartbeat file in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Only the proxy may say which scheme the patient used (the same list the site trusts for X-Forwarded-For).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1")

# The access log on standard output and the error log on standard error, for
# the service manager's journal, in the site's own style (LOG_FORMAT, JSON
# unless DEBUG is on): one line a request with its request id, path without
# its query string, private booking links written as [private]. The logger
# class chooses the fields, so access_log_format is not read.
accesslog = "-"
errorlog = "-"
logger_class = "clinic_site.log_redaction.GunicornLogger"
