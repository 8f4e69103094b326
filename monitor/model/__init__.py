"""What a session is: events, the parameter registry, the vocabulary, the session
folded from its events, each parameter's time series and the dose. Imports only the ground."""
