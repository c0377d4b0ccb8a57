"""The same requests to pocketlite and to the real PocketBase, compared."""
