"""The Spanish catalogue: complete, well-formed, and compiled.

A fresh machine has no GNU gettext, so the compiled .mo is committed beside the
.po. These tests read both with the standard library only: the .po with the
small parser below, the .mo with `gettext.GNUTranslations`. A .po edited
without running `make messages` (or `compilemessages`) fails here.
"""

import gettext
import re
import struct
from datetime import datetime
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES"
PO_FILE = LOCALE / "django.po"
MO_FILE = LOCALE / "django.mo"

# A printf-style placeholder as Python's % operator reads it: %(name)s, %s, %d, %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", '"': '"', "\\": "\\"}


# The .po parser.


class PoEntry:
    def __init__(self):
        self.comments = []  # every comment line but the flags, as written
        self.flags = set()
        self.msgctxt = None
        self.msgid = ""
        self.msgid_plural = None
        self.msgstr = ""
        self.msgstr_plural = {}  # index -> text
        self.line = 0

    @property
    def is_header(self):
        return self.msgid == "" and self.msgctxt is None

    @property
    def translations(self):
        """Every msgstr, singular or plural, in order."""
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural[index] for index in sorted(self.msgstr_plural)]

    def __repr__(self):
        context = f"{self.msgctxt!r} " if self.msgctxt is not None else ""
        return f"<line {self.line}: {context}{self.msgid!r}>"


def unquote(text, filename, number):
    """The value of one quoted .po string, escapes undone."""
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{filename}:{number}: expected a quoted string, got {text!r}")
    body = text[1:-1]

    def undo(match):
        escape = match.group(1)
        if escape in ESCAPES:
            return ESCAPES[escape]
        if escape[0] in "01234567":
            return chr(int(escape, 8))
        raise ValueError(f"{filename}:{number}: unknown escape \\{escape}")

    if re.search(r'(?<!\\)(?:\\\\)*"', body):
        raise ValueError(f"{filename}:{number}: unescaped quote in {text!r}")
    return re.sub(r"\\([0-7]{1,3}|.)", undo, body)


def parse_po(path):
    """The entries of a .po file, header first; obsolete (#~) entries are skipped."""
    entries = []
    entry = PoEntry()
    field = None  # (name, index) the last keyword set; continuation lines append to it
    started = False  # the entry has a msgid or msgctxt

    def finish():
        nonlocal entry, field, started
        if started:
            entries.append(entry)
        entry, field, started = PoEntry(), None, False

    def store(name, index, value, append):
        if name == "msgstr_plural":
            entry.msgstr_plural[index] = (entry.msgstr_plural.get(index, "") if append else "") + value
        else:
            setattr(entry, name, ((getattr(entry, name) or "") if append else "") + value)

    lines = path.read_text(encoding="utf-8").splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if started and field and field[0].startswith("msgstr"):
                finish()  # a comment after a msgstr starts the next entry
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            else:
                entry.comments.append(raw)
            continue
        if line.startswith('"'):
            if field is None:
                raise ValueError(f"{path}:{number}: a string outside any field")
            store(*field, unquote(line, path, number), append=True)
            continue
        keyword, _, rest = line.partition(" ")
        plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword in ("msgctxt", "msgid") and started and field and field[0].startswith("msgstr"):
            finish()
        if plural:
            field = ("msgstr_plural", int(plural.group(1)))
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            field = (keyword, None)
        else:
            raise ValueError(f"{path}:{number}: unknown keyword {keyword!r}")
        if keyword in ("msgctxt", "msgid") and not started:
            started, entry.line = True, number
        store(*field, unquote(rest, path, number), append=False)
    finish()
    return entries


def placeholders(text):
    return {match for match in PLACEHOLDER.findall(text) if match != "%%"}


@pytest.fixture(scope="module")
def po_entries():
    return parse_po(PO_FILE)


@pytest.fixture(scope="module")
def messages(po_entries):
    return [entry for entry in po_entries if not entry.is_header]


# (a) The .po: complete and well-formed.


def test_the_catalogue_has_a_spanish_header(po_entries):
    header = po_entries[0]
    assert header.is_header
    assert "fuzzy" not in header.flags
    assert "Language: es\n" in header.msgstr
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr
    assert "charset=UTF-8" in header.msgstr


SAMPLE_PO = r"""# A translator's comment
msgid ""
msgstr ""
"Language: es\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#. Translators: an extracted comment
#, fuzzy, python-format
#| msgid "Old %(name)s"
msgid "Hello %(name)s"
msgstr "Hola, %(name)s"

msgctxt "URL"
msgid "book/"
msgstr "reservar/"

#, python-format
msgid ""
"%(count)s line one, "
"line two"
msgid_plural "%(count)s lines"
msgstr[0] "%(count)s línea"
msgstr[1] ""
"%(count)s "
"líneas"

msgid "Say \"hi\"\tnow\nor \\d\\e later"
msgstr ""

#~ msgid "Gone"
#~ msgstr "Ido"
"""


def test_the_parser_reads_contexts_plurals_flags_and_escapes(tmp_path):
    path = tmp_path / "sample.po"
    path.write_text(SAMPLE_PO, encoding="utf-8")
    header, hello, url, lines, escaped = parse_po(path)
    assert header.is_header and "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr
    assert hello.flags == {"fuzzy", "python-format"} and hello.msgstr == "Hola, %(name)s"
    assert "#. Translators: an extracted comment" in hello.comments
    assert (url.msgctxt, url.msgid, url.msgstr) == ("URL", "book/", "reservar/")
    assert lines.msgid == "%(count)s line one, line two" and lines.msgid_plural == "%(count)s lines"
    assert lines.msgstr_plural == {0: "%(count)s línea", 1: "%(count)s líneas"}
    assert lines.translations == ["%(count)s línea", "%(count)s líneas"]
    assert escaped.msgid == 'Say "hi"\tnow\nor \\d\\e later' and escaped.msgstr == ""


