from django.core.management.base import BaseCommand, CommandError

from core.events import events_verify


class Command(BaseCommand):
    help = "Check the hash chain of the event log and report the first broken link."

    def handle(self, *args, **options):
        checked, broken = events_verify()
        if broken is not None:
            raise CommandError(
                f"事件链在第 {checked + 1} 个事件处断开 (id={broken.id}, {broken.verb} "
                f"{broken.subject_type}#{broken.subject_id}, {broken.at:%Y-%m-%d %H:%M}). "
                f"The event chain is broken at event id={broken.id}.")
        self.stdout.write(f"事件链完整：共 {checked} 个事件。The event chain is intact: {checked} events.")
