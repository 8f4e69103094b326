"""The patient's course across sessions and the outcome measures of each."""
