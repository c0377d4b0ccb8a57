"""Leaf utilities: they know nothing of collections or records."""
