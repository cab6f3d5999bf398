"""Fake nvidia-smi programs.

NVIDIA_SMI: FAKE_GPU_COUNT A100s, driver FAKE_DRIVER, CUDA FAKE_CUDA; it answers --query-gpu for
any field subset by name; FAKE_OLD_DRIVER drops compute_cap from what it knows, as old drivers do.

REPLAY: answers from a real capture (tests/fixtures/nvidia/, FAKE_NVIDIA_CAPTURE) exactly the
command lines fwprobe issues: the default table, --version, -L, --help-query-gpu, and
--query-gpu=FIELDS --format=csv[,noheader][,nounits] projected from the capture's CSV; a field
the capture's driver does not list (or FAKE_NVIDIA_UNKNOWN names) gets nvidia-smi's real rejection
and exit status 2. Each call's arguments are appended to FAKE_NVIDIA_LOG when set.

FAILURES: real messages of nvidia-smi's common failures, with their exit status and where they
were seen.
"""

from __future__ import annotations

import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "nvidia"

NVIDIA_SMI = r'''#!/bin/sh
known="index name memory.total driver_version uuid compute_cap memory.used mig.mode.current persistence_mode pci.bus_id"
if [ -n "$FAKE_OLD_DRIVER" ]; then known="index name memory.total driver_version uuid memory.used mig.mode.current persistence_mode pci.bus_id"; fi
case "$1" in
  --query-gpu=*)
    fields=$(echo "${1#--query-gpu=}" | tr ',' ' ')
    for f in $fields; do
      case " $known " in *" $f "*) ;; *) echo "Field \"$f\" is not a valid field to query."; echo; exit 2 ;; esac
    done
    i=0
    while [ $i -lt ${FAKE_GPU_COUNT:-2} ]; do
      line=
      for f in $fields; do
        case $f in
          index) v=$i ;;
          name) v="NVIDIA A100-SXM4-80GB" ;;
          memory.total) v=81920 ;;
          driver_version) v=${FAKE_DRIVER:-550.54.15} ;;
          uuid) v=GPU-0000000$i-aaaa-bbbb-cccc-dddddddddddd ;;
          compute_cap) v=8.0 ;;
          memory.used) v=1024 ;;
          mig.mode.current) v="[N/A]" ;;
          persistence_mode) v=Enabled ;;
          pci.bus_id) v=00000000:0$i:00.0 ;;
        esac
        line="${line:+$line, }$v"
      done
      echo "$line"
      i=$((i+1))
    done ;;
  *)
    echo "+-----------------------------------------------------------------------------+"
    echo "| NVIDIA-SMI ${FAKE_DRIVER:-550.54.15}   Driver Version: ${FAKE_DRIVER:-550.54.15}   CUDA Version: ${FAKE_CUDA:-12.4}     |"
    echo "+-----------------------------------------------------------------------------+" ;;
esac
'''

REPLAY_SOURCE = r'''
import os
import re
import sys

SECTION = re.compile(r"^#{80}\n# (?P<state>[\w-]+) :: (?P<title>.*)\n# \$ .*\n#{80}\n", re.M)


def sections(text):
    found = list(SECTION.finditer(text))
    out = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        out[(m.group("state"), m.group("title"))] = text[m.end():end].rstrip("\n") + "\n"
    return out


def main(argv):
    if os.environ.get("FAKE_NVIDIA_LOG"):
        with open(os.environ["FAKE_NVIDIA_LOG"], "a") as log:
            log.write(" ".join(argv) + "\n")
    with open(os.environ["FAKE_NVIDIA_CAPTURE"], encoding="utf-8", newline="") as f:
        cap = sections(f.read())
    state = os.environ.get("FAKE_NVIDIA_STATE", "idle")
    if not argv:
        sys.stdout.write(cap[(state, "nvidia-smi (default table)")])
        return 0
    if argv == ["--version"]:
        sys.stdout.write(cap[("capabilities", "version")])
        return 0
    if argv == ["-L"]:
        sys.stdout.write(cap[("capabilities", "list (-L)")])
        return 0
    help_text = cap[("capabilities", "help-query-gpu")]
    if argv == ["--help-query-gpu"]:
        sys.stdout.write(help_text)
        return 0
    query = [a for a in argv if a.startswith("--query-gpu=")]
    fmt = [a for a in argv if a.startswith("--format=")]
    if not query or not fmt or len(argv) != 2:
        sys.stdout.write("ERROR: Option %s is not recognized. Please run 'nvidia-smi -h'.\n\n" % argv[0])
        return 2
    known = set()
    for line in help_text.splitlines():
        if line.startswith('"'):
            known.update(re.findall(r'"([^"]+)"', line))
    known -= set(os.environ.get("FAKE_NVIDIA_UNKNOWN", "").split(","))  # an older driver's narrower list
    rows = cap[(state, "query-gpu (csv, what the exporter parses)")].strip("\n").splitlines()
    header = rows[0].split(", ")
    names = [h.split(" [")[0] for h in header]
    wanted = query[0].split("=", 1)[1].split(",")
    for field in wanted:
        if field not in known or field not in names:
            sys.stdout.write('Field "%s" is not a valid field to query.\n\n' % field)
            return 2
    options = fmt[0].split("=", 1)[1].split(",")
    cols = [names.index(f) for f in wanted]
    if "noheader" not in options:
        print(", ".join(header[c] if "nounits" not in options else names[c] for c in cols))
    for row in rows[1:]:
        cells = row.split(", ")
        out = []
        for c in cols:
            cell = cells[c]
            unit = header[c].partition(" [")[2].rstrip("]")
            if "nounits" in options and unit and cell.endswith(" " + unit):
                cell = cell[:-len(unit) - 1]  # nvidia-smi drops the unit, not the number
            out.append(cell)
        print(", ".join(out))
    return 0


sys.exit(main(sys.argv[1:]))
'''


