"""The delivery layers render what the use cases decided: no visibility or slot rule is
called from them. (import-linter keeps them off the store; this keeps them off the rules.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DELIVERY = sorted([*ROOT.glob("gateway/schema/**/*.py"), *ROOT.glob("rest_compat/**/*.py")])
RULES = re.compile(
    r"\b(offered_slots|free_slots|details_visible|details_visible_to|visible_to|involves"
    r"|attendee_index|BookingView\.of|PersonView\.of)\b"
)


def test_the_delivery_layers_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in DELIVERY}
    assert {"gateway/schema/types.py", "rest_compat/routing.py"} <= names


@pytest.mark.parametrize("path", DELIVERY, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_rule_is_called_from_a_delivery_layer(path: Path) -> None:
    calls = [
        f"{number}: {line.strip()}"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if RULES.search(line)
    ]
    assert calls == []
