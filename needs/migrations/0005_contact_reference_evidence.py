"""A need's contact (name and phone of someone without an account), its tracking reference (查询码, unique)
and its evidence (佐证, until now only in the resolve event's data).

Needs already on record get a reference each, and their evidence back from their latest resolve event."""

from django.db import migrations, models

import needs.models
import people.models

BATCH = 5000


def backfill(apps, schema_editor):
    Need = apps.get_model("needs", "Need")
    Event = apps.get_model("core", "Event")
    taken = set()
    batch = []
    for need in Need.objects.only("pk").order_by("pk").iterator(chunk_size=BATCH):
        reference = needs.models.reference_new()
        while reference in taken:
            reference = needs.models.reference_new()
        taken.add(reference)
        need.reference = reference
        batch.append(need)
        if len(batch) == BATCH:
            Need.objects.bulk_update(batch, ["reference"])
            batch = []
    Need.objects.bulk_update(batch, ["reference"])
    # The latest resolve of each need wins (a reopened need was resolved again).
    evidence = {}
    for subject_id, data in (Event.objects.filter(verb="need.resolve", subject_type="needs.need").order_by("id")
                             .values_list("subject_id", "data").iterator(chunk_size=BATCH)):
        evidence[int(subject_id)] = (data or {}).get("evidence") or ""
    rows = [Need(pk=pk, evidence=text) for pk, text in evidence.items() if text]
    Need.objects.bulk_update(rows, ["evidence"], batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("needs", "0004_accepted_at_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="need",
            name="contact_name",
            field=models.CharField(blank=True, max_length=50, verbose_name="contact name"),
        ),
        migrations.AddField(
            model_name="need",
            name="contact_phone",
            field=models.CharField(blank=True, max_length=20, validators=[people.models.validate_phone],
                                   verbose_name="contact phone"),
        ),
        migrations.AddField(
            model_name="need",
            name="evidence",
            field=models.TextField(blank=True, help_text="What shows it was done when there is no photo (e.g. the "
                                                         "signed acceptance form).", verbose_name="evidence"),
        ),
        migrations.AddField(
            model_name="need",
            name="reference",
            field=models.CharField(max_length=8, null=True, editable=False, verbose_name="tracking reference"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="need",
            name="reference",
            field=models.CharField(default=needs.models.reference_new, editable=False, max_length=8, unique=True,
                                   verbose_name="tracking reference"),
        ),
    ]
