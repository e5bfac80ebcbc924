"""The admin's own sentences around a model's name read right in Spanish, whatever the model's gender.

Django's Spanish says "El cita … se cambió", "El solicitud de datos", "fué".
clinic.admin_translation names those sentences so that our catalogue carries
them; SPANISH below is the wording proposed for locale/es. The tests build a
catalogue of just these entries in front of the project's, as LOCALE_PATHS
ranks them, and read the admin's messages in Spanish.
"""

import re
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import override_settings
from django.utils import translation

from booking.models import Closure
from clinic.admin_translation import DJANGO_ADMIN_SENTENCES
from faq.models import Question, QuestionGroup
from team.models import Practitioner
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

PLURAL = "\x00"

SPANISH = {
    "The {name} “{obj}” was added successfully.": "Se agregó correctamente: {name} “{obj}”.",
    "You may edit it again below.": "Puede seguir editando a continuación.",
    "The {name} “{obj}” was added successfully. You may add another {name} below.":
        "Se agregó correctamente: {name} “{obj}”. Puede agregar más a continuación.",
    "The {name} “{obj}” was changed successfully.": "Se guardaron los cambios: {name} “{obj}”.",
    "The {name} “{obj}” was changed successfully. You may edit it again below.":
        "Se guardaron los cambios: {name} “{obj}”. Puede seguir editando a continuación.",
    "The {name} “{obj}” was changed successfully. You may add another {name} below.":
        "Se guardaron los cambios: {name} “{obj}”. Puede agregar más a continuación.",
    "The %(name)s “%(obj)s” was deleted successfully.": "Se eliminó correctamente: %(name)s “%(obj)s”.",
    "Successfully deleted %(count)d %(items)s.": "Registros eliminados: %(count)d (%(items)s).",
    "%(count)s %(name)s was changed successfully." + PLURAL + "%(count)s %(name)s were changed successfully.":
        "Se guardaron los cambios de %(count)s %(name)s." + PLURAL + "Se guardaron los cambios de %(count)s %(name)s.",
    'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? '
    "All of the following related items will be deleted:":
        '¿Seguro que quiere eliminar este registro (%(object_name)s "%(escaped_object)s")? '
        "También se eliminarán todos estos elementos relacionados:",
    "Are you sure you want to delete the selected %(objects_name)s? "
    "All of the following objects and their related items will be deleted:":
        "¿Seguro que quiere eliminar los registros seleccionados (%(objects_name)s)? "
        "Se eliminarán estos registros y todos sus elementos relacionados:",
}

GENDERED = ("El cita", "El pregunta", "El solicitud", "El fisioterapeuta", "fué", "El%(", "Eliminado/s")


def write_mo(path, entries):
    """A GNU .mo holding `entries` ({msgid: msgstr}, plurals joined by NUL), as msgfmt writes it."""
    header = "Content-Type: text/plain; charset=UTF-8\nLanguage: es\nPlural-Forms: nplurals=2; plural=(n != 1);\n"
    entries = {"": header, **entries}
    keys = sorted(entries)
    originals = [key.encode() for key in keys]
    translations = [entries[key].encode() for key in keys]
    count = len(keys)
    start = 7 * 4 + count * 16
    table, blob = [], b""
    for text in originals + translations:
        table.append((len(text), start + len(blob)))
        blob += text + b"\x00"
    data = struct.pack("<7I", 0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0)
    data += b"".join(struct.pack("<2I", length, offset) for length, offset in table) + blob
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture
def proposed_spanish(tmp_path):
    write_mo(tmp_path / "es" / "LC_MESSAGES" / "django.mo", SPANISH)
    with override_settings(LOCALE_PATHS=[tmp_path, *settings.LOCALE_PATHS]):
        yield


@pytest.fixture
def spanish_admin(admin_client, proposed_spanish, booking_rules):
    admin_client.cookies["django_language"] = "es"
    return admin_client


def said(response):
    """The messages shown, as read: the admin links the item's name."""
    return [re.sub(r"<[^>]+>", "", str(message)) for message in get_messages(response.wsgi_request)]


def test_every_sentence_named_for_the_catalogue_has_its_proposed_spanish():
    singular = [sentence for sentence in DJANGO_ADMIN_SENTENCES if isinstance(sentence, str)]
    [plural] = [sentence for sentence in DJANGO_ADMIN_SENTENCES if not isinstance(sentence, str)]
    with translation.override("en"):
        assert plural % {"count": 2, "name": "closures"} == "2 closures were changed successfully."
    assert sorted(singular) == sorted(msgid for msgid in SPANISH if PLURAL not in msgid)
    assert not any(word in text for text in SPANISH.values() for word in GENDERED)


def test_adding_and_changing_a_closure_say_so_without_a_gendered_article(spanish_admin):
    response = spanish_admin.post(
        "/admin/booking/closure/add/", {"first_day": "2027-03-01", "last_day": "2027-03-01", "reason": "Curso"}
    )
    closure = Closure.objects.get()
    assert said(response) == [f"Se agregó correctamente: cierre “{closure}”."]

    response = spanish_admin.post(
        f"/admin/booking/closure/{closure.pk}/change/",
        {"first_day": "2027-03-01", "last_day": "2027-03-02", "reason": "Curso", "_continue": "1"},
    )
    closure.refresh_from_db()
    assert said(response)[-1] == f"Se guardaron los cambios: cierre “{closure}”. Puede seguir editando a continuación."


def test_deleting_a_question_says_so_without_el_pregunta(spanish_admin):
    question = Question.objects.create(
        group=QuestionGroup.objects.create(name="Generales", slug="generales"), question="¿Duele?", slug="duele", answer="No."
    )
    page = page_text(spanish_admin.get(f"/admin/faq/question/{question.pk}/delete/"))
    assert "¿Seguro que quiere eliminar este registro (pregunta" in page

    response = spanish_admin.post(f"/admin/faq/question/{question.pk}/delete/", {"post": "yes"})

    assert said(response) == [f"Se eliminó correctamente: pregunta “{question}”."]


def test_changing_practitioners_in_the_list_has_no_fue(spanish_admin):
    practitioner = Practitioner.objects.get()
    response = spanish_admin.post(
        "/admin/team/practitioner/",
        {
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1",
            "form-0-id": practitioner.pk, "form-0-takes_assessments": "", "form-0-position": "3",
            "_save": "Guardar",
        },
    )

    assert said(response) == ["Se guardaron los cambios de 1 fisioterapeuta."]


def test_the_catalogue_names_no_sentence_django_does_not_use():
    sources = "".join(
        path.read_text(encoding="utf-8")
        for folder in ("contrib/admin",)
        for path in (Path(__import__("django").__file__).parent / folder).rglob("*")
        if path.suffix in {".py", ".html"}
    )
    for msgid in SPANISH:
        first_sentence = msgid.split(PLURAL)[0].split("?")[0].split(". You")[0]
        assert first_sentence.replace("%(object_name)s", "{{ object_name }}").replace(
            '"%(escaped_object)s"', '"{{ escaped_object }}"'
        ).replace("%(objects_name)s", "{{ objects_name }}") in sources, msgid
