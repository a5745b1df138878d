"""The edge check every API runs on a request's values before anything else sees them:
each string passes the text rule of `domain.text` (multi-line allowed: the per-field
rules are stricter) and the caps below, each list the list cap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from domain.errors import DomainError, invalid
from domain.text import TextCap, text_problem

DEFAULT_MAX_LIST = 10_000
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class InputLimits:
    """`max_string`: characters in any one string; `max_list`: items in any one list.
    Both bound JSON-like values: dicts, lists, strings, numbers, booleans, None."""

    max_string: int = TextCap.ANY
    max_list: int = DEFAULT_MAX_LIST


def scan(value: object, limits: InputLimits, path: Path = ()) -> DomainError | None:
    """The first problem in `value` as INVALID_INPUT, its field the innermost named key
    (and its message the whole path, as `where.key[3]`), or None when there is none."""
    for where, problem in _problems(value, limits, path):
        field = next((p for p in reversed(where) if isinstance(p, str)), None)
        return invalid(f"{_spelled(where)} {problem}".strip(), field)
    return None


def _problems(value: object, limits: InputLimits, path: Path) -> Iterator[tuple[Path, str]]:
    # An explicit stack, not recursion: a request's JSON may nest as deep as its parser let it.
    stack: list[tuple[Path, object]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item, multiline=True)
            if problem is not None:
                yield where, problem
            elif len(item) > limits.max_string:
                yield where, f"must be at most {limits.max_string} characters"
        elif isinstance(item, Mapping):
            children: list[tuple[Path, object]] = []
            for key, child in item.items():
                key_problem = text_problem(str(key))
                if key_problem is not None:
                    yield where, f"has a name that {key_problem}"
                children.append(((*where, str(key)), child))
            stack.extend(reversed(children))
        elif isinstance(item, list | tuple):
            if len(item) > limits.max_list:
                yield where, f"must have at most {limits.max_list} items"
            else:
                stack.extend(((*where, n), child) for n, child in reversed(list(enumerate(item))))


def _spelled(path: Path) -> str:
    spelled = ""
    for part in path:
        spelled += f"[{part}]" if isinstance(part, int) else (f".{part}" if spelled else part)
    return spelled
