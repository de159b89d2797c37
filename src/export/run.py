#!/usr/bin/env python3
"""A Few-Shot Lab experiment, exported to PyTorch (plain torch and numpy, nothing else).

    python3 run.py --evaluate                     # the weights on the exported test episodes
    python3 run.py --train [--steps 60000]        # train on CPU or CUDA, then evaluate
    torchrun --nproc_per_node 4 run.py --train    # the meta-batch spread over 4 processes (DDP)

Both write results.json in Few-Shot Lab's run format ("Import run (JSON)" in the Run history, or
`npm run experiment -- --import-run results.json`), predictions.json (each test query's predicted
label) and, after training, trained_weights.npz (named and laid out as in the browser's core).

The maths follows src/core exactly: Conv-4 (3x3 'same' conv, batch norm from the batch's biased
variance or given statistics, ReLU, 2x2 max-pool, flattened in NHWC order), ProtoNet's negative
squared Euclidean distances, MAML's inner SGD (second order through the inner steps, or first
order), the fine-tuning baseline's frozen backbone and new head fitted with full-batch Adam.
Training episodes and their augmentation come from a port of core/rng.ts, so they are the
browser's episodes; test episodes are read from episodes.json.

Files: config.json (run config and hyperparameters), split.json (class indices of each split),
episodes.json (test episodes as index lists), images.npz (uint8 pixels after the core's resizing
and inversion; float = byte / 255), weights.npz (the state the run was exported with).
"""
import argparse
import base64
import json
import math
import os
import platform
import sys
import time
import uuid
import warnings
from datetime import datetime, timezone

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
# A 1-channel first kernel's gradient has equivalent strides DDP does not recognise; harmless.
warnings.filterwarnings('ignore', message='Grad strides do not match bucket view strides')
BN_EPSILON = 1e-5
M32 = 0xFFFFFFFF


# ------------------------------------------------------------------------------------------------
# core/rng.ts, bit for bit: sfc32 seeded through MurmurHash3's finaliser, streams derived by label.

def _imul(a, b):
    return (a * b) & M32


def mix32(x):
    x &= M32
    x = _imul(x ^ (x >> 16), 0x85EBCA6B)
    x = _imul(x ^ (x >> 13), 0xC2B2AE35)
    return (x ^ (x >> 16)) & M32


def hash_string(text):
    h = 0x811C9DC5
    units = text.encode('utf-16-le')  # charCodeAt: UTF-16 code units
    for i in range(0, len(units), 2):
        h = _imul(h ^ (units[i] | (units[i + 1] << 8)), 0x01000193)
    return mix32(h)


class Rng:
    def __init__(self, seed):
        self.seed = seed
        s = int(math.floor(seed)) & M32
        self.a = mix32(s ^ 0x9E3779B9)
        self.b = mix32(s + 0x6A09E667)
        self.c = mix32(s ^ 0xBB67AE85)
        self.d = 1
        for _ in range(15):
            self.next_uint32()

    def derive(self, label):
        return Rng(mix32((int(self.seed) & M32) ^ hash_string(str(label))))

    def next_uint32(self):
        t = (self.a + self.b + self.d) & M32
        self.d = (self.d + 1) & M32
        self.a = self.b ^ (self.b >> 9)
        self.b = (self.c + (self.c << 3)) & M32
        self.c = ((self.c << 21) | (self.c >> 11)) & M32
        self.c = (self.c + t) & M32
        return t

    def next(self):
        return self.next_uint32() / 4294967296.0

    def uniform(self, low, high):
        return low + (high - low) * self.next()

    def int(self, n):
        return math.floor(self.next() * n)

    def sample_indices(self, n, k):
        swapped = {}
        out = []
        for i in range(k):
            j = i + self.int(n - i)
            at_j = swapped.get(j, j)
            at_i = swapped.get(i, i)
            swapped[j] = at_i
            out.append(at_j)
        return out


# ------------------------------------------------------------------------------------------------
# Data: images as the core holds them, episodes as core/episodes/sampler.ts draws them.

class Images:
    def __init__(self, pixels, offsets):
        self.pixels = pixels  # uint8 [images, H, W, C]
        self.offsets = offsets.astype(np.int64)

    def count(self, c):
        return int(self.offsets[c + 1] - self.offsets[c])

    def gather(self, picks):
        """[(class, image)] -> float32 [n, H, W, C], byte * (1 / 255) as gatherImages computes it."""
        rows = [int(self.offsets[c]) + int(i) for c, i in picks]
        return (self.pixels[rows].astype(np.float64) * (1.0 / 255)).astype(np.float32)


class Episode:
    def __init__(self, classes, support, query, shot, query_per_class):
        self.classes = classes
        self.way = len(classes)
        self.support = support  # [(class, image)], label-major
        self.query = query
        self.shot = shot
        self.query_per_class = query_per_class

    def labels(self, which):
        per = self.shot if which == 'support' else self.query_per_class
        return np.repeat(np.arange(self.way), per)


def sample_episode(images, pool, settings, rng):
    way, shot, query = settings['way'], settings['shot'], settings['query']
    chosen = [pool[i] for i in rng.sample_indices(len(pool), way)]
    support, queries = [], []
    for c in chosen:
        idx = rng.sample_indices(images.count(c), shot + query)
        support += [(c, i) for i in idx[:shot]]
        queries += [(c, i) for i in idx[shot:]]
    return Episode(chosen, support, queries, shot, query)