def replay_script() -> str:
    """The replay fake as a script for this interpreter (stdlib only)."""
    return f"#!{sys.executable}\n{REPLAY_SOURCE}"


def failing_script(message: str, exit_code: int) -> str:
    """An nvidia-smi that prints ``message`` and exits ``exit_code``, whatever it is asked."""
    return f"#!/bin/sh\ncat <<'EOF'\n{message}\nEOF\nexit {exit_code}\n"


# message, exit status, where the message (and status) were seen
FAILURES: dict[str, tuple[str, int, str]] = {
    "driver-library-mismatch": (
        "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 535.161", 18,
        "https://github.com/anderskm/gputil/issues/55 (message and `echo $?` 18)"),
    "cannot-communicate": (
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the "
        "latest NVIDIA driver is installed and running.", 9,
        "https://github.com/NVIDIA/nvidia-docker/issues/988 (message); exit 9 is the man page's "
        "'NVIDIA driver is not loaded' (quoted in https://github.com/Ricks-Lab/gpu-utils/issues/88)"),
    "nvml-not-found": (
        "NVIDIA-SMI couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA "
        "Display Driver is properly installed and present in your system.\nPlease also try adding directory "
        "that contains libnvidia-ml.so to your system PATH.", 12,
        "https://github.com/NVIDIA/nvidia-docker/issues/1163 (message); exit 12 is the man page's "
        "'NVML Shared Library couldn't be found or loaded'"),
    "gpu-lost": (
        "Unable to determine the device handle for GPU 0000:02:00.0: GPU is lost.  Reboot the system to "
        "recover this GPU", 15,
        "https://github.com/JosephKJ/OWOD/issues/81 and https://github.com/AlexeyAB/darknet/issues/86 "
        "(message); exit 15 is the man page's 'GPU has fallen off the bus or has otherwise become inaccessible'"),
    "device-handle-unknown": (
        "Unable to determine the device handle for GPU 0000:0B:00.0: Unknown Error", 15,
        "https://github.com/NVIDIA/open-gpu-kernel-modules/issues/387 (message; the reporter's GPU fell off "
        "the bus)"),
    "nvml-unknown-error": (
        "Failed to initialize NVML: Unknown Error", 255,
        "https://github.com/NVIDIA/nvidia-container-toolkit/issues/48 (message, in a container after the host's "
        "`systemctl daemon-reload`); the thread shows no exit status: 255 is the man page's 'other error'"),
    "no-devices": (
        "No devices were found", 6,
        "https://github.com/NVIDIA/open-gpu-kernel-modules/issues/862 (message); exit 6 is the man page's "
        "'A query to find an object was unsuccessful'"),
}

def failed_system(kind: str):  # -> fwprobe.model.System
    """The System a scan reads when nvidia-smi fails as in FAILURES[kind]."""
    from fwprobe.model import System

    message, status, _ = FAILURES[kind]
    return System(nvidia_smi="/usr/bin/nvidia-smi", nvidia_error=message, nvidia_exit_code=status)


# infoROM: exit 14 with the complete table and a WARNING line beside it. The table is the one
# https://github.com/NVIDIA/gpu-operator/issues/285 shows for `nvidia-smi; echo $?` (exit 14);
# the warning text is from https://github.com/NVIDIA/gpu-operator/issues/20 (bus id of this table).
INFOROM_TABLE = """WARNING: infoROM is corrupted at gpu 0000:0B:00.0
+-----------------------------------------------------------------------------+
| NVIDIA-SMI 470.82.01    Driver Version: 470.82.01    CUDA Version: 11.4     |
|-------------------------------+----------------------+----------------------+
| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |
|                               |                      |               MIG M. |
|===============================+======================+======================|
|   0  Tesla P100-PCIE...  On   | 00000000:0B:00.0 Off |                    0 |
| N/A   42C    P0    29W / 250W |      0MiB / 16280MiB |      0%      Default |
|                               |                      |                  N/A |
+-------------------------------+----------------------+----------------------+"""


def install(bindir: Path, script: str, name: str = "nvidia-smi") -> Path:
    """Writes an executable fake into ``bindir`` (created if missing)."""
    bindir.mkdir(exist_ok=True)
    smi = bindir / name
    smi.write_text(script)
    smi.chmod(smi.stat().st_mode | 0o111)
    return smi


def replay_system(capture: str, bindir: Path, environ: dict[str, str] | None = None):  # -> fwprobe.model.System
    """read_system() on a machine whose nvidia-smi is the replay of ``capture``; ``environ`` adds
    variables (CUDA_VISIBLE_DEVICES) to a PATH that holds only the fake and the system's tools."""
    from fwprobe.system import read_system

    install(bindir, replay_script())
    env = {"PATH": f"{bindir}:{Path(sys.executable).parent}:/bin:/usr/bin",
           "FAKE_NVIDIA_CAPTURE": str(FIXTURES / capture), **(environ or {})}
    return read_system(environ=env)
