"""The one escaping layer for plan-provided text in every human-facing output.

Plans come from pull requests, so their text is untrusted: a line break in a
value could start a GitHub workflow command (`::add-mask::`, `::stop-commands::`)
in a CI log, and a bidi control could make a value read differently from what
it is. `visible` makes every control character, line break and bidi control a
visible escape (`\\n`, `\\u202e`), so any value stays on its own line and reads
as it is. `inert_markdown` also keeps GitHub from turning plan text into
@mentions (notifying people) or autolinks. JSON output keeps values exact: its
own escaping already keeps them on one line.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and every character that breaks a line or reorders text:
# U+2028/2029 separators, the bidi embeddings, overrides, isolates and marks.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

_ZWSP = "\u200b"  # invisible, and enough to stop GitHub's mention and autolink recognisers
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")  # @user, @org/team, user@host
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")  # https://, ftp://, file://
_WWW = re.compile(r"(?i)\bwww\.")


def visible(text: str) -> str:
    """`text` on one line, with every control, line-break and bidi character escaped."""
    return _UNSAFE.sub(lambda m: _NAMED.get(m.group(), f"\\u{ord(m.group()):04x}"), text)


def inert_markdown(text: str) -> str:
    """`visible(text)`, and no @mention or bare URL GitHub would act on."""
    text = _MENTION.sub("@" + _ZWSP, visible(text))
    text = _SCHEME.sub(lambda m: m.group(1) + ":" + _ZWSP, text)
    return _WWW.sub(lambda m: m.group()[:3] + _ZWSP + ".", text)
