"""The start page: resume an open session or open a new one."""
