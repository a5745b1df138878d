"""One timer for a live stream's subscribers wakes only those whose check is due."""

from __future__ import annotations

import asyncio
import math
from datetime import timedelta

from gateway.services.mailboxes import Mailboxes
from tests.support.clock import MutableClock

TICK = 0.01


async def _ticks(count: int) -> None:
    await asyncio.sleep(TICK * (count + 0.5))


async def test_idle_subscribers_are_not_woken() -> None:
    clock = MutableClock()
    boxes: Mailboxes[int] = Mailboxes(TICK, clock.now)
    slots = [boxes.add() for _ in range(1000)]
    for slot in slots:
        slot.checked(clock.now() + timedelta(hours=1), recheck_in=3600)
    await _ticks(3)
    assert not any(slot.ready.is_set() for slot in slots)
    await boxes.close()


async def test_a_due_recheck_wakes_only_that_subscriber() -> None:
    clock = MutableClock()
    boxes: Mailboxes[int] = Mailboxes(TICK, clock.now)
    due, idle = boxes.add(), boxes.add()
    due.checked(None, recheck_in=0)
    idle.checked(None, recheck_in=3600)
    await _ticks(2)
    assert (due.ready.is_set(), idle.ready.is_set()) == (True, False)
    assert due.take() is None  # woken to check, with no value
    await boxes.close()


async def test_expiry_follows_the_injected_clock() -> None:
    clock = MutableClock()
    boxes: Mailboxes[int] = Mailboxes(TICK, clock.now)
    slot = boxes.add()
    slot.checked(clock.now() + timedelta(minutes=5), recheck_in=math.inf)
    await _ticks(2)
    assert not slot.ready.is_set()
    clock.advance(timedelta(minutes=5))
    await _ticks(2)
    assert slot.ready.is_set()
    await boxes.close()


async def test_values_reach_every_slot_and_only_the_newest_is_kept() -> None:
    boxes: Mailboxes[int] = Mailboxes(TICK, MutableClock().now)
    slots = [boxes.add() for _ in range(3)]
    boxes.offer(1)
    boxes.offer(2)
    assert [slot.take() for slot in slots] == [2, 2, 2]
    assert [slot.take() for slot in slots] == [None, None, None]
    await boxes.close()


async def test_the_timer_stops_with_the_last_subscriber_and_restarts() -> None:
    boxes: Mailboxes[int] = Mailboxes(TICK, MutableClock().now)
    first = boxes.add()
    await boxes.discard(first)
    assert len(boxes) == 0
    again = boxes.add()
    again.checked(None, recheck_in=0)
    await _ticks(2)
    assert again.ready.is_set()
    await boxes.close()
