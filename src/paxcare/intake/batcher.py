"""Open the cases of API requests that arrive together as one intake batch.

``open_cases`` is batch-first: a batch of twenty drafts costs about the queries of
one. Under load a web worker's request threads each bring one draft, so they are
gathered here (group commit): the first request of a quiet moment opens its case at
once and, while it does, the requests that arrive queue up; when it is done, the
first of them opens all the queued drafts in one batch for the others, and so on.
Nobody waits for a timer, so a request alone costs what it did before.

What each request keeps:

- its own answer: its result, its field errors, or the exception its draft raised;
- a bad draft does not fail the others: field errors are per draft already, and a
  batch that raises is opened again one draft at a time, so the exception reaches
  the request that caused it only;
- permissions: requests are batched only with requests of the same user (the
  actor of the timeline events) and the same language (of the error messages);
  the caller checks permissions before and after, as for ``open_case``;
- idempotency and duplicate flags: ``open_cases`` treats an external id or a text
  twice in a batch as it treats them in two batches one after the other.

A request that runs inside a transaction opens its case alone in it, as before.
"""

import logging
import threading
from collections.abc import Hashable
from datetime import UTC

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import get_language

from paxcare.cases.models import Case
from paxcare.errors import InvalidInput
from paxcare.intake.drafts import CaseDraft
from paxcare.intake.services import IntakeResult, open_case, open_cases
from paxcare.rowcache import RowCache

logger = logging.getLogger(__name__)

# Drafts per batch at most: enough for every request thread of a worker.
MAX_BATCH = 64


class _Request:
    """One request's draft and, once its batch ran, its outcome."""

    __slots__ = ("draft", "actor", "result", "error", "done", "lead")

    def __init__(self, draft: CaseDraft, actor) -> None:
        self.draft = draft
        self.actor = actor
        self.result: IntakeResult | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.lead = False

    def outcome(self) -> IntakeResult:
        if self.error is not None:
            raise self.error
        if self.result is None:
            raise RuntimeError("the batch of this draft stopped before it finished")
        if self.result.errors:
            raise InvalidInput(self.result.errors)
        return self.result


class _Group:
    """The queued requests of one user and language, and whether a batch runs."""

    __slots__ = ("queue", "running")

    def __init__(self) -> None:
        self.queue: list[_Request] = []
        self.running = False


class IntakeBatcher:
    """Gather concurrent ``open_case`` calls of one process into batches."""

    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._groups: dict[Hashable, _Group] = {}

    def open_case(self, draft: CaseDraft, *, actor=None) -> IntakeResult:
        """Open one case as ``open_case`` does, in a batch with concurrent ones."""
        if connection.in_atomic_block:
            return open_case(draft, actor=actor)
        request = _Request(draft, actor)
        key = (getattr(actor, "pk", None), get_language())
        with self._lock:
            group = self._groups.setdefault(key, _Group())
            group.queue.append(request)
            if not group.running:
                group.running = request.lead = True
        if not request.lead:
            # Woken with an outcome, or to open the next batch.
            request.done.wait()
        if request.lead:
            self._lead(key, group)
        return request.outcome()

    def _lead(self, key: Hashable, group: _Group) -> None:
        with self._lock:
            batch = group.queue[: self.max_batch]
            del group.queue[: self.max_batch]
        try:
            _open(batch)
        finally:
            with self._lock:
                if group.queue:
                    following = group.queue[0]
                    following.lead = True
                    following.done.set()
                else:
                    group.running = False
                    if self._groups.get(key) is group:
                        del self._groups[key]
            for request in batch:
                request.done.set()


def _open(batch: list[_Request]) -> None:
    """Set the outcome of every request of the batch."""
    try:
        results = open_cases([r.draft for r in batch], actor=batch[0].actor)
    except Exception as error:
        if len(batch) == 1:
            batch[0].error = error
            return
        logger.warning(
            "intake: a batch of %d failed (%s); opening its drafts one by one",
            len(batch),
            type(error).__name__,
        )
        for request in batch:
            try:
                request.result = open_cases([request.draft], actor=request.actor)[0]
            except Exception as own_error:
                request.error = own_error
        return
    for request, result in zip(batch, results, strict=True):
        request.result = result


_batcher = IntakeBatcher()


def file_case(draft: CaseDraft, *, actor=None) -> IntakeResult:
    """Open one case for an API request, batched with the concurrent ones."""
    return _batcher.open_case(draft, actor=actor)


def _load_staff() -> dict[int, object]:
    return {}


# Assignees as the answer shows them (the username), per process.
_staff = RowCache(_load_staff)
User = get_user_model()


def case_for_answer(result: IntakeResult) -> Case:
    """Return the case of ``result`` with what the API's answer shows, loaded.

    A new case is answered from the objects intake built: only its assignee's name
    may need a read, once per agent and process. A case that existed is read again.
    """
    case = result.case
    if not result.created:
        return Case.objects.select_related(
            "category", "department", "assignee", "duplicate_of", "passenger"
        ).get(pk=case.pk)
    if case.assignee_id is not None and not Case.assignee.is_cached(case):
        staff = _staff.get()
        user = staff.get(case.assignee_id)
        if user is None:
            user = staff[case.assignee_id] = User.objects.only("pk", "username").get(
                pk=case.assignee_id
            )
        case.assignee = user
    # As the database gives it back: in UTC, whatever offset the client sent.
    case.received_at = case.received_at.astimezone(UTC)
    return case
