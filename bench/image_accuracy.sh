#!/usr/bin/env bash
# A small CNN on Fashion-MNIST for 5 epochs (the image workload's accuracy check, docs/benchmarks.md):
# LeNet-5 and two members of image/small, each on the full 50,000 training images with rlnas's
# defaults (batch 128, SGD Nesterov 0.9, weight decay 5e-4, cosine from supervised.lr 0.02), one
# core each, two at a time; writes every run's epoch lines and test figures as JSON.
#
#   bash bench/image_accuracy.sh RLNAS_BIN OUT.json [EPOCHS]
#   e.g. bash bench/image_accuracy.sh build/bin/rlnas bench/data/image_accuracy.json 5
set -euo pipefail
bin=$1; out=$2; epochs=${3:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
arch() { echo "{\"space\":\"image/small\",\"version\":1,\"choices\":{\"layer1\":\"$1\",\"layer2\":\"$2\",\"layer3\":\"$3\",\"layer4\":\"$4\"}}"; }
"$bin" --store '' train --dataset fashion-mnist --epochs "$epochs" --quiet --out "$tmp/lenet" > /dev/null &
"$bin" --store '' train --dataset fashion-mnist --epochs "$epochs" --quiet --space image/small \
  --arch "$(arch conv3x3 conv3x3 conv3x3 conv3x3)" --out "$tmp/conv3x3" > /dev/null &
wait
"$bin" --store '' train --dataset fashion-mnist --epochs "$epochs" --quiet --space image/small \
  --arch "$(arch conv5x5 conv5x5 conv5x5 conv5x5)" --out "$tmp/conv5x5" > /dev/null
/usr/bin/python3 - "$tmp" "$out" <<'PY'
import json, os, sys, time
tmp, out = sys.argv[1], sys.argv[2]
runs = {}
for name in ("lenet", "conv3x3", "conv5x5"):
    d = os.path.join(tmp, name)
    with open(os.path.join(d, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(d, "metrics.jsonl")) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    with open(os.path.join(d, "eval.json")) as f:
        ev = json.load(f)
    config.pop("run_nonce", None)
    runs[name] = {"config": config, "epochs": lines, "eval": ev}
with open(out, "w") as f:
    json.dump({"date": time.strftime("%Y-%m-%d"), "runs": runs}, f, indent=1)
    f.write("\n")
PY
