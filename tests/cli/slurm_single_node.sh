#!/usr/bin/env bash
# Starts a private single-node Slurm cluster (munged, slurmctld, slurmd from Debian's packages, configuration
# and sockets in WORK), submits PLAN_DIR/sbatch.sh with --wait, and stops everything. Exit 0 when the array ran,
# 77 (skip) with the reason on stdout when a cluster cannot be started here, other codes for a failed job.
# Usage: slurm_single_node.sh WORK PLAN_DIR
set -uo pipefail
work=$1 plan=$2
skip() { echo "$*"; exit 77; }
for t in munged slurmctld slurmd sbatch sinfo; do
  command -v "$t" >/dev/null || skip "Slurm cannot start: $t is not installed (Debian packages munge, slurmctld, slurmd, slurm-client)"
done
[[ $(id -u) -eq 0 ]] || skip "Slurm cannot start: the daemons of a private cluster must run as root here"
mkdir -p "$work"/{state,spool,log,munge}
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=128 count=1 2>/dev/null
chmod 400 "$work/munge/munge.key"
host=$(hostname -s)
port=$((20000 + RANDOM % 20000))
cat > "$work/slurm.conf" <<CONF
ClusterName=vtdsim-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.sock
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/ctld.pid
SlurmdPidFile=$work/d.pid
SlurmctldLogFile=$work/log/ctld.log
SlurmdLogFile=$work/log/d.log
SlurmctldPort=$port
SlurmdPort=$((port + 1))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobCompType=jobcomp/none
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
cleanup() {
  for p in "$work/d.pid" "$work/ctld.pid" "$work/munge/munged.pid"; do
    [[ -s $p ]] && kill "$(cat "$p")" 2>/dev/null
  done
}
trap cleanup EXIT
munged --force --socket="$work/munge/munge.sock" --key-file="$work/munge/munge.key" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" --seed-file="$work/munge/seed" \
  >/dev/null 2>&1 || skip "Slurm cannot start: munged failed: $(tail -n 2 "$work/log/munged.log" 2>/dev/null)"
slurmctld -f "$SLURM_CONF" >/dev/null 2>&1 || skip "Slurm cannot start: slurmctld failed: $(tail -n 3 "$work/log/ctld.log")"
slurmd -f "$SLURM_CONF" >/dev/null 2>&1 || skip "Slurm cannot start: slurmd failed: $(tail -n 3 "$work/log/d.log")"
for _ in $(seq 1 30); do
  sinfo -h -o %t 2>/dev/null | grep -q idle && break
  sleep 0.5
done
sinfo -h -o %t 2>/dev/null | grep -q idle ||
  skip "Slurm cannot start: the node never became idle: $(tail -n 3 "$work/log/d.log" "$work/log/ctld.log")"
# Submit and poll (sbatch --wait polls with a back-off of many seconds).
job=$(sbatch --parsable "$plan/sbatch.sh") || exit 1
for _ in $(seq 1 1200); do
  squeue -h -j "$job" 2>/dev/null | grep -q . || exit 0
  sleep 0.25
done
echo "the array did not finish in 300 s"
exit 1
