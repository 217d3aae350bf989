#!/bin/bash
# A throwaway single-node Slurm cluster (munged, slurmctld, slurmd) for the Slurm end-to-end test
# (slurm-e2e.test.ts), everything under one folder: the munge key and socket, slurm.conf, state, spool, logs and
# pid files. Nothing under /etc, /var or /run is read or written, so it cannot collide with a cluster (or a munged)
# already on the machine.
#
#   slurm-cluster.sh start DIR CTLD_PORT SLURMD_PORT   # writes DIR/slurm.conf, starts the daemons, waits for the node
#   slurm-cluster.sh stop DIR                          # cancels the jobs, stops the daemons, kills what is left
#   slurm-cluster.sh watch DIR PID SECONDS             # stops the cluster when PID exits or SECONDS have passed
#
# Every Slurm command needs SLURM_CONF=DIR/slurm.conf (the munge socket is named in it, AuthInfo=socket=...).
# Needs root (slurmd runs jobs as their user) and Debian's slurmctld, slurmd, slurm-client and munge packages.
set -euo pipefail

cmd=${1:?usage: slurm-cluster.sh start|stop|watch DIR ...}
dir=${2:?the cluster folder}
dir=$(cd "$dir" && pwd)
conf="$dir/slurm.conf"
# SLURM_CONF only for the Slurm commands, not for this script: leftovers() finds processes by it.
with_conf() { SLURM_CONF="$conf" "$@"; }

log() { echo "slurm-cluster: $*" >&2; }

# The pid in a pid file, if that process still runs.
live_pid() {
  local pid
  [ -s "$1" ] || return 1
  pid=$(tr -dc 0-9 <"$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Waits up to $2 seconds (tenths) for the process of pid file $1 to end; SIGKILL if it does not.
stop_daemon() {
  local pid i
  pid=$(live_pid "$1") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "$(basename "$1" .pid) did not stop on SIGTERM; SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

# Processes started for this cluster that outlived their daemon (job steps whose slurmd is gone, jobs' children):
# found by SLURM_CONF=<this cluster's slurm.conf> in their environment, which only they have.
leftovers() {
  local p
  for p in /proc/[0-9]*; do
    case "${p#/proc/}" in "$$" | "$BASHPID") continue ;; esac
    { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$conf" && echo "${p#/proc/}"
  done
  return 0
}

start() {
  local ctld_port=${3:?CTLD_PORT} slurmd_port=${4:?SLURMD_PORT}
  local host node i
  for bin in munged mungekey slurmctld slurmd sbatch scontrol; do
    command -v "$bin" >/dev/null || { log "$bin not found (apt-get install -y slurmctld slurmd slurm-client munge)"; exit 3; }
  done
  mkdir -p "$dir"/{munge,state,spool,log,run,tmp}
  chmod 700 "$dir" "$dir/munge"
  # munged: its own key, socket, pid and log files; --force because the test runs it as root.
  mungekey --create --keyfile="$dir/munge/munge.key" --force
  chmod 400 "$dir/munge/munge.key"
  munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

  host=$(hostname -s)
  # The node as slurmd sees it (CPUs, sockets, cores, threads, memory), e.g.
  # NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105
  node=$(slurmd -C | head -n 1)
  case "$node" in NodeName=*) ;; *) log "slurmd -C printed no node line: $node"; exit 3 ;; esac
  cat >"$conf" <<EOF
# Written by $(basename "$0") for a test: one node, this machine.
ClusterName=sampgen-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire is also how long a requeued job waits before it may start again (default 120 s).
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=5
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
TmpFS=$dir/tmp
PlugStackConfig=$dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# Finished jobs, one line each (state, exit code, start, end): there is no slurmdbd for sacct.
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Look for startable jobs every second or two (a requeued task becomes startable without an event that wakes it).
SchedulerParameters=bf_interval=1,sched_interval=2
ReturnToService=2
# Finished jobs stay visible to scontrol for the whole test.
MinJobAge=3600
KillWait=30
InactiveLimit=0
$node NodeAddr=127.0.0.1 State=UNKNOWN
# The machine's own CPUs, each shared by up to 4 tasks: the test keeps tasks running on purpose (a preempted one,
# a race) while others run beside them, and a 2-core CI machine would otherwise queue them one after another.
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
  : >"$dir/plugstack.conf"

  with_conf slurmctld -i
  with_conf slurmd -N "$host"
  # Up when the node is idle (or already running a job).
  for ((i = 0; i < 300; i++)); do
    if state=$(with_conf sinfo -h -N -o '%T' 2>/dev/null) && [[ "$state" =~ ^(idle|mixed|allocated) ]]; then
      log "up: node $host ($node), slurmctld port $ctld_port, slurmd port $slurmd_port, in $dir"
      return 0
    fi
    sleep 0.1
  done
  log "the node did not come up (state: ${state:-none}); logs in $dir/log"
  tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  exit 1
}

stop() {
  local i p
  # Cancel the jobs first and give them KillWait to checkpoint: a slurmd that stops leaves its jobs running.
  if live_pid "$dir/run/slurmctld.pid" >/dev/null; then
    with_conf scancel --full --quiet --partition=test 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
      [ -z "$(with_conf squeue -h -o %i 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  stop_daemon "$dir/run/slurmd.pid" 10
  stop_daemon "$dir/run/slurmctld.pid" 10
  for p in $(leftovers); do
    log "killing leftover process $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-80))"
    kill -KILL "$p" 2>/dev/null || true
  done
  stop_daemon "$dir/munge/munged.pid" 5
}

watch() {
  local pid=${3:?PID} seconds=${4:?SECONDS} end
  end=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 1; done
  # The test normally stops the cluster itself; then there is nothing left to do here.
  if live_pid "$dir/run/slurmctld.pid" >/dev/null || live_pid "$dir/run/slurmd.pid" >/dev/null || live_pid "$dir/munge/munged.pid" >/dev/null; then
    log "watchdog: $([ "$SECONDS" -ge "$end" ] && echo "$seconds s passed" || echo "process $pid is gone"); stopping the cluster in $dir"
    stop
  fi
}

case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  watch) watch "$@" ;;
  *) log "unknown command $cmd"; exit 2 ;;
esac
