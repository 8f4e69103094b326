"""The clinic's event log on PostgreSQL: schema, roles, lease, spool and LISTEN."""
