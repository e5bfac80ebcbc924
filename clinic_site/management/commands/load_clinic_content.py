"""Loads the clinic's starting content into an empty database, then its Spanish.

Each app's seed loads its own rows, and only while their table is empty, so a
rerun duplicates nothing and overwrites nothing staff have edited; it then
fills each Spanish field only while it is empty and the English beside it is
still the copy's (clinic.seeding).
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

import booking.seed
import clinic.seed
import conditions.seed
import faq.seed
import privacy.seed
from clinic.seeding import Loader
from clinic_site import page_cache
from conditions.seed import check_translation, read_extras, read_seed


class Command(BaseCommand):
    help = "Load the clinic's starting content into an empty database. Never overwrites existing content."

    def handle(self, *args, **options):
        copy = read_seed()
        # A translation that does not match the English stops the command; the
        # transaction below keeps anything from being written when it does.
        spanish, extras = read_seed(language="es"), read_extras("es")
        check_translation(copy, spanish, extras)
        loader = Loader(self.stdout, self.style)
        # The English pass writes through the plain field names, which
        # modeltranslation sends to the active language's fields: English here.
        with translation.override("en"), transaction.atomic():
            clinic.seed.load(loader)
            content = conditions.seed.load(loader, copy)
            faq.seed.load(
                loader, copy.questions,
                service_page=content.service_page, conditions=content.conditions, pages=content.pages,
            )
            booking.seed.load(loader)
            privacy.seed.load(loader)

            clinic.seed.load_spanish(loader, extras.clinic_description)
            conditions.seed.load_spanish(loader, copy, spanish, extras)
            faq.seed.load_spanish(loader, copy.questions, spanish.questions, extras.question_groups)
            privacy.seed.load_spanish(loader)
        # The loaders write in bulk, which no signal reports: pages cached before are forgotten here.
        page_cache.forget_every_page()
