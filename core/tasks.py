"""The nightly backup: at BACKUP_HOUR o'clock (TIME_ZONE's day) a new backup in BACKUP_DIR (core.backup), then
all but the newest BACKUP_KEEP there deleted. BACKUP_ENABLED=false turns it off (backups made elsewhere).

Every minute, the messages whose task was lost are sent again (core.notify.messages_resend); every
CHECKPOINT_EVERY_MINUTES, the event chains' heads are signed (core.checkpoints)."""

import datetime
import logging

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from core import notify
from core.backup import backup_create, backups_prune
from core.checkpoints import KeyMissing, checkpoint_make

log = logging.getLogger(__name__)


def backup_due(moment: datetime.datetime) -> bool:
    """huey asks every minute, with the time in UTC (naive: huey's default, which settings.HUEY keeps)."""
    local = timezone.localtime(moment.replace(tzinfo=datetime.UTC))
    return settings.BACKUP_ENABLED and (local.hour, local.minute) == (settings.BACKUP_HOUR, 0)


@db_periodic_task(backup_due)
def backup_nightly() -> None:
    path, _manifest = backup_create()
    deleted = backups_prune(settings.BACKUP_KEEP)
    log.info("backup written to %s; %d older deleted", path, len(deleted))


@db_periodic_task(crontab(minute="*"))
def messages_resend_task():
    if sent := notify.messages_resend():
        log.warning("resent %s messages whose task was lost", sent)


def checkpoint_due(moment: datetime.datetime) -> bool:
    every = settings.CHECKPOINT_EVERY_MINUTES
    return bool(every) and (moment.hour * 60 + moment.minute) % every == 0


@db_periodic_task(checkpoint_due)
def checkpoint_periodic() -> None:
    """Sign the chains' heads every CHECKPOINT_EVERY_MINUTES (when anything was appended since the last)."""
    try:
        checkpoint_make()
    except KeyMissing as missing:
        log.error("%s", missing)
