"""Keys for the demo: generated once into ``var/secrets.json``.

In production mode the keys must come from the environment; settings refuse to
start without them (see settings.py). Nothing here is ever logged.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path
from typing import cast


def demo_keys(path: Path) -> dict[str, str]:
    """Return the demo keys, creating the file (mode 0600) on first use."""
    if path.exists():
        return cast(dict[str, str], json.loads(path.read_text()))
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATA_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(keys, fh)
    try:
        # link() fails if another process won the race: then its keys are the keys.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return cast(dict[str, str], json.loads(path.read_text()))
