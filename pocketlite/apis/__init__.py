"""HTTP: one Litestar module per API area, mapping requests onto `pocketlite.core`."""

import signal

__all__ = ["CONFIG_ENV", "RESTART_SIGNAL", "WORKERS_KILL_TIMEOUT"]

# The CLI hands the configuration to granian's worker processes through this variable. It lives
# here, not in `server`, so that the CLI's process never imports the web framework.
CONFIG_ENV = "POCKETLITE_CONFIG"

# After a stop signal, a worker still busy with a request (a stalled download) is killed after
# this many seconds (PocketBase gives its server one second to shut down).
WORKERS_KILL_TIMEOUT = 5

# What a worker sends the server's main process to have the server restart in place: stop every
# worker, apply a prepared restore, run again (`app.restart()`).
RESTART_SIGNAL = signal.SIGUSR1
