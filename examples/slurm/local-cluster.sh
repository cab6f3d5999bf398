#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine (Debian's slurm-wlm 22.05 + munge), as root:
# for trying the fwprobe Slurm recipe (and tests/fleet/test_slurm.py) without a cluster.
#   apt-get update && apt-get install -y slurm-wlm munge     # once
#   examples/slurm/local-cluster.sh start | stop
# `stop` ends only the daemons `start` started (by the pids their pid files name), never a
# munged or slurmd that was already running.
set -euo pipefail
STATE=/run/fwprobe-local-cluster  # one line per daemon this script started: name and pid file
HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
case "${1:-start}" in
start)
  mkdir -p /etc/munge /var/log/munge /run/munge /var/lib/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  chown -R munge:munge /etc/munge /var/log/munge /run/munge /var/lib/munge
  [ -s /etc/munge/munge.key ] || sudo -u munge mungekey --create 2>/dev/null || mungekey --create
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p "$STATE"
  started() { echo "$1 $2" >> "$STATE/started"; }
  if ! pgrep -x munged >/dev/null; then
    sudo -u munge /usr/sbin/munged 2>/dev/null || runuser -u munge -- /usr/sbin/munged
    started munged /run/munge/munged.pid
  fi
  cat > /etc/slurm/slurm.conf <<CONF
ClusterName=fwprobe-local
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
  if ! pgrep -x slurmctld >/dev/null; then /usr/sbin/slurmctld && started slurmctld /run/slurmctld.pid; fi
  if ! pgrep -x slurmd >/dev/null; then /usr/sbin/slurmd && started slurmd /run/slurmd.pid; fi
  for _ in $(seq 60); do
    if srun -N1 -t 1 true 2>/dev/null; then echo "slurm is up: $(sinfo -h -o '%P %D %T')"; exit 0; fi
    sleep 1
  done
  echo "slurm did not come up; see /var/log/slurm/" >&2; exit 1 ;;
stop)
  [ -f "$STATE/started" ] || exit 0
  # last started, first stopped: slurmd, slurmctld, then munged
  tac "$STATE/started" | while read -r name pidfile; do
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
      kill "$pid" || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  done
  rm -f "$STATE/started" ;;
esac
