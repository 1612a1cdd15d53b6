"""The webhooks' minutely task: whatever is due — the retries on the spec's schedule, and any delivery whose task
was lost (interop.webhooks.webhook_send tries each new delivery when its change commits). Retries are not scheduled
as huey tasks with an eta: the deliveries table is the schedule (next_attempt_at), which survives a lost task, a
flushed queue and a restart, as core.notify's outbox does; a wait shorter than a minute (the first retry's 5 s)
therefore takes until the next minute."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from interop import webhooks

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def webhooks_send_due_task():
    if sent := webhooks.deliveries_send_due():
        log.info("sent %s webhook deliveries that were due", sent)