def test_the_project_catalogue_parses(messages):
    assert len(messages) > 500
    assert any(entry.msgctxt == "URL" and entry.msgid == "book/" for entry in messages)
    assert any(entry.msgid_plural and len(entry.msgstr_plural) == 2 for entry in messages)


def test_no_entry_is_fuzzy(messages):
    assert [entry for entry in messages if "fuzzy" in entry.flags] == []


def test_every_entry_is_translated(messages):
    empty = [entry for entry in messages if not all(text.strip() for text in entry.translations)]
    assert empty == []


def test_plural_entries_have_both_spanish_forms(messages):
    for entry in messages:
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr_plural) == [0, 1], entry


def test_placeholders_are_kept(messages):
    wrong = []
    for entry in messages:
        if "python-format" not in entry.flags:
            continue
        allowed = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        if entry.msgid_plural is None:
            expected = [(entry.msgstr, placeholders(entry.msgid))]
        else:
            # Spanish plural forms: [0] for one, [1] for the rest.
            expected = [(entry.msgstr_plural[0], placeholders(entry.msgid)),
                        (entry.msgstr_plural[1], placeholders(entry.msgid_plural))]
        for text, needed in expected:
            found = placeholders(text)
            if not needed <= found or not found <= allowed:
                wrong.append((entry, text))
    assert wrong == []


HTML_TAG = re.compile(r"</?(?:a|abbr|b|br|code|em|i|kbd|p|small|span|strong)(?:\s[^>]*)?/?>")


def test_html_tags_are_kept(messages):
    for entry in messages:
        for text in entry.translations:
            assert sorted(HTML_TAG.findall(text)) == sorted(HTML_TAG.findall(entry.msgid)), entry


def test_url_patterns_are_spanish_ascii_paths_with_the_same_parameters(messages):
    urls = [entry for entry in messages if entry.msgctxt == "URL"]
    assert urls
    for entry in urls:
        assert entry.msgstr.isascii() and " " not in entry.msgstr, entry
        assert re.findall(r"<[^>]+>", entry.msgstr) == re.findall(r"<[^>]+>", entry.msgid), entry
        assert entry.msgstr.endswith("/") == entry.msgid.endswith("/"), entry
        assert not entry.msgstr.startswith("/"), entry
    assert len({entry.msgstr for entry in urls}) == len(urls)


DATE_FORMAT_CONTEXTS = ("date format", "booking day and time")


def test_date_formats_render_in_spanish(messages):
    """Date filter formats: Spanish word order, literals escaped, Django's lower-case day and month names."""
    from django.utils import dateformat, translation

    moment = datetime(2026, 3, 3, 10, 0)  # a Tuesday
    formats = [entry for entry in messages if entry.msgctxt in DATE_FORMAT_CONTEXTS]
    assert formats
    with translation.override("es"):
        for entry in formats:
            rendered = dateformat.format(moment, entry.msgstr)
            assert "\\" not in rendered, (entry, rendered)
            if "F" in entry.msgid:
                assert "3 de marzo" in rendered, (entry, rendered)
            if "Y" in entry.msgid:
                assert "marzo de 2026" in rendered, (entry, rendered)
            if entry.msgid.startswith("l, "):
                assert rendered.startswith("martes 3"), (entry, rendered)
            if "g:i" in entry.msgid:
                assert "10:00" in rendered, (entry, rendered)
        full = [entry for entry in formats if entry.msgid == "l, F j, Y, g:i a"]
        assert full
        for entry in full:
            assert dateformat.format(moment, entry.msgstr) == "martes 3 de marzo de 2026, 10:00 h"


# (b) The .mo: compiled from this .po.


class Missing(gettext.NullTranslations):
    """A fallback that marks a message the .mo does not have."""

    MARK = "\x00missing from the .mo\x00"

    def gettext(self, message):
        return self.MARK

    def ngettext(self, msgid1, msgid2, n):
        return self.MARK

    def pgettext(self, context, message):
        return self.MARK

    def npgettext(self, context, msgid1, msgid2, n):
        return self.MARK


@pytest.fixture(scope="module")
def mo():
    with MO_FILE.open("rb") as file:
        translations = gettext.GNUTranslations(file)
    translations.add_fallback(Missing())
    return translations


def test_the_mo_has_every_translation_of_the_po(messages, mo):
    stale = []
    for entry in messages:
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                got = mo.gettext(entry.msgid)
            else:
                got = mo.pgettext(entry.msgctxt, entry.msgid)  # the .mo key is ctxt + "\x04" + msgid
            if got != entry.msgstr:
                stale.append((entry, got))
        else:
            for n, index in ((1, 0), (2, 1)):
                if entry.msgctxt is None:
                    got = mo.ngettext(entry.msgid, entry.msgid_plural, n)
                else:
                    got = mo.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if got != entry.msgstr_plural[index]:
                    stale.append((entry, n, got))
    assert stale == [], "The .mo is older than the .po: run `make messages`."


def test_the_mo_has_nothing_the_po_does_not(messages):
    # A .mo starts: magic, revision, number of strings (the header counts as one).
    data = MO_FILE.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    count = struct.unpack(order + "I", data[8:12])[0]
    assert count == len(messages) + 1, "The .mo and the .po differ: run `make messages`."


def test_the_mo_reads_its_plural_rule_from_the_header(mo):
    assert mo.plural(1) == 0 and mo.plural(0) == 1 and mo.plural(2) == 1


# (c) The site speaks Spanish under /es/.


def test_the_spanish_home_page_is_translated(client, clinic_content):
    response = client.get("/es/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Saltar al contenido principal" in content
    assert "Skip to main content" not in content
