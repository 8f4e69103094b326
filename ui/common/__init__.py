"""Shared by every part of the window: form helpers, theme, wording, time fields, errors."""
