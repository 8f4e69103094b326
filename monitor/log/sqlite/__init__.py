"""The embedded event log: one SQLite file per workstation, sealed with its key."""
