#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine (Debian's slurm-wlm 22.05 + munge), as root:
# for trying the fwprobe Slurm recipe (and tests/fleet/test_slurm.py) without a cluster.
#   apt-get update && apt-get install -y slurm-wlm munge     # once
#   examples/slurm/local-cluster.sh start | stop
set -euo pipefail
HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
case "${1:-start}" in
start)
  mkdir -p /etc/munge /var/log/munge /run/munge /var/lib/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  chown -R munge:munge /etc/munge /var/log/munge /run/munge /var/lib/munge
  [ -s /etc/munge/munge.key ] || sudo -u munge mungekey --create 2>/dev/null || mungekey --create
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  pgrep -x munged >/dev/null || sudo -u munge /usr/sbin/munged 2>/dev/null || runuser -u munge -- /usr/sbin/munged
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
  pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
  pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
  for _ in $(seq 60); do
    if srun -N1 -t 1 true 2>/dev/null; then echo "slurm is up: $(sinfo -h -o '%P %D %T')"; exit 0; fi
    sleep 1
  done
  echo "slurm did not come up; see /var/log/slurm/" >&2; exit 1 ;;
stop)
  pkill -x slurmd || true; pkill -x slurmctld || true; pkill -x munged || true ;;
esac
