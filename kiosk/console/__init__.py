"""The operations console: what the platform hears from every terminal, for hall staff and the
fleet manager, in a browser.

`db` holds the console's own store (SQLAlchemy Core over SQLite by default, PostgreSQL for a
province-size fleet; Alembic migrations), fed by `ingest` from the reference platform's
heartbeat, event and help-request routes. Nothing in it holds a citizen's personal data: the
terminals report none.
"""
