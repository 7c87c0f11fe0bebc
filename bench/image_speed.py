#!/usr/bin/python3
"""Image-classification speed, rlnas against PyTorch on the same machine, in one run.

The same network (LeNet-5: conv 6 5x5 pad 2, ReLU, max-pool 2, conv 16 5x5, ReLU, max-pool 2,
linear 120, ReLU, linear 84, ReLU, linear 10), the same data (Fashion-MNIST, 50,000 training
images, normalised), batch 128, SGD with Nesterov momentum 0.9, weight decay 5e-4 and a cosine
learning rate per minibatch; each minibatch's loss and accuracy read back as rlnas does. PyTorch
is Debian's python3-torch (the same LibTorch underneath). For each thread count, ROUNDS rounds
alternate rlnas and PyTorch (one epoch each): training images/s over the epoch's minibatch steps,
evaluation images/s over 10,000 images in batches of 1,000. Writes JSON (every round and the
medians) for bench/image_speed_summary.py.

    /usr/bin/python3 bench/image_speed.py RLNAS_BIN OUT.json [ROUNDS] [THREADS...]
    e.g. /usr/bin/python3 bench/image_speed.py build/bin/rlnas bench/data/image_speed.json 3 1 2
"""
import gzip
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FASHION = "/usr/share/datasets/fashion-mnist"
BATCH = 128
TRAIN = 50000


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.head = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.head(F.relu(self.fc2(F.relu(self.fc1(x.flatten(1))))))


def pytorch_epoch(threads, x, y, xv, yv):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = LeNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    n = x.shape[0]
    steps = (n + BATCH - 1) // BATCH
    order = torch.randperm(n, generator=torch.Generator().manual_seed(1))
    loss_sum, correct = 0.0, 0
    start = time.perf_counter()
    for b in range(steps):
        idx = order[b * BATCH:(b + 1) * BATCH]
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        for g in opt.param_groups:
            g["lr"] = 0.5 * 0.05 * (1 + math.cos(math.pi * b / steps))
        opt.zero_grad()
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        loss.backward()
        opt.step()
        loss_sum += loss.item() * xb.shape[0]
        correct += int(logits.argmax(1).eq(yb).sum().item())
    train_s = time.perf_counter() - start
    start = time.perf_counter()
    with torch.no_grad():
        for i in range(0, xv.shape[0], 1000):
            logits = model(xv[i:i + 1000])
            F.cross_entropy(logits, yv[i:i + 1000], reduction="sum").item()
            int(logits.argmax(1).eq(yv[i:i + 1000]).sum().item())
    eval_s = time.perf_counter() - start
    return n / train_s, xv.shape[0] / eval_s


def rlnas_epoch(binary, threads):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "run")
        subprocess.run([binary, "--threads", str(threads), "--store", "", "train", "--dataset", "fashion-mnist",
                        "--epochs", "1", "--quiet", "--out", out], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(out, "metrics.jsonl")) as f:
            line = json.loads(f.readline())
    return line["images_per_s"], line["eval_images_per_s"]


def main():
    binary, out = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    thread_counts = [int(t) for t in sys.argv[4:]] or [1, 2]
    images = read_idx(f"{FASHION}/train-images-idx3-ubyte.gz")[:TRAIN + 10000].astype(np.float32) / 255
    labels = read_idx(f"{FASHION}/train-labels-idx1-ubyte.gz")[:TRAIN + 10000].astype(np.int64)
    mean, std = images[:TRAIN].mean(), images[:TRAIN].std()
    x = torch.from_numpy((images[:TRAIN] - mean) / std).unsqueeze(1).contiguous()
    y = torch.from_numpy(labels[:TRAIN])
    xv = torch.from_numpy((images[TRAIN:] - mean) / std).unsqueeze(1).contiguous()
    yv = torch.from_numpy(labels[TRAIN:])
    result = {"network": "lenet", "batch": BATCH, "train_images": TRAIN, "eval_images": int(xv.shape[0]),
              "torch": torch.__version__, "machine": platform.processor() or platform.machine(),
              "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d"), "threads": {}}
    for threads in thread_counts:
        runs = []
        for r in range(rounds):
            rt, re = rlnas_epoch(binary, threads)
            pt, pe = pytorch_epoch(threads, x, y, xv, yv)
            runs.append({"rlnas_train": rt, "rlnas_eval": re, "pytorch_train": pt, "pytorch_eval": pe})
            print(f"threads {threads} round {r + 1}: training rlnas {rt:.0f} / PyTorch {pt:.0f} images/s; "
                  f"evaluation rlnas {re:.0f} / PyTorch {pe:.0f} images/s", flush=True)
        med = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
        result["threads"][str(threads)] = {"rounds": runs, "median": med}
        print(f"threads {threads} medians: training rlnas {med['rlnas_train']:.0f} vs PyTorch "
              f"{med['pytorch_train']:.0f} images/s ({100 * med['rlnas_train'] / med['pytorch_train']:.0f}%)")
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
