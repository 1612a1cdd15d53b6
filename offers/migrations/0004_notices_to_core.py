"""Booking notices move to core: each an inbox line (core.InboxLine, linking to its booking's page), and each one
whose message was not yet sent a message waiting in core's outbox (resent by core.tasks as any other)."""

from django.db import migrations

BATCH = 2000


def forward(apps, schema_editor):
    Notice = apps.get_model("offers", "Notice")
    InboxLine = apps.get_model("core", "InboxLine")
    Outbox = apps.get_model("core", "OutboxMessage")
    lines, waiting = [], []
    for row in Notice.objects.order_by("pk").iterator(chunk_size=BATCH):
        subject = f"offers.booking:{row.booking_id}"
        lines.append(InboxLine(user_id=row.user_id, text=row.text, link=f"/offers/bookings/{row.booking_id}/",
                               subject=subject, verb=row.verb, at=row.at, read_at=row.read_at))
        if row.sent_at is None:
            waiting.append(Outbox(user_id=row.user_id, subject=subject, text=row.text, created_at=row.at,
                                  claimed_at=row.claimed_at))
        if len(lines) >= BATCH:
            InboxLine.objects.bulk_create(lines)
            lines = []
    InboxLine.objects.bulk_create(lines)
    Outbox.objects.bulk_create(waiting, batch_size=BATCH)


def backward(apps, schema_editor):
    Notice = apps.get_model("offers", "Notice")
    Booking = apps.get_model("offers", "Booking")
    InboxLine = apps.get_model("core", "InboxLine")
    Outbox = apps.get_model("core", "OutboxMessage")
    prefix = "offers.booking:"
    known = set(Booking.objects.values_list("pk", flat=True))
    waiting = set(Outbox.objects.filter(subject__startswith=prefix).values_list("user_id", "subject"))
    Notice.objects.bulk_create([
        Notice(user_id=line.user_id, booking_id=int(line.subject[len(prefix):]), verb=line.verb, text=line.text,
               at=line.at, read_at=line.read_at,
               sent_at=None if (line.user_id, line.subject) in waiting else line.at)
        for line in InboxLine.objects.filter(subject__startswith=prefix).order_by("pk").iterator(chunk_size=BATCH)
        if int(line.subject[len(prefix):]) in known], batch_size=BATCH)
    InboxLine.objects.filter(subject__startswith=prefix).delete()
    Outbox.objects.filter(subject__startswith=prefix).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('offers', '0003_notice_sent'),
        ('core', '0002_inbox_and_outbox'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(
            name='Notice',
        ),
    ]
