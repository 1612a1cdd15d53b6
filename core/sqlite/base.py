"""SQLite, as Django's backend, with writers queued on a lock file instead of on SQLite's busy timeout.

SQLite admits one writer at a time. A second BEGIN IMMEDIATE waits in SQLite's busy handler, which polls
with growing sleeps (up to 100 ms each): under 8 concurrent writers a 5 ms transaction waited hundreds of
milliseconds. Here a write transaction first takes an exclusive flock() on `<database>.writelock`; the
kernel wakes the next waiter the moment the holder commits or rolls back, so writers take turns without
sleeping. SQLite's own locking still guards the data: the flock only orders the queue (a writer that
skips it, e.g. an autocommit UPDATE, is still serialised by SQLite, as before).
"""

import fcntl

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock = None  # the open lock file while this connection holds the queue

    def _lock_path(self):
        name = str(self.settings_dict["NAME"])
        return None if self.is_in_memory_db() else f"{name}.writelock"

    def _start_transaction_under_autocommit(self):
        path = self._lock_path()
        if path and self._write_lock is None:
            lock = open(path, "a")  # noqa: SIM115 (closed on commit or rollback)
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._write_lock = lock
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release()
            raise

    def _release(self):
        if self._write_lock is not None:
            lock, self._write_lock = self._write_lock, None
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._release()

    def _rollback(self):
        try:
            super()._rollback()
        finally:
            self._release()

    def _close(self):
        try:
            super()._close()
        finally:
            self._release()
