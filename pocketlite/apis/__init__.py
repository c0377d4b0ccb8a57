"""HTTP: one Litestar module per API area, mapping requests onto `pocketlite.core`."""

__all__ = ["CONFIG_ENV", "WORKERS_KILL_TIMEOUT"]

# The CLI hands the configuration to granian's worker processes through this variable. It lives
# here, not in `server`, so that the CLI's process never imports the web framework.
CONFIG_ENV = "POCKETLITE_CONFIG"

# After a stop signal, a worker still busy with a request (a stalled download) is killed after
# this many seconds (PocketBase gives its server one second to shut down).
WORKERS_KILL_TIMEOUT = 5
