"""Chains per subdistrict: every event so far becomes the closed `legacy` chain, numbered in id order, whose
last hash is where every new chain begins (core.events)."""

from django.db import migrations, models

GENESIS = "0" * 64


def legacy_chain(apps, schema_editor):
    Event, Chain = apps.get_model("core", "Event"), apps.get_model("core", "Chain")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("UPDATE core_event SET seq = numbered.n FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n "
                       "FROM core_event) AS numbered WHERE core_event.id = numbered.id")
    last = Event.objects.order_by("-id").values_list("seq", "hash").first() or (0, GENESIS)
    Chain.objects.create(name="legacy", origin=GENESIS, length=last[0], head=last[1])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_outbox_sms"),
    ]

    operations = [
        migrations.CreateModel(
            name="Chain",
            fields=[
                ("name", models.CharField(max_length=12, primary_key=True, serialize=False)),
                ("origin", models.CharField(max_length=64)),
                ("length", models.PositiveBigIntegerField(default=0)),
                ("head", models.CharField(max_length=64)),
            ],
            options={"ordering": ["name"]},
        ),
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField()),
                ("chains", models.JSONField()),
                ("root", models.CharField(max_length=64)),
                ("public_key", models.CharField(max_length=64)),
                ("signature", models.CharField(max_length=128)),
            ],
            options={"ordering": ["-id"]},
        ),
        migrations.AddField(model_name="event", name="chain",
                            field=models.CharField(default="legacy", max_length=12), preserve_default=False),
        migrations.AddField(model_name="event", name="salt", field=models.CharField(blank=True, max_length=32)),
        migrations.AddField(model_name="event", name="seq",
                            field=models.PositiveBigIntegerField(default=0), preserve_default=False),
        migrations.RunPython(legacy_chain, migrations.RunPython.noop),
        migrations.AddConstraint(model_name="event",
                                 constraint=models.UniqueConstraint(fields=("chain", "seq"), name="event_chain_seq")),
    ]
