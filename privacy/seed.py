"""The privacy notice the site starts with, as version 1, and its Spanish (content/privacy-notice*.txt)."""

from pathlib import Path

from clinic.seeding import Row

from .models import PrivacyNotice

PRIVACY_NOTICE_PATH = Path(__file__).resolve().parent / "content" / "privacy-notice.txt"
SPANISH_PRIVACY_NOTICE_PATH = PRIVACY_NOTICE_PATH.with_name("privacy-notice.es.txt")


def load(loader):
    """Only while there is no notice at all; a table already filled is passed over in silence."""
    if not PrivacyNotice.objects.exists():
        title, body = read_privacy_notice(PRIVACY_NOTICE_PATH)
        PrivacyNotice.objects.create(version=1, title=title, body=body)
        loader.report(PrivacyNotice, 1)


def load_spanish(loader):
    """Version 1 only: a later version is the clinic's own text, not the one shipped here."""
    title, body = read_privacy_notice(PRIVACY_NOTICE_PATH)
    title_es, body_es = read_privacy_notice(SPANISH_PRIVACY_NOTICE_PATH)
    texts = {"title": (title, title_es), "body": (body, body_es)}
    loader.translate(PrivacyNotice, [Row(PrivacyNotice.objects.filter(version=1), texts, "version 1")])


def read_privacy_notice(path):
    """(title, body) of a privacy notice file: its first paragraph is the title."""
    title, _blank, body = path.read_text(encoding="utf-8").partition("\n\n")
    return title.strip(), body.strip()
