"""EES symbols: what a published cell holds when it holds no number.

DfE's explore-education-statistics files write ``x`` (unavailable), ``z`` (not
applicable), ``c`` (confidential), ``low``, ``u``, ``:``, ``~`` or a blank where
a value is missing. The reader turns them into missing values and keeps the
symbol beside the value, because "unavailable" and "not applicable" are
different statements.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: EES symbols and what they mean (from DfE's data guidance and EES conventions).
SYMBOLS: dict[str, str] = {
    "x": "unavailable",
    "z": "not applicable",
    "c": "confidential (suppressed)",
    "low": "rounds to zero but is not zero",
    "u": "low reliability",
    ":": "not available",
    "~": "rounds to zero",
    "": "blank",
}
#: The symbols as an Arrow array, for ``pyarrow.compute.is_in``.
SYMBOL_SET = pa.array(list(SYMBOLS))


def meaning(symbol: str | None) -> str | None:
    """What a symbol says (``"x"`` -> ``"unavailable"``), or None for a value that is present."""
    if not symbol or pd.isna(symbol):
        return None
    return SYMBOLS.get(symbol, symbol)


def is_symbol(words: pa.Array) -> pa.Array:
    """Per (trimmed) word, True where it is an EES symbol."""
    return pc.is_in(words, value_set=SYMBOL_SET)


def symbol_table(table: pa.Table, indicators: list[str]) -> pd.DataFrame:
    """Per indicator column of a table read as text, the symbol where the value is missing ("" where present)."""
    if not indicators:
        return pd.DataFrame()
    symbols = {}
    for column in indicators:
        encoded = table.column(column).combine_chunks().dictionary_encode()
        words = pc.utf8_trim_whitespace(encoded.dictionary)
        symbol_words = pc.if_else(is_symbol(words), words, pa.scalar("")).to_pylist()
        codes, categories = _codes_for(symbol_words, encoded.indices.to_numpy(zero_copy_only=False))
        symbols[column] = pd.Categorical.from_codes(codes, categories)
    return pd.DataFrame(symbols)


def _codes_for(words: list[str], indices: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Category codes and categories for per-row words given as dictionary indices."""
    categories = sorted(set(words))
    position = {word: i for i, word in enumerate(categories)}
    mapping = np.asarray([position[w] for w in words], dtype=np.int16)
    return mapping[indices], categories
