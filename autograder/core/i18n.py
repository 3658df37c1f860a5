"""Bilingual (Japanese / English) messages for students, and the language they are shown in.

Every student-facing text of the workbook exists in Japanese and English. :func:`bilingual`
returns the Japanese text, the English text, or both (Japanese first), depending on the
language setting, decided in this order:

1. :func:`set_language` (what the ``--lang`` option of ``pytest`` and of ``workbook`` call);
2. the environment variable ``WORKBOOK_LANG`` = ``ja``, ``en`` or ``both``;
3. the locale: the first non-empty of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (and, unless that
   is ``C``/``POSIX``, the first entry of GNU ``LANGUAGE``). A locale whose language is Japanese
   (``ja_JP.UTF-8``, ``ja``) gives ``ja``; any other named language (``en_US.UTF-8``,
   ``de_DE``) gives ``en``; no locale, ``C``, ``C.UTF-8`` or ``POSIX`` — which say nothing about
   the reader, as on most CI runners and containers — give ``both``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

#: The accepted language settings.
LANGUAGES = ("ja", "en", "both")

#: The environment variable that sets the language.
ENV_VAR = "WORKBOOK_LANG"

_override: str | None = None


def normalize_language(value: str) -> str:
    """Check and normalise a language setting.

    Args:
        value: ``"ja"``, ``"en"`` or ``"both"`` (case and surrounding spaces ignored; ``"jp"``
            and ``"japanese"`` mean ``"ja"``, ``"english"`` means ``"en"``).

    Returns:
        One of :data:`LANGUAGES`.

    Raises:
        ValueError: any other value (the message is in both languages).
    """
    v = str(value).strip().lower()
    v = {"jp": "ja", "japanese": "ja", "日本語": "ja", "english": "en", "ja+en": "both", "en+ja": "both"}.get(v, v)
    if v not in LANGUAGES:
        raise ValueError(
            f"言語の指定 {value!r} は使えません (ja, en, both のどれか)。\n"
            f"unknown language {value!r}: use ja, en or both."
        )
    return v


def language_from_locale(environ: Mapping[str, str] | None = None) -> str:
    """The language the locale asks for: ``"ja"``, ``"en"`` or ``"both"`` (see the module doc).

    Args:
        environ: the environment to read (default ``os.environ``).

    Returns:
        ``"ja"`` for a Japanese locale, ``"en"`` for any other named language, ``"both"`` when
        the locale is unset, ``C`` or ``POSIX``.
    """
    env = os.environ if environ is None else environ
    locale = next((env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), "")
    code = _language_code(locale)
    if code in ("", "c", "posix"):
        return "both"
    preferred = _language_code(env.get("LANGUAGE", "").split(":")[0])
    if preferred not in ("", "c", "posix"):
        code = preferred
    return "ja" if code == "ja" else "en"


def _language_code(locale: str) -> str:
    """``"ja_JP.UTF-8"`` → ``"ja"``, ``"C.UTF-8"`` → ``"c"``, ``""`` → ``""``."""
    return locale.strip().split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()


def get_language() -> str:
    """The language in force: ``"ja"``, ``"en"`` or ``"both"``.

    :func:`set_language` wins, then ``$WORKBOOK_LANG`` (an invalid value is ignored here; the
    command-line tools reject it), then the locale.
    """
    if _override is not None:
        return _override
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        try:
            return normalize_language(value)
        except ValueError:
            pass
    return language_from_locale()


def set_language(value: str | None) -> None:
    """Set the language of this process (``None`` goes back to ``$WORKBOOK_LANG`` / the locale).

    Raises:
        ValueError: ``value`` is not ``ja``, ``en`` or ``both``.
    """
    global _override
    _override = None if value is None else normalize_language(value)


def bilingual(ja: str, en: str, *, sep: str = "\n") -> str:
    """A message in the language in force (:func:`get_language`).

    Args:
        ja: the message in Japanese.
        en: the same message in English.
        sep: what joins the two when both are shown (a newline; ``" / "`` for short labels).

    Returns:
        ``ja``, ``en``, or ``ja + sep + en`` (str).
    """
    lang = get_language()
    if lang == "ja":
        return ja
    if lang == "en":
        return en
    return f"{ja}{sep}{en}"


def text_width(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide characters (漢字, かな, 、。) count 2
    (:func:`wcwidth.wcswidth`; a character it does not know counts 1)."""
    from wcwidth import wcswidth, wcwidth

    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(c), 1) for c in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (:func:`text_width`)."""
    fill = " " * max(0, width - text_width(text))
    return fill + text if right else text + fill


def describe(docstring: str | None) -> tuple[str, str]:
    """The (Japanese, English) descriptions of a graded test, from its docstring.

    The format (``docs/authoring.md``): the first line is the English description; a line
    starting with ``ja:`` is the Japanese one (an ``en:`` prefix on the first line is allowed)::

        \"\"\"A mask that is not boolean raises ValueError.

        ja: 真偽値でないマスクは ValueError。
        \"\"\"

    Either part may wrap onto the following lines, up to a blank line or the other part's line: the
    lines are joined (six ex2 descriptions were cut mid-sentence when only the first line was read).

    Returns:
        ``(ja, en)``; a missing part is ``""``.
    """
    blocks: list[list[str]] = []  # paragraphs: a blank line or a "ja:"/"en:" line starts a new one
    for line in (line.strip() for line in (docstring or "").strip().splitlines()):
        if not line:
            if blocks and blocks[-1]:
                blocks.append([])
        elif line.lower().startswith(("ja:", "en:")) or not blocks:
            blocks.append([line])
        else:
            blocks[-1].append(line)

    def joined(block: list[str]) -> str:
        text = block[0][3:].strip() if block[0].lower().startswith(("ja:", "en:")) else block[0]
        for part in block[1:]:  # no space where a Japanese line wraps between two Japanese characters
            text += part if JAPANESE_END.search(text) and JAPANESE_START.match(part) else " " + part
        return text

    blocks = [b for b in blocks if b]
    ja = next((joined(b) for b in blocks if b[0].lower().startswith("ja:")), "")
    en = next((joined(b) for b in blocks if not b[0].lower().startswith("ja:")), "")
    return ja, en


#: A Japanese character at the end / start of a wrapped line (:func:`describe` joins them without a space).
JAPANESE_END = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]$")
JAPANESE_START = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")


def english_does(subject: str) -> str:
    """``"do"`` for a plural English ``subject`` ("bar heights of panel 0", "ranked words"), else ``"does"``:
    the head noun is the last word before " of " or " (" (newcomer helper: "ranked words does not match")."""
    head = re.split(r" of | \(", subject.strip(), maxsplit=1)[0].split()
    word = head[-1].lower() if head else ""
    return "do" if word.endswith("s") and not word.endswith(("ss", "us", "is", "ias")) else "does"


def description(docstring: str | None) -> str:
    """A graded test's description in the language in force (:func:`describe`); one that has no
    Japanese part shows its English part in every language."""
    ja, en = describe(docstring)
    return bilingual(ja, en, sep=" / ") if ja and en else (en or ja)
