"""Open a page in headless Chromium, return its DOM and every URL it asked for."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

#: Chromium's own background services (not requests made by the page).
BROWSER_OWN_HOSTS = ("clients2.google.com", "update.googleapis.com", "accounts.google.com", "safebrowsing.googleapis.com",
                     "optimizationguide-pa.googleapis.com", "content-autofill.googleapis.com", "redirector.gvt1.com")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def open_page(path: Path, width: int = 1280) -> tuple[str, list[str]]:
    """(DOM after load, URLs the page requested) for a local HTML file; all network is blocked."""
    with tempfile.TemporaryDirectory() as profile:
        netlog = Path(profile) / "netlog.json"
        result = subprocess.run(
            [
                chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}/data", "--proxy-server=http://127.0.0.1:9", f"--log-net-log={netlog}",
                "--virtual-time-budget=3000", f"--window-size={width},2000", "--dump-dom", path.resolve().as_uri(),
            ],
            capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": profile},
        )
        log = netlog.read_text(errors="replace") if netlog.exists() else ""
    urls = set(re.findall(r'"url":"(https?://[^"]+)"', log))
    try:
        json.loads(log.rstrip().rstrip(",") + ("]}" if not log.rstrip().endswith("}") else ""))
    except ValueError:
        pass  # the log may be cut at exit; the URL scan above does not need it whole
    page_urls = sorted(u for u in urls if not any(host in u for host in BROWSER_OWN_HOSTS))
    return result.stdout, page_urls
