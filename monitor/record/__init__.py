"""The one way in: the recorder (validate, append, fold, evaluate, notify), its
inbox, what a notification changed, session listings and the window's service."""
