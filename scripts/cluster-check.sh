#!/bin/bash
# Runs the README's cluster recipes (scripts/slurm, scripts/parallel, scripts/k8s) literally and
# checks that every merged report is byte for byte the report of one unsharded run (issue #15.5).
#
# Opt-in, as root on Debian 12 (a container will do): installs slurm-wlm, munge, GNU parallel,
# openssh-server and rsync if missing; starts munged, slurmctld and slurmd as a single-node
# cluster (settings for a container: no cgroups, processes tracked through /proc, daemons as
# root) and sshd for ssh to localhost with a generated key (the "second host"); stops every
# daemon it started when it ends.
#
#   bash scripts/cluster-check.sh            # uses target/release/ranksense (built if missing)
#   RANKSENSE_BIN=/path/to/ranksense KEEP=1 bash scripts/cluster-check.sh
#
# KEEP=1 keeps the work folder (printed at the start) for a look at the logs.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${RANKSENSE_BIN:-$repo/target/release/ranksense}
work=$(mktemp -d /tmp/ranksense-cluster-check.XXXXXX)
echo "cluster-check: working in $work"

fail() {
  echo "cluster-check: FAILED: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || fail "run as root: it installs packages and starts daemons"
if [ ! -x "$bin" ]; then
  (cd "$repo" && cargo build --release)
fi

# --- packages -----------------------------------------------------------------------------
need=()
for tool in sbatch:slurm-wlm munged:munge parallel:parallel sshd:openssh-server rsync:rsync; do
  command -v "${tool%%:*}" >/dev/null || [ -x "/usr/sbin/${tool%%:*}" ] || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
fi

# --- daemons, stopped on exit -------------------------------------------------------------
started_pids=()
cleanup() {
  local status=$?
  for pid in "${started_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  if [ -f "$work/id_check.pub" ] && [ -f ~/.ssh/authorized_keys ]; then
    grep -vF "$(cat "$work/id_check.pub")" ~/.ssh/authorized_keys >"$work/keys" || true
    cat "$work/keys" >~/.ssh/authorized_keys
  fi
  if [ "${KEEP:-0}" = 1 ] || [ $status != 0 ]; then
    echo "cluster-check: work folder kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# munge: Debian's package made a key; munged runs as its own user.
mkdir -p /run/munge && chown munge:munge /run/munge
runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/check.pid --socket=/run/munge/munge.socket.2
started_pids+=("$(cat /run/munge/check.pid)")
munge -n | unmunge >/dev/null || fail "munge does not work"

# Slurm: one node with every CPU of this machine; root daemons without cgroups.
node=$(hostname -s)
cpus=$(nproc)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat >/etc/slurm/slurm.conf <<EOF
ClusterName=check
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ReturnToService=2
MpiDefault=none
NodeName=$node CPUs=$cpus State=UNKNOWN
PartitionName=check Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
/usr/sbin/slurmctld -c # -c: a fresh state, no jobs of an earlier check
sleep 1
started_pids+=("$(cat "$work/slurmctld.pid")")
/usr/sbin/slurmd
sleep 1
started_pids+=("$(cat "$work/slurmd.pid")")
for _ in $(seq 30); do
  sinfo -h -o %T 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo -h -o %T | grep -q idle || fail "the Slurm node did not come up (see $work/slurmd.log)"

# ssh to localhost with a key of its own: the "several hosts" of GNU parallel.
mkdir -p /run/sshd
[ -f /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -A
/usr/sbin/sshd -p 2222 -o PidFile="$work/sshd.pid" -o PermitRootLogin=prohibit-password
sleep 1
started_pids+=("$(cat "$work/sshd.pid")")
ssh-keygen -q -t ed25519 -N '' -f "$work/id_check"
mkdir -p ~/.ssh && chmod 700 ~/.ssh
touch ~/.ssh/authorized_keys
grep -qF "$(cat "$work/id_check.pub")" ~/.ssh/authorized_keys || cat "$work/id_check.pub" >>~/.ssh/authorized_keys
ssh_command="ssh -p 2222 -i $work/id_check -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"

# --- the data, and the reference: one unsharded run ---------------------------------------
mkdir -p "$work/bin"
cp "$bin" "$work/bin/ranksense"
export PATH="$work/bin:$PATH"
# A folder with the user's mydata/ and my.toml, as the recipes expect.
fresh() {
  local dir=$work/$1
  mkdir -p "$dir"
  cp -r "$work/mydata" "$work/my.toml" "$dir/"
  echo "$dir"
}
ranksense synth --units 30 --indicators 10 --groups 3 --seed 1 --out "$work/mydata" >/dev/null
ranksense init --data "$work/mydata" >/dev/null
mv "$work/mydata/scenario.toml" "$work/my.toml"
reference=$(fresh reference)
(cd "$reference" && ranksense uncertainty --data mydata --scenario my.toml --samples 1000000 \
  --seed 7 --out results >/dev/null)

# Every file of results/ equals the reference's, byte for byte.
same_as_reference() {
  local what=$1 dir=$2
  [ -d "$dir/results" ] || fail "$what: no results/ folder"
  local files
  files=$(cd "$reference/results" && ls)
  [ "$files" = "$(cd "$dir/results" && ls)" ] || fail "$what: other files than the single run's"
  for file in $files; do
    cmp "$reference/results/$file" "$dir/results/$file" || fail "$what: $file differs"
  done
  echo "cluster-check: $what: merged results equal the single run's ($(echo $files | wc -w) files)"
}

# --- Slurm: submit.sh as printed, then wait for the merge job -----------------------------
slurm=$(fresh slurm)
cp "$repo"/scripts/slurm/{ranksense-array.sbatch,ranksense-merge.sbatch,submit.sh} "$slurm/"
merge_job=$(cd "$slurm" && bash submit.sh | awk '/Submitted batch job/ {print $4}')
[ -n "$merge_job" ] || fail "Slurm: submit.sh did not submit the merge job"
for _ in $(seq 900); do
  [ -z "$(squeue -h)" ] && break
  sleep 1
done
[ -z "$(squeue -h)" ] || fail "Slurm: jobs still queued after 15 minutes: $(squeue)"
grep -q "^progress: \|^shard " "$slurm"/logs/shard-1.log || fail "Slurm: shard 1's log is empty"
same_as_reference "Slurm array + afterok merge" "$slurm"

# --- GNU parallel on this host ------------------------------------------------------------
one=$(fresh parallel-one-host)
(cd "$one" && bash "$repo/scripts/parallel/one-host.sh" >"$one/log" 2>&1) || fail "one-host.sh: $(tail "$one/log")"
same_as_reference "GNU parallel, one host" "$one"

# --- GNU parallel over ssh ("several hosts": localhost twice, as two logins) ---------------
many=$(fresh parallel-many-hosts)
cp "$bin" "$many/ranksense"
# Two logins to this machine, one job each; parallel's --ssh reaches them with the check's key.
printf '1/localhost\n1/127.0.0.1\n' >"$many/hosts.txt"
(cd "$many" && PARALLEL_SSH="$ssh_command" bash "$repo/scripts/parallel/many-hosts.sh" \
  >"$many/log" 2>&1) || fail "many-hosts.sh: $(tail "$many/log")"
# The copies on the "remote" side are gone (--cleanup).
leftover=$(find ~/ranksense-work -type f 2>/dev/null | head -1 || true)
[ -z "$leftover" ] || fail "many-hosts.sh left a file on the remote side: $leftover"
same_as_reference "GNU parallel, several hosts over ssh" "$many"

# --- The Kubernetes Indexed Job's command, pods 0..9 --------------------------------------
k8s=$(fresh k8s)
yaml=$repo/scripts/k8s/ranksense-indexed-job.yaml
completions=$(awk '/^  completions:/ {print $2}' "$yaml")
# The folded (>-) argument of the container's sh -c: the lines below `- >-` up to `resources:`.
command=$(awk '/- >-/ {on=1; next} /resources:/ {on=0} on' "$yaml" | sed 's/^ *//' | tr '\n' ' ')
for ((index = 0; index < completions; index++)); do
  (cd "$k8s" && JOB_COMPLETION_INDEX=$index /bin/sh -c "$command") >/dev/null
done
(cd "$k8s" && ranksense merge states/state-*.json --data mydata --scenario my.toml --out results >/dev/null)
same_as_reference "Kubernetes Indexed Job command (0-based --shard-index)" "$k8s"

echo "cluster-check: all recipes give the single run's bytes"
