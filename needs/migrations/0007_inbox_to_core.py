"""The needs loop's inbox lines and waiting messages move to core (core.InboxLine, core.OutboxMessage: one inbox
and one outbox for every app); the two tables go. A message for the contact a reporter without an account left
carries that contact's name and phone (core's outbox knows no needs)."""

from django.db import migrations

BATCH = 2000


def forward(apps, schema_editor):
    Notification = apps.get_model("needs", "Notification")
    Outbox = apps.get_model("needs", "OutboxMessage")
    InboxLine = apps.get_model("core", "InboxLine")
    CoreOutbox = apps.get_model("core", "OutboxMessage")
    lines = []
    for row in Notification.objects.order_by("pk").iterator(chunk_size=BATCH):
        lines.append(InboxLine(user_id=row.user_id, text=row.text, link=f"/needs/{row.need_id}/",
                               subject=f"needs.need:{row.need_id}", verb=row.verb, at=row.at, read_at=row.read_at))
        if len(lines) >= BATCH:
            InboxLine.objects.bulk_create(lines)
            lines = []
    InboxLine.objects.bulk_create(lines)
    CoreOutbox.objects.bulk_create([
        CoreOutbox(user_id=m.user_id, contact_name="" if m.user_id else m.need.contact_name,
                   contact_phone="" if m.user_id else m.need.contact_phone, subject=f"needs.need:{m.need_id}",
                   text=m.text, created_at=m.created_at, claimed_at=m.claimed_at)
        for m in Outbox.objects.select_related("need").order_by("pk")])


def backward(apps, schema_editor):
    Notification = apps.get_model("needs", "Notification")
    Outbox = apps.get_model("needs", "OutboxMessage")
    InboxLine = apps.get_model("core", "InboxLine")
    CoreOutbox = apps.get_model("core", "OutboxMessage")
    Need = apps.get_model("needs", "Need")
    prefix = "needs.need:"
    known = set(Need.objects.values_list("pk", flat=True))
    Notification.objects.bulk_create([
        Notification(user_id=line.user_id, need_id=int(line.subject[len(prefix):]), verb=line.verb, text=line.text,
                     at=line.at, read_at=line.read_at)
        for line in InboxLine.objects.filter(subject__startswith=prefix).order_by("pk").iterator(chunk_size=BATCH)
        if int(line.subject[len(prefix):]) in known], batch_size=BATCH)
    Outbox.objects.bulk_create([
        Outbox(user_id=m.user_id, need_id=int(m.subject[len(prefix):]), text=m.text, created_at=m.created_at,
               claimed_at=m.claimed_at)
        for m in CoreOutbox.objects.filter(subject__startswith=prefix).order_by("pk")
        if int(m.subject[len(prefix):]) in known])
    InboxLine.objects.filter(subject__startswith=prefix).delete()
    CoreOutbox.objects.filter(subject__startswith=prefix).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('needs', '0006_outbox'),
        ('core', '0002_inbox_and_outbox'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.RemoveField(
            model_name='outboxmessage',
            name='need',
        ),
        migrations.RemoveField(
            model_name='outboxmessage',
            name='user',
        ),
        migrations.DeleteModel(
            name='Notification',
        ),
        migrations.DeleteModel(
            name='OutboxMessage',
        ),
    ]
