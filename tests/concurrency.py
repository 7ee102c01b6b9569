"""Running the same action in several threads at once, for the PostgreSQL concurrency tests."""

import threading

from django.core.exceptions import ValidationError
from django.db import connections


def at_once(n, action):
    """Start ``action(i)`` in n threads released together; return the sorted outcomes, "done" or "refused"."""
    barrier, outcomes = threading.Barrier(n), []

    def attempt(i):
        try:
            barrier.wait()
            action(i)
            outcomes.append("done")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)
