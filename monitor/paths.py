"""Where data, settings and logs live (platformdirs; overridable)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path, user_log_path

APP = "ketamine-monitor"
DB_ENV = "KETAMINE_MONITOR_DB"


def default_db() -> Path:
    return user_data_path(APP, appauthor=False) / "sessions.db"


# Where the event log is: a file, or the URL of a server's log.
Target = Path | str


def resolve_db(arg: str | None) -> Target:
    """--db wins, then $KETAMINE_MONITOR_DB, then the user data directory. A path or
    ``sqlite:///path`` gives a file; another URL (``postgresql://...``) stays a URL."""
    text = arg or os.environ.get(DB_ENV)
    if not text:
        return default_db()
    return text if "://" in text else Path(text).expanduser()


def ensure_parent(path: Path) -> None:
    """Create the default data folder (only ours: never a user-named folder)."""
    if path == default_db():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)


def config_dir() -> Path:
    return user_config_path(APP, appauthor=False)


def site_protocols() -> Path:
    return config_dir() / "protocols.toml"


def alarm_sound_file() -> Path:
    return config_dir() / "alarm-sound.toml"


def log_dir() -> Path:
    return user_log_path(APP, appauthor=False)
