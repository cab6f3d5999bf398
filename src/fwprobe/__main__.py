"""Entry point for the ``fwprobe`` console script and ``python -m fwprobe``."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    # `fwprobe --version` answers before typer is imported (~20 ms instead of ~80 ms); every
    # other invocation goes through the typer app.
    if sys.argv[1:] in (["--version"], ["-V"]):
        from fwprobe import __version__

        sys.stdout.write(f"fwprobe {__version__}\n")
        return
    from fwprobe import early, interrupts

    interrupts.install()  # SIGTERM / SIGHUP: the clean-up Ctrl-C gets, before any child starts
    try:
        with interrupts.interrupts_deferred():  # a signal while fwprobe loads is taken once it has
            early.start(sys.argv[1:])  # `fwprobe scan`: its children start before typer loads
            from fwprobe.cli import main as cli_main
        cli_main()
    except KeyboardInterrupt:  # taken before the CLI ran (the CLI maps its own to 130)
        raise SystemExit(interrupts.exit_status(130)) from None
    except SystemExit:
        if interrupts.terminated():  # the CLI mapped it to 130 as a Ctrl-C: 143 / 129
            raise SystemExit(interrupts.exit_status(130)) from None
        raise
    finally:
        early.close()
        # all output is written: spare the interpreter's last garbage collection over every object
        # fwprobe loaded (the OS takes the memory back anyway); 15-25 ms (bench/bench_scan.py)
        gc.freeze()


if __name__ == "__main__":
    main()
