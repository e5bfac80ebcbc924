"""gunicorn's settings. gunicorn reads this file from the folder it is started in (README, Production)."""

# An access log on standard output, for the service manager's journal, with
# private booking links written as [private].
accesslog = "-"
logger_class = "clinic_site.log_redaction.GunicornLogger"
