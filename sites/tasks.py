"""The overdue sweep, every hour: each loan past its due date is marked once and its operators reminded
(sites.services.loan_overdue_mark: a line in their inbox, a message through core.notify); running it twice
changes nothing the second time. The operator's desk lists the overdue loans too."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sites.selectors import loans_overdue
from sites.services import loan_overdue_mark

log = logging.getLogger(__name__)


def loans_overdue_sweep(now=None) -> int:
    marked = 0
    for loan in loans_overdue().filter(overdue_at=None).iterator(chunk_size=500):
        if loan_overdue_mark(loan=loan, at=now):
            marked += 1
    return marked


@db_periodic_task(crontab(minute="7"))
def loans_overdue_task():
    if marked := loans_overdue_sweep():
        log.info("overdue sweep: %s loans marked", marked)
