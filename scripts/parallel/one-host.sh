#!/bin/bash
# 8 shards on this machine: GNU parallel runs one per core (--threads 1 each), then merges.
set -euo pipefail
mkdir -p states
parallel ranksense uncertainty --data mydata --scenario my.toml --samples 1000000 --seed 7 \
  --threads 1 --shard {}/8 --state states/state-{}.json ::: $(seq 1 8)
ranksense merge states/state-*.json --data mydata --scenario my.toml --out results
