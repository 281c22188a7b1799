"""The bytes each token id stands for (its piece), so that attrib decodes locally and scores
answers over all their token paths.

Two conventions cover the tokenizers of causal language models: byte-level BPE (GPT-2,
SmolLM2: every byte is one printable character of GPT-2's table) and SentencePiece with byte
fallback (Llama, Gemma: ``▁`` is a space, ``<0xNN>`` one byte). End-of-text has the empty
piece; other special tokens stand for their own text.
"""

from __future__ import annotations

import re

from transformers import PreTrainedTokenizerBase

_BYTE_TOKEN = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's table: each byte as one printable character (printable ASCII and Latin-1 as
    themselves, the other bytes as code points from 256 up), as byte-level BPE writes tokens."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) \
        + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    table = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def _byte_table() -> dict[str, int]:
    return {character: byte for byte, character in bytes_to_unicode().items()}


def _byte_level(tokenizer: PreTrainedTokenizerBase, tokens: list[str | None], table: dict[str, int]) -> bool:
    """Whether tokens are written in GPT-2's byte table: the decoder says so where there is one
    (a character-level vocabulary is mostly printable ASCII too, yet ``é`` is its own character,
    not byte 0xE9); else most tokens are spelt in the table."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    decoder = getattr(backend, "decoder", None) if backend is not None else None
    if decoder is not None:
        return type(decoder).__name__ == "ByteLevel"
    return sum(1 for t in tokens if t is not None and all(c in table for c in t)) > 0.9 * len(tokens)


def pieces(tokenizer: PreTrainedTokenizerBase, vocab_size: int, end_of_text: int) -> list[bytes]:
    """One piece per id in ``0..<vocab_size`` (ids past the tokenizer's own are empty)."""
    table = _byte_table()
    tokens = tokenizer.convert_ids_to_tokens(list(range(min(vocab_size, len(tokenizer)))))
    special = set(tokenizer.all_special_ids)
    byte_level = _byte_level(tokenizer, tokens, table)
    out: list[bytes] = []
    for token_id, token in enumerate(tokens):
        if token_id == end_of_text or token is None:
            out.append(b"")
        elif token_id in special:
            out.append(token.encode("utf-8"))
        elif byte_level and all(c in table for c in token):
            out.append(bytes(table[c] for c in token))
        elif match := _BYTE_TOKEN.match(token):
            out.append(bytes([int(match.group(1), 16)]))
        else:
            out.append(token.replace("\u2581", " ").encode("utf-8"))
    out.extend(b"" for _ in range(vocab_size - len(out)))
    return out
