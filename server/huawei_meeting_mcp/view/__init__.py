"""The views: pure functions from the API's answers to the trimmed outputs, and their text renderings.

No I/O and no globals: everything a view needs comes in as arguments, so each is tested from fixtures.
`options` holds what the operator chose, `clean` how upstream text comes in, `times` a meeting's
times, `words` the text's vocabulary, and `paging` the one way a page is fitted into the text budget
and continued.
"""

from .options import TEXT_BUDGET, ToolNames, ViewOptions

__all__ = ["TEXT_BUDGET", "ToolNames", "ViewOptions"]
