"""One open session: header, values, entry panels, log, alarms, discharge, export."""
