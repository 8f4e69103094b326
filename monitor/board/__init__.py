"""The clinic's central board: every chair's current session read from the clinic
server, what its tile shows, and the board's read-only link."""
