# Practitioners move from the booking app to their own, keeping their table and
# rows: this records the model in the new app's state and touches no table.

from django.db import migrations, models

import team.models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("booking", "0003_closures_for_one_practitioner_and_cancellations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Practitioner",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                        ("takes_assessments", models.BooleanField(default=True, help_text="Untick to stop new online bookings with this person.", verbose_name="takes first assessments")),
                        ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                    ],
                    options={
                        "verbose_name": "practitioner",
                        "verbose_name_plural": "practitioners",
                        "ordering": ["position", "pk"],
                        "db_table": "booking_practitioner",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
