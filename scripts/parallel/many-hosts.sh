#!/bin/bash
# 8 shards spread over the hosts listed in hosts.txt (one ssh login a line, e.g. `2/me@node1`
# for two jobs at a time there). Each host gets the binary, the data and the scenario copied
# into ~/ranksense-work (--wd, --basefile: files, as --cleanup removes files, not folders); every
# state file comes back here (--return) and the copies there are removed (--cleanup). ./ranksense is the binary sent: a Linux x86-64 build
# that runs on the hosts, e.g. `cp "$(command -v ranksense)" .`
set -euo pipefail
mkdir -p states
parallel --sshloginfile hosts.txt --wd ranksense-work \
  --basefile ranksense --basefile my.toml \
  --basefile mydata/meta.csv --basefile mydata/data.csv --basefile mydata/index.toml \
  --return states/state-{}.json --cleanup \
  'mkdir -p states && ./ranksense uncertainty --data mydata --scenario my.toml' \
  '--samples 1000000 --seed 7 --threads 1 --shard {}/8 --state states/state-{}.json' \
  ::: $(seq 1 8)
./ranksense merge states/state-*.json --data mydata --scenario my.toml --out results
