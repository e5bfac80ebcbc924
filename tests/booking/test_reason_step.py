"""Step 3 asks where it hurts or why they come, in the patient's words; staff still see the likely condition."""

import re

import pytest

from booking.models import Booking
from conditions.models import Condition
from tests.booking.walk import DETAILS, book, choose_first_time, url
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

CHOICES = {
    "en": ["Knee", "Shin", "Achilles or calf", "Heel or foot", "Hip or hamstring", "After surgery", "For my sport",
           "Not sure"],
    "es": ["Rodilla", "Espinilla", "Aquiles o pantorrilla", "Talón o pie", "Cadera o parte de atrás del muslo",
           "Después de una cirugía", "Por mi deporte", "No sé"],
}
QUESTION = {"en": "Where does it hurt, or why are you coming?", "es": "¿Dónde te duele o por qué vienes?"}
ERROR = {"en": "Choose where it hurts or why you are coming, or “Not sure”",
         "es": "Elige dónde te duele o por qué vienes, o “No sé”"}
PROBLEM = {"en": "There is a problem", "es": "Hay un problema"}


@pytest.fixture(autouse=True)
def no_minimum_time(settings):
    settings.BOOKING_MINIMUM_SECONDS = 0


def at_the_reason_step(client, language):
    choose_first_time(client, language)
    client.post(url("details", language), DETAILS)
    return client.get(url("reason", language))


def radio_labels(response):
    return re.findall(r'<input type="radio" name="reason"[^>]*>\s*<label for="[^"]+">([^<]+)</label>',
                      response.content.decode())


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_step_offers_the_patients_words_and_no_clinical_names(client, booking_rules, clinic_content, language):
    response = at_the_reason_step(client, language)

    assert response.status_code == 200
    assert QUESTION[language] in page_text(response)
    assert radio_labels(response) == CHOICES[language]  # "Not sure" last, after the "or"
    text = page_text(response)
    for condition in Condition.objects.published():
        assert condition.name not in text
    for clinical in ("tendinopathy", "tendinopatía", "fasciitis", "fascitis", "syndrome", "síndrome"):
        assert clinical not in text.lower()


@pytest.mark.parametrize("reason, condition_slug", [
    ("achilles_calf", "achilles-tendinopathy"),  # one condition has this answer: staff see it as likely
    ("heel_foot", "plantar-heel-pain"),
    ("knee", None),  # three conditions fit a knee: staff see the patient's words and decide
    ("sport", None),
    ("not_sure", None),
])
def test_the_answer_is_stored_with_the_likely_condition_when_only_one_fits(
        client, booking_rules, clinic_content, reason, condition_slug):
    response = book(client, reason=reason)
    assert response.status_code == 302, page_text(response)

    booking = Booking.objects.get()
    assert booking.reason == reason
    assert booking.condition == (Condition.objects.get(slug=condition_slug) if condition_slug else None)


@pytest.mark.parametrize("language", ["en", "es"])
def test_not_sure_is_an_answer_the_check_page_repeats(client, booking_rules, clinic_content, language):
    at_the_reason_step(client, language)
    response = client.post(url("reason", language), {"reason": "not_sure", "note": ""})
    assert response["Location"] == url("check", language)
    assert CHOICES[language][-1] in page_text(client.get(url("check", language)))


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("posted", [{}, {"reason": "runners-knee"}, {"reason": "17"}])
def test_no_answer_or_a_made_up_one_is_explained_the_govuk_way(client, booking_rules, clinic_content, language, posted):
    at_the_reason_step(client, language)

    response = client.post(url("reason", language), {"note": "It started in March.", **posted})

    assert response.status_code == 400
    content = response.content.decode()
    assert "<title>Error: " in content
    # The summary names the problem and links to the first radio; the question says it again, tied to the group.
    assert PROBLEM[language] in page_text(response)
    assert f'<a href="#id_reason_0">{ERROR[language]}</a>' in content
    assert 'aria-describedby="id_reason-error"' in content and f"{ERROR[language]}</p>" in content
    assert "It started in March." in content  # the note typed is kept
    assert "checked" not in "".join(re.findall(r'<input type="radio"[^>]*>', content))
    assert "reason" not in client.session["booking_draft"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_answer_is_kept_when_going_back(client, booking_rules, clinic_content, language):
    at_the_reason_step(client, language)
    client.post(url("reason", language), {"reason": "hip_hamstring", "note": "Since the Rosarito 10k."})

    # Back from the check page to the reason step, and back again to the details.
    client.get(url("details", language))
    response = client.get(url("reason", language))

    checked = re.findall(r'<input type="radio"[^>]*checked[^>]*>', response.content.decode())
    assert len(checked) == 1 and 'value="hip_hamstring"' in checked[0]
    assert "Since the Rosarito 10k." in response.content.decode()
