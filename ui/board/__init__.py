"""The central board: one tile per chair, updated from the clinic server."""
