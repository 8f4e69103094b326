"""Bedside monitors: listen for them, bind one to the session."""
