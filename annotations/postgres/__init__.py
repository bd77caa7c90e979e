"""The PostgreSQL store: one database shared by a team (see `store.PostgresStore`).

`url` (URLs, redaction, the driver and connecting), `schema` (numbered,
never destructive migrations, and the team's roles and row-level security),
`store` (the engine itself), `outbox` (changes kept on disk while the
server is away). Nothing here is imported unless a `postgresql://` store is
named, so the folder store never needs the driver.
"""
