"""Where events are kept: the ``EventLog`` protocol and its opener, the reads both
backends share, the SQLite file and the clinic's PostgreSQL server. Never
imports the clinical rules."""