def episode_at(images, pool, settings, seed, index):
    return sample_episode(images, pool, settings, Rng(seed).derive(f'episode:{index}'))


def listed_episode(entry, settings):
    shot, query = settings['shot'], settings['query']
    classes = entry['classes']
    support = [(classes[k // shot], i) for k, i in enumerate(entry['support'])]
    queries = [(classes[k // query], i) for k, i in enumerate(entry['query'])]
    return Episode(classes, support, queries, shot, query)


def augment_images(x, max_shift, flip, rng):
    """core/data/augment.ts: shifts by whole pixels (zero fill) and mirrors, per image, in this order of draws."""
    n, h, w, _ = x.shape
    out = np.zeros_like(x)
    m = max(0, int(math.floor(max_shift)))
    ys, xs = np.arange(h), np.arange(w)
    for k in range(n):
        dy = rng.int(2 * m + 1) - m if m > 0 else 0
        dx = rng.int(2 * m + 1) - m if m > 0 else 0
        mirrored = bool(flip) and rng.next() < 0.5
        sy = ys - dy
        sx = (w - 1 - xs if mirrored else xs) - dx
        vy = (sy >= 0) & (sy < h)
        vx = (sx >= 0) & (sx < w)
        out[k][np.ix_(ys[vy], xs[vx])] = x[k][np.ix_(sy[vy], sx[vx])]
    return out


# ------------------------------------------------------------------------------------------------
# Weights: core names and layouts in the files, torch layouts in memory.

def is_conv_kernel(name):
    return name.endswith('/conv/kernel')


def to_torch(name, array, device):
    t = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
    if is_conv_kernel(name):
        t = t.permute(3, 2, 0, 1).contiguous()  # HWIO -> OIHW
    return t.to(device)


def to_core(name, tensor):
    t = tensor.detach().float().cpu()
    if is_conv_kernel(name):
        t = t.permute(2, 3, 1, 0).contiguous()  # OIHW -> HWIO
    return t.numpy()


def blocks_of(params, prefix=''):
    n = 0
    while f'{prefix}block{n}/conv/kernel' in params:
        n += 1
    return n


def conv4(params, x, mode, stats=None, collect=None, prefix=''):
    """Images NCHW -> embeddings [n, D] in the core's (NHWC) flattening order.
    mode 'batch': each block normalised with the batch's mean and biased variance (passed to
    `collect`); 'stats': with given statistics {'block{i}/mean', 'block{i}/variance'}."""
    for b in range(blocks_of(params, prefix)):
        name = f'{prefix}block{b}'
        x = F.conv2d(x, params[f'{name}/conv/kernel'], padding=1)
        if mode == 'batch':
            mean = x.mean(dim=(0, 2, 3))
            variance = ((x - mean.view(1, -1, 1, 1)) ** 2).mean(dim=(0, 2, 3))
            if collect is not None:
                collect(f'block{b}', mean, variance)
        else:
            mean, variance = stats[f'block{b}/mean'], stats[f'block{b}/variance']
        scale = params[f'{name}/bn/gamma'] * torch.rsqrt(variance + BN_EPSILON)
        x = (x - mean.view(1, -1, 1, 1)) * scale.view(1, -1, 1, 1) + params[f'{name}/bn/beta'].view(1, -1, 1, 1)
        x = F.max_pool2d(F.relu(x), 2, 2)
    return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)


def batch_statistics(params, x, prefix=''):
    stats = {}

    def collect(block, mean, variance):
        stats[f'{block}/mean'] = mean
        stats[f'{block}/variance'] = variance

    conv4(params, x, 'batch', collect=collect, prefix=prefix)
    return stats


def nchw(x, device):
    return torch.from_numpy(x).to(device).permute(0, 3, 1, 2).contiguous()


def glorot_uniform(shape, fan_in, fan_out, rng):
    limit = math.sqrt(6 / (fan_in + fan_out))
    size = int(np.prod(shape))
    return np.array([rng.uniform(-limit, limit) for _ in range(size)], dtype=np.float32).reshape(shape)


def proto_logits(queries, protos):
    qq = (queries ** 2).sum(1, keepdim=True)
    pp = (protos ** 2).sum(1).view(1, -1)
    return -((qq - 2 * queries @ protos.t()) + pp)


def prototypes(embeddings, labels, way):
    one_hot = F.one_hot(labels, way).float()
    return (one_hot.t() @ embeddings) / one_hot.sum(0).view(-1, 1)


# ------------------------------------------------------------------------------------------------
# The methods: each has its learnable tensors (params, trained by Adam; buffers, not) and
# - loss(params, episode tensors) for one training episode: (loss, hits, batch statistics or None)
# - predict(params, support, support labels, way, queries): query logits after adaptation.

class ProtoNet:
    def __init__(self, hyper, seed, weights, device):
        self.h = hyper
        self.params = {k[len('params/'):]: to_torch(k, v, device) for k, v in weights.items() if k.startswith('params/')}
        self.buffers = {k[len('running/'):]: to_torch(k, v, device) for k, v in weights.items() if k.startswith('running/')}

    def learning_rate(self, step):
        every, factor = self.h['lrDecayEvery'], self.h['lrDecayFactor']
        return self.h['learningRate'] * (factor ** math.floor(step / every) if every > 0 else 1)

    def episode_loss(self, params, task):
        stats = {}
        s = task['support'].shape[0]
        emb = conv4(params, torch.cat([task['support'], task['query']]), 'batch', collect=lambda b, m, v: stats.update({f'{b}/mean': m.detach(), f'{b}/variance': v.detach()}))
        protos = prototypes(emb[:s], task['support_labels'], task['way'])
        logits = proto_logits(emb[s:], protos)
        return F.cross_entropy(logits, task['query_labels']), (logits.argmax(1) == task['query_labels']).sum(), stats

    def batch_loss(self, params, tasks, batch):
        return episode_mean_loss(self, params, tasks, batch)

    def after_step(self, stats):
        m = self.h['batchNormMomentum']
        for name, value in stats.items():
            self.buffers[name] = self.buffers[name] * (1 - m) + value * m

    def embed(self, params, x):
        if self.h['batchNormAtTest'] == 'running':
            return conv4(params, x, 'stats', stats=self.buffers)
        return conv4(params, x, 'batch')

    def predict(self, params, support, support_labels, way, queries):
        with torch.no_grad():
            protos = prototypes(self.embed(params, support), support_labels, way)
            return proto_logits(self.embed(params, queries), protos)

    def state(self, params):
        out = {f'params/{k}': to_core(k, v) for k, v in params.items()}
        out.update({f'running/{k}': to_core(k, v) for k, v in self.buffers.items()})
        return out


def episode_mean_loss(method, params, tasks, batch):
    """This process's share of the step's loss (the mean over the meta-batch's episodes), hits and
    the batch statistics of the step's last episode when this process has it."""
    total, hits, stats = None, 0, {}
    for index, task in tasks:
        loss, h, s = method.episode_loss(params, task)
        total = loss if total is None else total + loss
        hits = hits + h
        if index == batch - 1 and s:
            stats = s
    return (None if total is None else total / batch), hits, stats


def head_logits(params, emb):
    return emb @ params['head/kernel'] + params['head/bias']


class Maml:
    def __init__(self, hyper, seed, weights, device, second_order, way, features):
        self.h = hyper
        self.second_order = second_order
        self.params = {k[len('params/'):]: to_torch(k, v, device) for k, v in weights.items() if k.startswith('params/')}
        self.buffers = {}
        if 'head/kernel' not in self.params:
            # The output layer the core makes on the first episode (lazyHead.ts), from the same seed.
            head_seed = Rng(seed).derive('maml-head').next_uint32()
            kernel = glorot_uniform([features, way], features, way, Rng(head_seed))
            self.params['head/kernel'] = torch.from_numpy(kernel).to(device)
            self.params['head/bias'] = torch.zeros(way, device=device)

    def learning_rate(self, step):
        return self.h['learningRate']

    def support_loss(self, params, x, y):
        return F.cross_entropy(head_logits(params, conv4(params, x, 'batch')), y)

    def adapt(self, params, x, y, steps, create_graph):
        names = list(params)
        for _ in range(steps):
            grads = torch.autograd.grad(self.support_loss(params, x, y), [params[n] for n in names], create_graph=create_graph)
            # First order: the gradients are constants (no graph), so the meta-gradient is the
            # query loss's gradient at the adapted parameters.
            params = {n: params[n] - self.h['innerLearningRate'] * g for n, g in zip(names, grads)}
        return params

    def query_logits(self, adapted, support, queries):
        if self.h['batchNormAtTest'] == 'support':
            return head_logits(adapted, conv4(adapted, queries, 'stats', stats=batch_statistics(adapted, support)))
        return head_logits(adapted, conv4(adapted, queries, 'batch'))

    def episode_loss(self, params, task):
        adapted = self.adapt(params, task['support'], task['support_labels'], self.h['innerSteps'], self.second_order)
        logits = self.query_logits(adapted, task['support'], task['query'])
        return F.cross_entropy(logits, task['query_labels']), (logits.argmax(1) == task['query_labels']).sum(), None

    def batch_loss(self, params, tasks, batch):
        return episode_mean_loss(self, params, tasks, batch)

    def after_step(self, stats):
        pass

    def predict(self, params, support, support_labels, way, queries):
        with torch.enable_grad():
            start = {n: p.detach().clone().requires_grad_(True) for n, p in params.items()}
            p = start
            for _ in range(self.h['testInnerSteps']):
                p = {n: t.detach().requires_grad_(True) for n, t in self.adapt(p, support, support_labels, 1, False).items()}
        with torch.no_grad():
            return self.query_logits(p, support, queries)

    def state(self, params):
        return {f'params/{k}': to_core(k, v) for k, v in params.items()}


class MetaLstm:
    """The LSTM meta-learner (core/methods/metalstm.ts, metaLstmCell.ts): a coordinate-wise LSTM whose
    cell state is the learner's parameters, T updates c_t = f_t * c_{t-1} - i_t * g_t on the support
    set from the learned theta_0; the learner's gradient and loss are inputs the meta-gradient does
    not flow through (the paper's dropped Hessian term). Every learner parameter is one coordinate."""
    P = 10.0

    def __init__(self, hyper, seed, weights, device, way, features):
        self.h = hyper
        self.params = {k: to_torch(k, v, device) for k, v in weights.items()}
        self.buffers = {}
        if 'learner/head/kernel' not in self.params:
            head_seed = Rng(seed).derive('meta-lstm-head').next_uint32()
            kernel = glorot_uniform([features, way], features, way, Rng(head_seed))
            self.params['learner/head/kernel'] = torch.from_numpy(kernel).to(device)
            self.params['learner/head/bias'] = torch.zeros(way, device=device)

    def learning_rate(self, step):
        return self.h['learningRate']

    @staticmethod
    def split(params):
        learner = {k[len('learner/'):]: v for k, v in params.items() if k.startswith('learner/')}
        meta = {k[len('metaLearner/'):]: v for k, v in params.items() if k.startswith('metaLearner/')}
        return learner, meta

    def preprocess(self, x):
        """(log|x| / p, sign x) where |x| >= e^-p, else (-1, e^p x): rows [2, n]."""
        x = x.reshape(1, -1)
        large = x.abs() >= math.exp(-self.P)
        log_magnitude = torch.where(large, torch.log(x.abs().clamp_min(1e-38)) / self.P, torch.full_like(x, -1.0))
        sign_or_scaled = torch.where(large, torch.sign(x), x * math.exp(self.P))
        return torch.cat([log_magnitude, sign_or_scaled])

    def updates(self, learner, meta, x, y, steps):
        """The learner after `steps` meta-learner updates from `learner` (differentiable with respect
        to the meta-learner's weights and the starting parameters)."""
        names = list(learner)
        sizes = [learner[n].numel() for n in names]
        c = torch.cat([learner[n].reshape(-1) for n in names]).reshape(1, -1)
        n = c.shape[1]
        hidden_size = meta['lstm/kernel'].shape[1] // 4
        hidden = torch.zeros(hidden_size, n, device=c.device)
        memory = torch.zeros(hidden_size, n, device=c.device)
        forget_logit = torch.zeros(1, n, device=c.device)
        input_logit = torch.zeros(1, n, device=c.device)
        kernel, bias = meta['lstm/kernel'], meta['lstm/bias']
        fk, fb = meta['cell/forget/kernel'].reshape(-1), meta['cell/forget/bias']
        ik, ib = meta['cell/input/kernel'].reshape(-1), meta['cell/input/bias']

        def unflatten(flat):
            out, at = {}, 0
            for name, size in zip(names, sizes):
                out[name] = flat[0, at:at + size].reshape(learner[name].shape)
                at += size
            return out

        for _ in range(steps):
            # The learner's loss and gradient at c_{t-1}, as constants.
            with torch.enable_grad():
                point = c.detach().requires_grad_(True)
                loss = F.cross_entropy(head_logits(unflatten(point), conv4(unflatten(point), x, 'batch')), y)
                gradient = torch.autograd.grad(loss, point)[0].detach()
            loss = loss.detach()
            rows = torch.cat([self.preprocess(loss).expand(2, n), self.preprocess(gradient), hidden])  # [4 + h, n]
            gate = [kernel[:, g * hidden_size:(g + 1) * hidden_size].t() @ rows + bias[g * hidden_size:(g + 1) * hidden_size].view(-1, 1) for g in range(4)]
            memory = torch.sigmoid(gate[1]) * memory + torch.sigmoid(gate[0]) * torch.tanh(gate[2])
            hidden = torch.sigmoid(gate[3]) * torch.tanh(memory)
            cell = lambda k, b, previous: (k[:hidden_size].view(1, -1) @ hidden) + k[hidden_size] * c + k[hidden_size + 1] * previous + b
            forget_logit, input_logit = cell(fk, fb, forget_logit), cell(ik, ib, input_logit)
            c = torch.sigmoid(forget_logit) * c - torch.sigmoid(input_logit) * gradient
        return unflatten(c)

    def query_logits(self, adapted, support, queries):
        if self.h['batchNormAtTest'] == 'support':
            return head_logits(adapted, conv4(adapted, queries, 'stats', stats=batch_statistics(adapted, support)))
        return head_logits(adapted, conv4(adapted, queries, 'batch'))

    def episode_loss(self, params, task):
        learner, meta = self.split(params)
        adapted = self.updates(learner, meta, task['support'], task['support_labels'], self.h['updates'])
        logits = self.query_logits(adapted, task['support'], task['query'])
        return F.cross_entropy(logits, task['query_labels']), (logits.argmax(1) == task['query_labels']).sum(), None

    def batch_loss(self, params, tasks, batch):
        return episode_mean_loss(self, params, tasks, batch)

    def clip(self, parameters):
        """GradientSum.mean's clipping: the mean meta-gradient scaled down to a global norm of gradientClip."""
        limit = self.h['gradientClip']
        grads = [p.grad for p in parameters if p.grad is not None]
        norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads)).item()
        if limit > 0 and norm > limit:
            for g in grads:
                g.mul_(limit / norm)

    def after_step(self, stats):
        pass

    def predict(self, params, support, support_labels, way, queries):
        learner, meta = self.split({k: v.detach() for k, v in params.items()})
        with torch.no_grad():
            adapted = self.updates(learner, meta, support, support_labels, self.h['updates'])
            return self.query_logits(adapted, support, queries)

    def state(self, params):
        return {k: to_core(k, v) for k, v in params.items()}


class FineTune:
    """The fine-tuning baseline (core/methods/finetune.ts) with a frozen backbone at test time: a new
    head per episode fitted by full-batch Adam on the support features (headFitting.ts)."""

    def __init__(self, hyper, seed, weights, device, train_classes):
        self.h = hyper
        self.seed = seed
        self.train_classes = list(train_classes)
        self.row_of = {c: r for r, c in enumerate(self.train_classes)}
        self.params = {k[len('params/'):]: to_torch(k, v, device) for k, v in weights.items() if k.startswith('params/')}
        self.buffers = {k[len('running/'):]: to_torch(k, v, device) for k, v in weights.items() if k.startswith('running/')}
        if self.h.get('finetuneBackbone', 'no') != 'no':
            raise SystemExit("run.py fits the new head on a frozen backbone; finetuneBackbone 'yes' is not exported yet.")

    def learning_rate(self, step):
        return self.h['learningRate']

    def logits(self, head, features):
        if self.h['head'] == 'cosine':
            f = features * torch.rsqrt((features ** 2).sum(1, keepdim=True) + 1e-12)
            k = head['kernel'] * torch.rsqrt((head['kernel'] ** 2).sum(0, keepdim=True) + 1e-12)
            return (f @ k) * self.h['cosineScale']
        return features @ head['kernel'] + head['bias']

    def batch_loss(self, params, tasks, batch):
        """Pre-training: every support and query image of the step's episodes in one batch, labelled
        with its meta-train class (trainStep of finetune.ts). Under torchrun each process's batch is
        its share of the episodes (batch statistics per process)."""
        if not tasks:
            return None, 0, {}
        stats = {}
        x = torch.cat([t[k] for _, t in tasks for k in ('support', 'query')])
        labels = []
        for _, t in tasks:
            rows = torch.tensor([self.row_of[c] for c in t['global_classes']], device=x.device)
            labels += [rows[t['support_labels']], rows[t['query_labels']]]
        labels = torch.cat(labels)
        emb = conv4(params, x, 'batch', collect=lambda b, m, v: stats.update({f'{b}/mean': m.detach(), f'{b}/variance': v.detach()}))
        logits = self.logits({'kernel': params['head/kernel'], 'bias': params.get('head/bias')}, emb)
        per_episode = x.shape[0] / len(tasks)
        loss = F.cross_entropy(logits, labels, reduction='sum') / (per_episode * batch)
        return loss, (logits.argmax(1) == labels).sum(), stats

    def after_step(self, stats):
        m = self.h['batchNormMomentum']
        for name, value in stats.items():
            self.buffers[name] = self.buffers[name] * (1 - m) + value * m

    def predict(self, params, support, support_labels, way, queries):
        with torch.no_grad():
            fs = conv4(params, support, 'stats', stats=self.buffers)
            fq = conv4(params, queries, 'stats', stats=self.buffers)
        fs, fq = fs.double(), fq.double()
        features = fs.shape[1]
        limit = 1 / math.sqrt(features)
        # initHeadValues from Rng(seed).derive('episode-head:<way>'): the same start for every episode.
        rng = Rng(self.seed).derive(f'episode-head:{way}')
        kernel = np.array([rng.uniform(-limit, limit) for _ in range(features * way)], dtype=np.float32).reshape(features, way)
        head = {'kernel': torch.from_numpy(kernel).double().to(fs.device).requires_grad_(True)}
        if self.h['head'] == 'linear':
            head['bias'] = torch.zeros(way, dtype=torch.float64, device=fs.device, requires_grad=True)
        # headFitting.ts: full-batch Adam in float64 on the frozen features, weight decay as an L2 penalty.
        opt = torch.optim.Adam(list(head.values()), lr=self.h['adaptLearningRate'], betas=(0.9, 0.999), eps=1e-8)
        with torch.enable_grad():
            for _ in range(self.h['adaptSteps']):
                opt.zero_grad()
                loss = F.cross_entropy(self.logits(head, fs), support_labels) + 0.5 * self.h['adaptWeightDecay'] * (head['kernel'] ** 2).sum()
                loss.backward()
                opt.step()
        with torch.no_grad():
            return self.logits(head, fq)

    def state(self, params):
        out = {f'params/{k}': to_core(k, v) for k, v in params.items()}
        out.update({f'running/{k}': to_core(k, v) for k, v in self.buffers.items()})
        return out


# ------------------------------------------------------------------------------------------------
# The experiment

class Experiment:
    def __init__(self, folder, device, weights_file):
        self.folder = folder
        self.device = device
        with open(os.path.join(folder, 'config.json')) as f:
            self.config = json.load(f)
        with open(os.path.join(folder, 'split.json')) as f:
            self.split = json.load(f)
        with open(os.path.join(folder, 'episodes.json')) as f:
            self.test_episodes = json.load(f)
        data = np.load(os.path.join(folder, 'images.npz'))
        self.images = Images(data['pixels'], data['class_offsets'])
        self.test_images = Images(data['test_pixels'], data['test_class_offsets']) if 'test_pixels' in data else self.images
        self.weights_file = weights_file
        weights = dict(np.load(weights_file))
        c = self.config
        self.method_name = c['method']
        hyper = c['hyperparameters']
        seed = c['seed']
        h, w = c['image']['height'], c['image']['width']
        if self.method_name == 'protonet':
            self.method = ProtoNet(hyper, seed, weights, device)
        elif self.method_name in ('maml', 'fomaml'):
            filters = weights['params/block0/conv/kernel'].shape[3]
            blocks = sum(1 for k in weights if k.startswith('params/block') and k.endswith('/conv/kernel'))
            for _ in range(blocks):
                h, w = h // 2, w // 2
            self.method = Maml(hyper, seed, weights, device, self.method_name == 'maml', c['trainSettings']['way'], h * w * filters)
        elif self.method_name == 'metalstm':
            filters = weights['learner/block0/conv/kernel'].shape[3]
            blocks = sum(1 for k in weights if k.startswith('learner/block') and k.endswith('/conv/kernel'))
            for _ in range(blocks):
                h, w = h // 2, w // 2
            self.method = MetaLstm(hyper, seed, weights, device, c['trainSettings']['way'], h * w * filters)
        elif self.method_name == 'finetune':
            self.method = FineTune(hyper, seed, weights, device, self.split['train'])
        else:
            raise SystemExit(f'run.py does not implement the method "{self.method_name}".')

    def tensors(self, episode, images, augment_rng=None):
        support = images.gather(episode.support)
        query = images.gather(episode.query)
        if augment_rng is not None:
            a = self.config['augment']
            support = augment_images(support, a['maxShift'], a['flip'], augment_rng)
            query = augment_images(query, a['maxShift'], a['flip'], augment_rng)
        d = self.device
        return {
            'way': episode.way,
            'global_classes': episode.classes,
            'support': nchw(support, d),
            'query': nchw(query, d),
            'support_labels': torch.from_numpy(episode.labels('support')).to(d),
            'query_labels': torch.from_numpy(episode.labels('query')).to(d),
        }

    def check_sampler(self):
        """The port of the core's sampler must draw the exported test episodes; else training
        episodes would differ from the browser's (evaluation reads the lists and is unaffected)."""
        listed = self.test_episodes['episodes'][:3]
        settings = self.test_episodes['settings']
        for i, entry in enumerate(listed):
            e = episode_at(self.test_images, self.split['test'], settings, self.test_episodes['seed'], i)
            if e.classes != entry['classes'] or [j for _, j in e.support] != entry['support'] or [j for _, j in e.query] != entry['query']:
                print('warning: this script\'s sampler does not reproduce the exported test episodes; training episodes will differ from the browser\'s.', file=sys.stderr)
                return False
        return True

    def evaluate_episodes(self, params, episodes, images):
        """Per-episode accuracy and each query's predicted label."""
        accuracies, predictions = [], []
        for e in episodes:
            t = self.tensors(e, images)
            logits = self.method.predict(params, t['support'], t['support_labels'], e.way, t['query'])
            predicted = logits.argmax(1)
            predictions.append(predicted.cpu().tolist())
            accuracies.append(float((predicted == t['query_labels']).sum().item()) / len(e.query))
        return accuracies, predictions

    def evaluate(self, params):
        settings = self.test_episodes['settings']
        episodes = [listed_episode(entry, settings) for entry in self.test_episodes['episodes']]
        return self.evaluate_episodes(params, episodes, self.test_images)

    def validate(self, params):
        c = self.config
        episodes = [episode_at(self.images, self.split['val'], c['testSettings'], c['valSeed'], i) for i in range(c['valEpisodes'])]
        return self.evaluate_episodes(params, episodes, self.images)[0]


def summary(values):
    n = len(values)
    if n == 0:
        return {'mean': None, 'ci95': None, 'std': None, 'episodes': 0}
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {'mean': mean, 'ci95': 1.96 * std / math.sqrt(n), 'std': std, 'episodes': n}


def train(exp, steps, log):
    """Meta-training from the exported weights, continuing the run's episode sequence at the step it
    was exported at. Under torchrun, each process takes every world-th task of a meta-batch and
    DistributedDataParallel averages the gradients."""
    import torch.distributed as dist
    c = exp.config
    world = int(os.environ.get('WORLD_SIZE', '1'))
    rank = int(os.environ.get('RANK', '0'))
    distributed = world > 1
    if distributed:
        dist.init_process_group('nccl' if exp.device.type == 'cuda' else 'gloo')
    method = exp.method
    names = list(method.params)

    class Learner(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = torch.nn.ParameterList([torch.nn.Parameter(method.params[n].clone()) for n in names])

        def named(self):
            return dict(zip(names, self.weights))

        def forward(self, tasks, batch):
            total, hits, stats = method.batch_loss(self.named(), tasks, batch)
            if total is None:  # more processes than tasks: this one adds nothing
                total = sum(w.sum() for w in self.weights) * 0.0
            hits = torch.as_tensor(hits, device=exp.device).float()
            # DDP averages the gradients over processes; each share is already of the global mean.
            return total * world, hits, stats

    learner = Learner().to(exp.device)
    model = torch.nn.parallel.DistributedDataParallel(learner) if distributed else learner
    optimizer = torch.optim.Adam(learner.parameters(), lr=method.learning_rate(0), betas=(0.9, 0.999), eps=1e-8)
    batch = c['metaBatch']
    start = c['run']['stepsDone']
    augmenting = c['augment']['maxShift'] > 0 or c['augment']['flip']
    points, validation = [], []
    status, message = 'done', None
    t0 = time.time()
    for step in range(start, steps):
        lr = method.learning_rate(step)
        for group in optimizer.param_groups:
            group['lr'] = lr
        tasks = []
        for b in range(rank, batch, world):
            index = step * batch + b
            e = episode_at(exp.images, exp.split['train'], c['trainSettings'], c['seed'], index)
            tasks.append((b, exp.tensors(e, exp.images, Rng(c['seed']).derive(f'augment:{index}') if augmenting else None)))
        optimizer.zero_grad()
        loss, hits, stats = model(tasks, batch)
        loss.backward()
        totals = torch.stack([loss.detach() / world, hits.detach().float()])
        if distributed:
            dist.all_reduce(totals)
            owner = (batch - 1) % world
            for name in sorted(method.buffers):
                value = stats.get(name, torch.zeros_like(method.buffers[name])).contiguous()
                dist.broadcast(value, owner)
                stats[name] = value
        loss_value = float(totals[0])
        ts = c['trainSettings']
        # What the core's accuracy counts: the queries (fine-tuning: every image, support too).
        queries = batch * ts['way'] * (ts['query'] + (ts['shot'] if exp.method_name == 'finetune' else 0))
        if not math.isfinite(loss_value):
            status, message = 'diverged', f'Training diverged at step {step + 1}: the loss is not finite. Lower the learning rate and train again.'
            points.append({'step': step + 1, 'loss': None, 'accuracy': float(totals[1]) / queries, 'learningRate': lr, 'elapsed': time.time() - t0})
            break
        if hasattr(method, 'clip'):
            method.clip(learner.parameters())
        optimizer.step()
        method.after_step(stats)
        points.append({'step': step + 1, 'loss': loss_value, 'accuracy': float(totals[1]) / queries, 'learningRate': lr, 'elapsed': time.time() - t0})
        if rank == 0 and ((step + 1) % 10 == 0 or step + 1 == steps):
            log(f'step {step + 1}/{steps}  loss {loss_value:.4f}  acc {100 * points[-1]["accuracy"]:.1f}%')
        if c['valEvery'] > 0 and (step + 1) % c['valEvery'] == 0 and len(exp.split['val']) > 0:
            if rank == 0:
                s = summary(exp.validate(learner.named()))
                validation.append({'step': step + 1, 'metric': 'accuracy', **s})
                log(f'step {step + 1}: validation accuracy {100 * s["mean"]:.1f}% +- {100 * s["ci95"]:.1f}')
            if distributed:
                dist.barrier()
    method.params = {n: t.detach() for n, t in learner.named().items()}
    if distributed:
        dist.barrier()
    return {'points': points, 'validation': validation, 'status': status, 'message': message, 'seconds': time.time() - t0,
            'distributed': distributed, 'rank': rank, 'world': world}


def device_words(device):
    if device.type == 'cuda':
        return f'cuda ({torch.cuda.get_device_name(device)})'
    return f'cpu ({torch.get_num_threads()} threads)'


def state_json(state):
    """The weights inside results.json, so "Import run" keeps them as the run's state (evaluation,
    the episode viewer and backbones then use them): float32 little-endian, base64, core names."""
    return {
        'encoding': 'float32-le-base64',
        'tensors': [{'name': name, 'shape': list(a.shape), 'data': base64.b64encode(np.ascontiguousarray(a, dtype='<f4').tobytes()).decode('ascii')}
                    for name, a in sorted(state.items())],
    }


def results_json(exp, accuracies, trained, total_steps, seconds):
    c = exp.config
    run = c['run']
    setup = dict(run['setup']) if run.get('setup') else None
    processes = trained['world'] if trained else 1
    engine = f'PyTorch {torch.__version__}, {exp.device.type}'
    points = trained['points'] if trained else []
    steps_done = total_steps if trained else run['stepsDone']
    if trained and trained['status'] == 'diverged':
        steps_done = points[-1]['step']
    if setup is not None:
        setup['steps'] = max(int(setup.get('steps', 0)), steps_done)
    labels = dict(c['labels'])
    labels['engine'] = engine
    last = points[-1] if points else None
    where = 'trained' if trained else 'evaluated'
    s = summary(accuracies)
    return {
        'format': 'few-shot-lab-run',
        'version': 1,
        'id': f'pytorch-{uuid.uuid4().hex[:12]}',
        'name': f'{run["name"]} · {engine}'[:200],
        'createdAt': datetime.now(timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z'),
        'dataset': run['datasetLabel'],
        'setup': setup,
        'status': trained['status'] if trained else 'done',
        'message': (trained or {}).get('message') or f'{where.capitalize()} elsewhere with run.py: {engine} on {device_words(exp.device)}'
                                                     + (f', {processes} processes (DistributedDataParallel)' if processes > 1 else '')
                                                     + (f', from the browser run "{run["name"]}" at step {run["stepsDone"]}.' if trained else f', the weights of "{run["name"]}".'),
        'backend': None,
        'trainedElsewhere': {
            'engine': 'PyTorch',
            'version': torch.__version__,
            'device': exp.device.type,
            'deviceName': device_words(exp.device),
            'processes': processes,
            'python': platform.python_version(),
            'from': {'id': run['id'], 'name': run['name'], 'stepsDone': run['stepsDone']},
            'weightsFile': os.path.basename(exp.weights_file) if not trained else 'trained_weights.npz',
        },
        'seconds': seconds,
        'stepsDone': steps_done,
        'metaBatch': c['metaBatch'],
        'finalTraining': {'step': last['step'], 'loss': last['loss'], 'accuracy': last['accuracy']} if last else None,
        'validation': trained['validation'] if trained else [],
        'evaluations': [{
            'metric': 'accuracy',
            'episodes': len(accuracies),
            'seed': c['evaluation']['seed'],
            'sampler': c['runConfig']['sampler'],
            'split': c['evaluation']['split'],
            'splitClasses': c['evaluation']['splitClasses'],
            'labels': labels,
            'backend': 'cpu',
            'stoppedEarly': False,
            'results': [{'label': 'accuracy', **s, 'perEpisode': accuracies}],
        }],
        'points': points,
        'state': state_json(exp.method.state(exp.method.params)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split('\n\n', 1)[1])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument('--train', action='store_true', help='train (continuing the run), then evaluate')
    action.add_argument('--evaluate', action='store_true', help='evaluate the weights on the exported test episodes')
    parser.add_argument('--steps', type=int, help="total training steps to reach (default: the run's setting)")
    parser.add_argument('--weights', help='weights to start from or evaluate (default: weights.npz; --evaluate prefers trained_weights.npz when it exists)')
    parser.add_argument('--device', help='cpu, cuda or cuda:N (default: cuda when available)')
    parser.add_argument('--out', default=HERE, help='folder for results.json, predictions.json and trained_weights.npz (default: this folder)')
    parser.add_argument('--threads', type=int, help='CPU threads (torch.set_num_threads)')
    args = parser.parse_args()

    if args.threads:
        torch.set_num_threads(args.threads)
    local_rank = int(os.environ.get('LOCAL_RANK', '0'))
    if args.device:
        device = torch.device(args.device)
    elif torch.cuda.is_available():
        device = torch.device(f'cuda:{local_rank}')
    else:
        device = torch.device('cpu')
    if device.type == 'cuda' and device.index is None:
        device = torch.device(f'cuda:{local_rank}')
    weights = args.weights
    if weights is None:
        trained = os.path.join(HERE, 'trained_weights.npz')
        weights = trained if args.evaluate and os.path.exists(trained) else os.path.join(HERE, 'weights.npz')
    rank = int(os.environ.get('RANK', '0'))
    log = (lambda text: print(text, flush=True)) if rank == 0 else (lambda text: None)
    torch.manual_seed(0)
    exp = Experiment(HERE, device, weights)
    c = exp.config
    log(f'{c["methodTitle"]} on {c["run"]["datasetLabel"]}, {engine_line(device)}; weights {os.path.relpath(weights, HERE)}')
    t0 = time.time()
    trained = None
    total = args.steps if args.steps is not None else max(c['steps'], c['run']['stepsDone'])
    if args.train:
        if total <= c['run']['stepsDone']:
            raise SystemExit(f'Nothing to train: the run has done {c["run"]["stepsDone"]} of {total} steps. Pass --steps N with N > {c["run"]["stepsDone"]}.')
        exp.check_sampler()
        log(f'Training steps {c["run"]["stepsDone"] + 1} to {total}, {c["metaBatch"]} tasks per step')
        trained = train(exp, total, log)
        if trained['rank'] != 0:  # process 0 evaluates and writes the files
            import torch.distributed as dist
            dist.destroy_process_group()
            return
        os.makedirs(args.out, exist_ok=True)
        np.savez(os.path.join(args.out, 'trained_weights.npz'), **exp.method.state(exp.method.params))
    accuracies, predictions = exp.evaluate(exp.method.params)
    s = summary(accuracies)
    log(f'Test accuracy {100 * s["mean"]:.2f}% +- {100 * s["ci95"]:.2f} (95% CI) on {len(accuracies)} exported episodes')
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'results.json'), 'w') as f:
        json.dump(results_json(exp, accuracies, trained, total, time.time() - t0), f, indent=1)
    with open(os.path.join(args.out, 'predictions.json'), 'w') as f:
        json.dump({'episodes': predictions}, f)
    log(f'Wrote {os.path.join(args.out, "results.json")}')
    if trained and trained['distributed']:
        import torch.distributed as dist
        dist.destroy_process_group()


def engine_line(device):
    return f'PyTorch {torch.__version__} on {device_words(device)}'


if __name__ == '__main__':
    main()
