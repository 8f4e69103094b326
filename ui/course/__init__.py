"""The patient's series across sessions and the outcome measures of each."""
