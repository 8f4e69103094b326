"""What may be recorded and what is dangerous, as pure functions of the model:
protocols, validation, entries, scales, discharge and the rules. Never touches the log."""
