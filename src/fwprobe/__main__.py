"""Entry point for the ``fwprobe`` console script and ``python -m fwprobe``."""

from __future__ import annotations

import sys


def main() -> None:
    # `fwprobe --version` answers before typer (and the pydantic it pulls in) is imported:
    # ~25 ms instead of ~130 ms. Every other invocation goes through the typer app.
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


if __name__ == "__main__":
    main()
