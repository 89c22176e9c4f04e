"""Kytos-ng's ``alisten_to`` (async listeners, marked with an ``events`` attribute) and ``now``."""

import logging
import traceback
from datetime import UTC, datetime

LOG = logging.getLogger(__name__)


def alisten_to(event, *events):
    def decorator(handler):
        async def inner(*args):
            try:
                return await handler(*args)
            except Exception:  # pylint: disable=broad-except
                # As Kytos does: a failing listener is logged, the controller goes on.
                LOG.error("alisten_to handler: %s traceback: %s", handler, traceback.format_exc())
                return None

        inner.events = [event, *events]
        return inner

    return decorator


def now(tzone=UTC):
    return datetime.now(tzone)
