#!/bin/bash
# Submits the shards as one array job and the merge as a job that starts only when every
# shard has succeeded (afterok on an array job waits for all its tasks).
set -euo pipefail
mkdir -p logs
jobid=$(sbatch --parsable ranksense-array.sbatch)
jobid=${jobid%%;*} # --parsable prints "id" or "id;cluster"
sbatch --dependency="afterok:$jobid" ranksense-merge.sbatch
