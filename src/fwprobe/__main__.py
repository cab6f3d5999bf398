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
    from fwprobe import early
    from fwprobe.interrupts import interrupts_deferred

    try:
        with interrupts_deferred():  # a Ctrl-C while fwprobe loads is taken once it has
            early.start(sys.argv[1:])  # `fwprobe scan`: its children start before typer loads
            from fwprobe.cli import main as cli_main
        cli_main()
    except KeyboardInterrupt:  # taken before the CLI ran (the CLI maps its own to 130)
        raise SystemExit(130) from None
    finally:
        early.close()
        # all output is written: spare the interpreter's last garbage collection over every object
        # fwprobe loaded (the OS takes the memory back anyway); 15-25 ms (bench/bench_scan.py)
        gc.freeze()


if __name__ == "__main__":
    main()
