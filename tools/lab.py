"""Register the project's Jupyter kernel for interactive use (``make lab``).

The kernel "send-review" runs the project's ``.venv`` Python with
``%autoreload 2`` switched on, so edits to ``src/analysis_helpers`` reach an
open notebook without a restart. Headless runs (papermill, nbval) use the plain
``python3`` kernel of the same environment, without autoreload, so a scheduled
report never depends on reload behaviour.

``make setup`` (and so every other target) registers it in the project's
``.venv``, so the kernel the notebooks name exists on a fresh clone: papermill
runs a notebook headless (``.venv/bin/papermill notebooks/01_baselines.ipynb
out.ipynb``) without ``make lab`` having been run first.

Run: ``python -m tools.lab`` (``make setup`` does it for you).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KERNEL_NAME = "send-review"
DISPLAY_NAME = "SEND review (project .venv)"


def kernel_spec() -> dict:
    return {
        "argv": [
            sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
            "--InteractiveShellApp.extensions=autoreload",
            "--InteractiveShellApp.exec_lines=%autoreload 2",
        ],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "metadata": {"debugger": True},
    }


def install(prefix: Path | None = None) -> Path:
    """Write the kernelspec under ``<prefix>/share/jupyter/kernels/send-review``."""
    folder = Path(prefix or sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(kernel_spec(), indent=1) + "\n", encoding="utf-8")
    return folder


if __name__ == "__main__":
    print(f"kernel '{KERNEL_NAME}' registered in {install()}")
