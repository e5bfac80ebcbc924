# The booking app hands its Practitioner model to the team app: the foreign keys
# point at team.Practitioner, the same table, so no row is copied; the content
# type follows, so staff groups keep their permissions on practitioners.

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="booking", new="team"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label=new, model="practitioner").exists():
        return
    ContentType.objects.filter(app_label=old, model="practitioner").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="team", new="booking")


class Migration(migrations.Migration):

    dependencies = [
        ("booking", "0003_closures_for_one_practitioner_and_cancellations"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("team", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="booking",
                    name="practitioner",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="bookings", to="team.practitioner", verbose_name="practitioner"),
                ),
                migrations.AlterField(
                    model_name="closure",
                    name="practitioner",
                    field=models.ForeignKey(blank=True, help_text="Leave empty when the whole clinic is closed; choose someone for their leave.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name="closures", to="team.practitioner", verbose_name="practitioner"),
                ),
                migrations.AlterField(
                    model_name="historicalbooking",
                    name="practitioner",
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="team.practitioner", verbose_name="practitioner"),
                ),
                migrations.DeleteModel(name="Practitioner"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
