"""The Qt face of the ketamine session monitor: shows and asks, never decides."""
