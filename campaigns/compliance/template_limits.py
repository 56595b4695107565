"""A jinja2 sandbox that cannot hang a process: loop iterations, calls, output size and time.

jinja2's `SandboxedEnvironment` stops templates from reaching Python internals, but not from
spending: `{% for a in range(10000) %}{% for b in range(10000) %}` runs a hundred million times,
`{{ "x" * 10**9 }}` allocates a gigabyte, a macro that calls itself twice recurses without end.
Here every template is parsed with each `for` loop's iterable wrapped in a counting guard, every
call (macros included) and every `*`, `**` and `%` is checked, the output is produced piece by
piece and measured, and the clock is looked at on each of those steps. A template that exceeds
a limit raises `TemplateLimitExceeded`, which names the limit. The limits are settings
(`template_max_iterations`, `template_max_output_chars`, `template_max_seconds`) and apply
when a template is saved and whenever it is rendered.
"""

import re
import time
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
from jinja2.filters import do_center, do_format, do_indent, do_wordwrap
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from campaigns.errors import Invalid
from campaigns.i18n import _
from campaigns.settings import get_settings

LOOP_GUARD = "__acuerdo_loop_guard"
_PERCENT_WIDTH = re.compile(r"%[-+ #0]*(\d+)")
_BRACE_WIDTH = re.compile(r"\{[^{}]*:[^{}]*?(\d+)[^{}]*\}")


class TemplateLimitExceeded(Invalid):
    """A template would loop, call, grow or run longer than templates may."""


@dataclass
class _Budget:
    steps_left: int
    output_left: int
    deadline: float
    max_steps: int
    max_output: int
    max_seconds: float

    def step(self, count: int = 1) -> None:
        self.steps_left -= count
        if self.steps_left < 0:
            raise TemplateLimitExceeded(
                _(
                    "The template repeats or calls more than {limit} times; templates must be "
                    "short texts, not programs."
                ),
                limit=self.max_steps,
            )
        if time.monotonic() > self.deadline:
            raise TemplateLimitExceeded(
                _("The template takes longer than {limit} seconds to render; simplify it."),
                limit=self.max_seconds,
            )

    def grow(self, size: int) -> None:
        self.output_left -= size
        if self.output_left < 0:
            raise TemplateLimitExceeded(
                _("The template produces more than {limit} characters; shorten it."),
                limit=self.max_output,
            )


_budget: ContextVar[_Budget | None] = ContextVar("template_budget", default=None)


def _current() -> _Budget:
    budget = _budget.get()
    if budget is None:
        raise RuntimeError("templates render only through render_limited")
    return budget


def _guard_loop(iterable: Iterable[Any]) -> Iterator[Any]:
    budget = _current()
    for item in iterable:
        budget.step()
        yield item


def _check_width(width: object) -> None:
    if isinstance(width, int) and width > _current().max_output:
        _current().grow(width)


def _check_format(text: object) -> None:
    if isinstance(text, str):
        for match in (*_PERCENT_WIDTH.finditer(text), *_BRACE_WIDTH.finditer(text)):
            _check_width(int(match.group(1)))


def _center(value: str, width: int = 80) -> str:
    _check_width(width)
    return do_center(value, width)


def _indent(value: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    _check_width(width if isinstance(width, int) else len(width))
    return do_indent(value, width, first, blank)


def _wordwrap(*args: Any, **kwargs: Any) -> str:
    _check_width(kwargs.get("width", args[2] if len(args) > 2 else 79))
    return do_wordwrap(*args, **kwargs)


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    _check_format(value)
    return do_format(value, *args, **kwargs)


class LimitedEnvironment(SandboxedEnvironment):
    """The sandbox with every loop, call and size-changing operator on a budget."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False)
        self.globals[LOOP_GUARD] = _guard_loop
        self.filters.update(center=_center, indent=_indent, wordwrap=_wordwrap, format=_format)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            guard = nodes.Name(LOOP_GUARD, "load", lineno=loop.lineno)
            loop.iter = nodes.Call(guard, [loop.iter], [], None, None, lineno=loop.lineno)
        tree.set_environment(self)
        return tree

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Call an object from a template, on the budget."""
        if __obj is not _guard_loop:
            _current().step()
            if getattr(__obj, "__name__", "") in ("format", "format_map"):
                bound = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
                _check_format(getattr(bound, "__self__", None))
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, str | list | tuple):
            _check_width(len(result))
        return result

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """`*`, `**` and `%` refused when their result would be too large."""
        _current().step()
        if operator == "*":
            for sized, count in ((left, right), (right, left)):
                if isinstance(sized, str | list | tuple) and isinstance(count, int):
                    _check_width(len(sized) * count)
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
                _check_width(abs(left).bit_length() * right // 3)
        elif operator == "%":
            _check_format(left)
        return super().call_binop(context, operator, left, right)


def render_limited(template: Template, fields: Mapping[str, Any]) -> str:
    """Render a compiled template within the configured limits."""
    settings = get_settings()
    budget = _Budget(
        steps_left=settings.template_max_iterations,
        output_left=settings.template_max_output_chars,
        deadline=time.monotonic() + settings.template_max_seconds,
        max_steps=settings.template_max_iterations,
        max_output=settings.template_max_output_chars,
        max_seconds=settings.template_max_seconds,
    )
    token = _budget.set(budget)
    pieces: list[str] = []
    try:
        for piece in template.generate(**fields):
            budget.grow(len(piece))
            budget.step(0)
            pieces.append(piece)
    except RecursionError as error:
        raise TemplateLimitExceeded(
            _("The template calls itself too deeply; remove the recursion.")
        ) from error
    finally:
        _budget.reset(token)
    return "".join(pieces)
