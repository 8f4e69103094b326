"""The entry points: the command line, the demo session and course, the device
commands and logging set-up."""
