"""What every record of work done in the background knows about its own progress.

A statement print run, an audit pack, a register export and the assembly letters each keep a
``status`` (queued, running, done, failed), when it was asked for and when a worker last reported
progress. Whether it has finished and whether its worker has stopped are the same rule for all.
"""

from datetime import timedelta

from django.utils import timezone

# A worker reports progress every few seconds; this long without a sign means it was stopped
# (a restart, a killed process, no worker running) and the work is not moving any more.
STALLED_AFTER = timedelta(minutes=10)


class BackgroundProgress:
    """Mixed into a model with ``status``, ``requested_at`` and ``progress_at`` (no fields of its own)."""

    FINISHED_STATUSES = ("done", "failed")

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED_STATUSES

    @property
    def last_sign_of_life(self):
        return self.progress_at or self.requested_at

    @property
    def stalled(self) -> bool:
        """Unfinished, and no worker has touched it for STALLED_AFTER."""
        return not self.finished and self.last_sign_of_life < timezone.now() - STALLED_AFTER
