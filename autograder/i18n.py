"""Bilingual (Japanese / English) messages for students."""


def bilingual(ja: str, en: str) -> str:
    """Join a Japanese and an English message, Japanese first, one per line.

    Args:
        ja: the message in Japanese.
        en: the same message in English.

    Returns:
        ``"ja\\nen"`` (str).
    """
    return f"{ja}\n{en}"
