#!/usr/bin/python3
"""Prints the tables of docs/benchmarks.md's image section from bench/data/image_speed.json
(bench/image_speed.py) and bench/data/image_accuracy.json (bench/image_accuracy.sh).

    /usr/bin/python3 bench/image_speed_summary.py bench/data/image_speed.json bench/data/image_accuracy.json
"""
import json
import sys


def main(speed_path, accuracy_path):
    with open(speed_path) as f:
        speed = json.load(f)
    print(f"LeNet-5, batch {speed['batch']}, {speed['train_images']:,} training images per epoch, evaluation "
          f"over {speed['eval_images']:,} images in batches of 1,000; PyTorch {speed['torch']} (Debian's "
          f"python3-torch); medians of {len(next(iter(speed['threads'].values()))['rounds'])} alternating "
          f"rounds, measured {speed['date']}.\n")
    print("| threads | training, rlnas | training, PyTorch | rlnas / PyTorch | evaluation, rlnas | evaluation, PyTorch |")
    print("|---:|---:|---:|---:|---:|---:|")
    for threads, t in speed["threads"].items():
        m = t["median"]
        print(f"| {threads} | {m['rlnas_train']:,.0f} images/s | {m['pytorch_train']:,.0f} images/s | "
              f"{100 * m['rlnas_train'] / m['pytorch_train']:.0f}% | {m['rlnas_eval']:,.0f} images/s | "
              f"{m['pytorch_eval']:,.0f} images/s |")
    with open(accuracy_path) as f:
        acc = json.load(f)
    print(f"\nFive epochs on the full 50,000 training images (measured {acc['date']}), one core each:\n")
    print("| network | validation accuracy by epoch | test accuracy | training images/s |")
    print("|---|---|---:|---:|")
    for name, r in acc["runs"].items():
        c = r["config"]
        label = "`lenet`" if c.get("net.space") in ("", None) else f"`image/small` all {name}"
        by_epoch = ", ".join(f"{l['validation_accuracy']:.2f}" for l in r["epochs"])
        rate = sum(l["images_per_s"] for l in r["epochs"]) / len(r["epochs"])
        print(f"| {label} (lr {c['supervised.lr']}) | {by_epoch} | {r['eval']['test']['accuracy']:.2f} | {rate:,.0f} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
