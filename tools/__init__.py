"""Drive the real window: demo playback, walkthrough, screenshots, a virtual X screen."""
