"""Domain core of the ketamine session monitor: plain Python, no Qt."""

__version__ = "0.1.0"
