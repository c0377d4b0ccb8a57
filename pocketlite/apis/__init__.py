"""HTTP: one Litestar module per API area, mapping requests onto `pocketlite.core`."""
