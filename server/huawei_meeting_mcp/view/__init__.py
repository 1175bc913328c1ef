"""The views: pure functions from the API's answers to the trimmed outputs, and their text renderings.

No I/O and no globals: everything a view needs comes in as arguments, so each is tested from fixtures.
`common` holds what they share (the text budget, options, times, fitting lines into the budget).
"""

from .common import TEXT_BUDGET, ViewOptions
from .detail import build_detail, render_detail

__all__ = ["TEXT_BUDGET", "ViewOptions", "build_detail", "render_detail"]
