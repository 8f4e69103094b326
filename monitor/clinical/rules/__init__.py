"""The rules: a session, its protocol and an instant in; conditions, alarms,
NEWS2 and what is due out (``engine.evaluate``)."""
