"""The official SDKs (JS and Python), unmodified, driving a live pocketlite server."""
