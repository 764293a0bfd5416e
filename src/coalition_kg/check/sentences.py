"""A source text's sentences, split by sentencex (Wikimedia's segmenter, which knows the
abbreviations of some 300 languages: "Mr.", "U.S."), not by a pattern of ours."""

from __future__ import annotations

from dataclasses import dataclass

import sentencex


@dataclass(frozen=True)
class Sentence:
    number: int  # 1-based, in the order of the text
    start: int  # character offsets in the text that was split, white space around the sentence left out
    end: int
    text: str


def split_sentences(text: str, language: str = "en") -> list[Sentence]:
    """The sentences of ``text`` (already folded by quotes.normalise, so that a paragraph break inside
    a sentence is not taken for its end). sentencex's offsets count characters, as Python's do."""
    sentences: list[Sentence] = []
    for boundary in sentencex.get_sentence_boundaries(language, text):
        start, end = boundary["start_index"], boundary["end_index"]
        stripped = text[start:end]
        start += len(stripped) - len(stripped.lstrip())
        end -= len(stripped) - len(stripped.rstrip())
        if start < end:
            sentences.append(Sentence(len(sentences) + 1, start, end, text[start:end]))
    return sentences
