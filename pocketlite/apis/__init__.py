"""HTTP: one Litestar module per API area, mapping requests onto `pocketlite.core`."""

__all__ = ["CONFIG_ENV"]

# The CLI hands the configuration to granian's worker processes through this variable. It lives
# here, not in `server`, so that the CLI's process never imports the web framework.
CONFIG_ENV = "POCKETLITE_CONFIG"
