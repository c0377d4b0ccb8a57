"""Optional parts built on the app's public surface: Python hooks (`pyhooks`) and migrations
(`migratecmd`)."""
