"""The domain: collections, records, auth, settings and the database. Never imports Litestar."""
