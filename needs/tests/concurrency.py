"""Helpers for tests that race real threads, each with its own database connection, so that what decides
is the database's lock: IMMEDIATE transactions on SQLite, select_for_update's row lock on PostgreSQL."""

import threading

from django.contrib.auth.models import User
from django.db import connection


def unit_admins(root, count: int, prefix: str = "claimant") -> list[User]:
    """`count` accounts, each the admin of a co-building unit of its own (so each may claim)."""
    from people.services import organisation_create, role_grant

    users = []
    for i in range(count):
        org = organisation_create(actor=root, kind="co_building_unit", name=f"共建单位{prefix}{i}")
        user = User.objects.create_user(f"{prefix}{i}", password="pass-12345")
        role_grant(actor=root, user=user, role="unit_admin", organisation=org)
        users.append(user)
    return users


def run_together(work, items) -> list[Exception]:
    """work(item) for every item, each in its own thread, all released at the same moment; the exceptions
    that escaped `work`."""
    start, errors = threading.Barrier(len(items)), []

    def run(item):
        try:
            start.wait()
            work(item)
        except Exception as exc:  # returned to the test, which asserts on them
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors
