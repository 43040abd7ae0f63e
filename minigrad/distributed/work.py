"""Work: the handle an asynchronous collective returns (torch.distributed's Work).

A backend starts the operation and gives back something to poll (`test()` -> bool); Work
polls it until it completes or the group's timeout passes, then runs `finish` (copy a staged
result back into the caller's tensor, divide a SUM into an AVG). A synchronous collective is
the same Work, waited on at once.

Why polling with a deadline: MPI has no timeout on a blocking call, so each collective is
started nonblocking (MPI_Iallreduce, ...) and MPI_Test is called in a loop that checks the
clock. MPI only makes progress inside MPI calls (a large all-reduce moves in many chunks,
each needing a call), so the loop spins without sleeping for its first second, as MPI's own
blocking calls do, which keeps a collective as fast as the blocking call; after that it
sleeps 0.1 ms between tests, so a rank waiting long for a slow peer leaves the CPU to it.
"""
from __future__ import annotations

import time

from .group import DistBackendError

_SPIN_S = 1.0
_NAP_S = 0.0001


class Work:
    """Returned by a collective called with async_op=True: wait() blocks until it completes
    (raising DistBackendError after the group's timeout), is_completed() polls."""

    def __init__(self, test, finish, timeout_s: float, what: str, result=None):
        self._test, self._finish, self._timeout, self._what = test, finish, timeout_s, what
        self._done = test is None
        self._result = result
        if self._done and finish is not None:
            finish()

    def is_completed(self) -> bool:
        if not self._done and self._test():
            self._complete()
        return self._done

    def _complete(self):
        self._done = True
        if self._finish is not None:
            self._finish()

    def wait(self, timeout=None) -> bool:
        """Block until done. timeout (a timedelta) overrides the group's for this wait."""
        if self._done:
            return True
        limit = self._timeout if timeout is None else timeout.total_seconds()
        start = time.monotonic()
        deadline = start + limit
        n = 0
        test = self._test
        while not test():
            n += 1
            if n & 255 == 0:
                now = time.monotonic()
                if now > deadline:
                    raise DistBackendError(
                        f"{self._what}: timed out after {limit:g} s waiting for the other "
                        "ranks (a rank stopped, or called a different collective); the group "
                        "cannot be used after this")
                if now - start > _SPIN_S:
                    time.sleep(_NAP_S)
        self._complete()
        return True

    def result(self):
        """What the operation produced (recv: the sender's rank), after wait()."""
        self.wait()
        return self._result() if callable(self._result) else self._result

