#!/usr/bin/env python3
"""The PyTorch peer of `npm run bench`: the same Prototypical Networks training step on the CPU.

`src/cli/bench.ts` runs this right after timing its own step, with the same shapes, so the two
medians come from the same machine a few seconds apart and their ratio means something on a shared,
noisy machine. Episode: way x (shot + query) random images of side x side x 1; Conv-4 (blocks x
[conv 3x3 without bias, batch norm with batch statistics, ReLU, 2x2 max-pool]) -> flattened
embedding; prototypes = mean support embedding; logits = minus squared euclidean distance;
softmax cross-entropy over the queries; Adam 1e-3. The same network and loss as the benchmark's
step (which has no conv bias: batch norm follows every convolution).

Prints one line of JSON: {"torch": version, "threads": n, "times_ms": [...]} (one entry per timed
step). Needs python3 with torch (Debian: apt-get install -y python3-torch).
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--steps", type=int, default=20)
parser.add_argument("--warmup", type=int, default=3)
parser.add_argument("--way", type=int, default=5)
parser.add_argument("--shot", type=int, default=5)
parser.add_argument("--query", type=int, default=15)
parser.add_argument("--side", type=int, default=28)
parser.add_argument("--filters", type=int, default=64)
parser.add_argument("--blocks", type=int, default=4)
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(1)


def block(in_channels):
    return nn.Sequential(
        nn.Conv2d(in_channels, args.filters, 3, padding=1, bias=False),
        nn.BatchNorm2d(args.filters),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )


net = nn.Sequential(*[block(1 if i == 0 else args.filters) for i in range(args.blocks)], nn.Flatten())
optimizer = torch.optim.Adam(net.parameters(), 1e-3)
way, shot, query = args.way, args.shot, args.query
images = torch.rand(way * (shot + query), 1, args.side, args.side)
labels = torch.arange(way).repeat_interleave(query)


def step():
    embeddings = net(images)
    support, queries = embeddings[: way * shot], embeddings[way * shot :]
    prototypes = support.view(way, shot, -1).mean(1)
    logits = -((queries[:, None, :] - prototypes[None]) ** 2).sum(-1)
    loss = F.cross_entropy(logits, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


for _ in range(args.warmup):
    step()
times = []
for _ in range(args.steps):
    t0 = time.perf_counter()
    step()
    times.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "times_ms": times}))
