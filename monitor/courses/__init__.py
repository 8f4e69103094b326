"""A patient's course of infusions: the sessions with the same patient identifier."""
