"""Analysis helpers for the SEND review workbook.

Conventions used across the whole package
-----------------------------------------
* Percentages are on the 0–100 scale everywhere and their names end in ``_pct``.
* Every proportion carries its numerator and denominator; ``ci_low``/``ci_high``
  are 95% Wilson score limits on the same 0–100 scale.
* Periods carry a human label (``"2023"``, ``"2024/25"``) and an end date.
"""

__version__ = "0.1.0"
