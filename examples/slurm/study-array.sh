#!/bin/bash
# The study's grid as a Slurm job array: one array task per grid entry (14 entries: indices 0-13).
#
#   cd /shared/sampgen && npm ci && npm run build
#   npx sampgen sweep plan examples/grids/study.yaml        # check the entries (and their count)
#   sbatch examples/slurm/study-array.sh                    # from the repository root on the shared file system
#   npx sampgen report runs/ --out report/                  # when the array is done
#
# A grid of another size: sbatch --array=0-$(( $(npx sampgen sweep plan GRID --json | jq .count) - 1 )) ...
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
# SIGTERM to the batch shell 2 minutes before the time limit: sampgen finishes the batch and checkpoints.
#SBATCH --signal=B:TERM@120
#SBATCH --requeue

set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"

# --index auto reads SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN). Extra arguments pass through,
# e.g. sbatch examples/slurm/study-array.sh --smoke
exec npx sampgen sweep run examples/grids/study.yaml --index auto "$@"
