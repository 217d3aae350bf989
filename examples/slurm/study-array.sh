#!/bin/bash
# The study's grid as a Slurm job array: one array task per grid entry (14 entries: indices 0-13).
#
#   cd /shared/sampgen && npm ci && npm run build
#   node bin/sampgen sweep plan examples/grids/study.yaml    # check the entries (and their count)
#   sbatch examples/slurm/study-array.sh                     # from the repository root on the shared file system
#   node bin/sampgen report runs/ --out report/              # when the array is done
#
# Another grid: SAMPGEN_GRID=GRID sbatch --array=0-$(( $(node bin/sampgen sweep plan GRID --json | jq .count) - 1 )) ...
# Options on the sbatch command line override the #SBATCH lines below, e.g. on CPU nodes:
#   sbatch --gres=none --cpus-per-task=4 --mem=8G examples/slurm/study-array.sh --smoke
# Extra arguments pass through to `sampgen sweep run` (--smoke, --set key=value, --backend ...).
# Resubmitting the same array is safe: finished entries are skipped, interrupted ones resume from their
# checkpoint, failed ones are retried, and an entry another task is running (live .lock) is left alone.
#
#SBATCH --job-name=sampgen-study
#SBATCH --array=0-13
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=8
#SBATCH --mem=32G
#SBATCH --time=24:00:00
#SBATCH --output=sampgen-study-%A_%a.out
# A requeued task appends to its log instead of starting it over.
#SBATCH --open-mode=append
# USR1 to this script 2 minutes before the time limit: sampgen finishes its batch, checkpoints and exits 0, and the
# task requeues itself to resume from that checkpoint. Not TERM: scancel sends TERM too, and a cancelled task must
# stay cancelled. (Slurm sends the signal up to a minute early: the controller looks every 30 s or so.)
#SBATCH --signal=B:USR1@120
#SBATCH --requeue

set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
grid=${SAMPGEN_GRID:-examples/grids/study.yaml}

# The CLI from this checkout with node itself, not `npx sampgen`: npx installs the checkout into ~/.npm/_npx first
# (a minute, and a race between array tasks sharing a home directory), and on SIGTERM npm exits at once and leaves
# sampgen behind, so Slurm kills it before its checkpoint is written.
command -v node >/dev/null || { echo "node is not on PATH in this job (e.g. module load nodejs/20 before sbatch)" >&2; exit 2; }

pid=
requeue=0
# The time-limit warning: only this shell gets it (B:), so pass it on as the SIGTERM sampgen stops on.
trap 'requeue=1; [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true' USR1
# scancel, preemption and the time limit itself send TERM to every process of the task, sampgen included: this shell
# only has to outlive sampgen (Slurm kills what is left once the script exits). A second TERM would cost the checkpoint.
trap ':' TERM

# --index auto reads SLURM_ARRAY_TASK_ID: the task ID is the grid entry's index (run --array=0-N).
node bin/sampgen sweep run "$grid" --index auto "$@" &
pid=$!
while :; do
  status=0
  wait "$pid" || status=$?
  # A trapped signal ends `wait` early (status > 128) while sampgen is still checkpointing: wait again.
  if [ "$status" -gt 128 ] && kill -0 "$pid" 2>/dev/null; then continue; fi
  break
done
if [ "$requeue" = 1 ] && [ "$status" = 0 ]; then
  echo "sampgen stopped before the time limit; requeueing array task ${SLURM_ARRAY_TASK_ID:-?} (job $SLURM_JOB_ID) to resume"
  scontrol requeue "$SLURM_JOB_ID"
fi
exit "$status"
