"""Where an export goes unless the nurse says otherwise: the last folder used, else
the user's documents folder (platformdirs), never a system folder or the bare home
folder of whoever runs the app."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path, user_documents_path

from monitor.paths import APP

# Top-level folders of the system: never offered as an export's destination.
SYSTEM = frozenset({"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "proc", "run",
                    "sbin", "sys", "usr", "var", "opt", "srv", "snap"})


def documents() -> Path:
    return user_documents_path()


def fallback() -> Path:
    """Ours, when even the documents folder is a system path (a service account)."""
    return user_data_path(APP, appauthor=False) / "exports"


def is_system(folder: Path) -> bool:
    """The file system's root, a folder of the system, or a home folder itself."""
    path = Path(folder).expanduser()
    parts = path.absolute().parts
    return (len(parts) <= 1 or parts[1] in SYSTEM or path == Path.home()
            or path.absolute() == Path("/root"))


def default_folder(last: Path | str | None = None) -> Path:
    """The last folder used when it is still a folder, else the documents folder."""
    for candidate in (last, documents()):
        if candidate and not is_system(Path(candidate)):
            folder = Path(candidate)
            if candidate is last and not folder.is_dir():
                continue
            return folder
    return fallback()


def describe(folder: Path, last: Path | str | None = None) -> str:
    """Where the file goes, in words: 'your Documents folder (/home/ana/Documents)'."""
    folder = Path(folder)
    if folder == documents():
        return f"your Documents folder ({folder})"
    if last and folder == Path(last):
        return f"the last folder used ({folder})"
    return str(folder)


def prepare(folder: Path) -> None:
    """Create the default folder when it is not there yet (only ours or Documents:
    never a folder the nurse typed, where a typo must be said, not made)."""
    if Path(folder) in (documents(), fallback()):
        Path(folder).mkdir(parents=True, exist_ok=True)
