#!/usr/bin/env python3
"""PyTorch's side of DESIGN.md's kernel benchmark contract (K1a-K11), for `quarry bench --against`.

Measures the same workloads as Quarry's KernelContract module (Sources/KernelContract), the same
way: the same shapes, warm-up runs, then at least 20 timed runs (more, within each workload's run
limit, until --seconds have been timed), and the throughput at the median run, in the contract's
unit. K8 is pure Python with heapq, as DESIGN.md's PyTorch column is; K11 is a PyTorch/torchvision
TinyFasterRCNN exactly as DESIGN.md specifies it. CPU only, torch.set_num_threads(2).

Not run by CI and no test depends on it. How to run (PyTorch and torchvision installed, e.g. in a
venv: `python3 -m venv ~/torchvenv && ~/torchvenv/bin/pip install torch torchvision`):

    ~/torchvenv/bin/python scripts/bench/pytorch_bench.py --json out/pytorch.json
    ~/torchvenv/bin/python scripts/bench/pytorch_bench.py --filter 'K9|K11' --json out/pytorch.json
    .build/release/quarry bench --against out/pytorch.json --json out/quarry.json

Writes {"K1a": {"throughput": ..., "unit": "elem/s", "median_s": ..., "runs": ..., "name": ...},
..., "ceilings": {"sgemm_gflops": ..., "copy_gbps": ...}, "machine": {...}} atomically.
"""

import argparse
import collections
import heapq
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
import torchvision
from torch import nn
from torchvision.models.detection._utils import BalancedPositiveNegativeSampler, Matcher
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.image_list import ImageList
from torchvision.models.detection.roi_heads import RoIHeads
from torchvision.models.detection.rpn import RegionProposalNetwork, RPNHead
from torchvision.ops import batched_nms, box_iou, nms, roi_align, sigmoid_focal_loss

MIN_RUNS = 20  # the contract's median is over at least 20 runs


class Workload:
    """One workload: id, name, unit, work per run, and a prepare step that returns the body to time.

    Timing limits are Quarry's (Workload.Timing): 3 warm-up runs and at most 1,000 timed runs by
    default; the convolutions at most 200, the training step 2 warm-up runs and at most 40.
    """

    def __init__(self, id, name, unit, work, prepare, warmup=3, max_runs=1000):
        self.id, self.name, self.unit, self.work = id, name, unit, work
        self.prepare, self.warmup, self.max_runs = prepare, warmup, max_runs

    def measure(self, min_seconds):
        """Returns (median seconds, timed runs) after the warm-up."""
        body = self.prepare()
        for _ in range(self.warmup):
            body()
        times, elapsed = [], 0.0
        while len(times) < MIN_RUNS or (elapsed < min_seconds and len(times) < self.max_runs):
            start = time.perf_counter()
            body()
            seconds = time.perf_counter() - start
            times.append(seconds)
            elapsed += seconds
        return statistics.median(times), len(times)


def generator(seed):
    return torch.Generator().manual_seed(seed)


def uniform(shape, low, high, g):
    return torch.rand(shape, generator=g) * (high - low) + low


# ---------------------------------------------------------------------------------------------
# K1a, K1b, K2, K3: losses, forward + backward (autograd), as a PyTorch training step runs them.

def focal_loss(count, positive, seed):
    def prepare():
        g = generator(seed)
        logits = uniform(count, -6, 6, g).requires_grad_()
        targets = (torch.rand(count, generator=g) < positive).float()

        def body():
            logits.grad = None
            # Quarry's fused kernel takes the gradient of the mean (grad scale 1/N).
            sigmoid_focal_loss(logits, targets, alpha=0.25, gamma=2, reduction="mean").backward()
        return body
    return prepare


def softmax_cross_entropy():
    g = generator(3)
    logits = uniform((2000, 21), -6, 6, g).requires_grad_()
    labels = torch.randint(0, 21, (2000,), generator=g)
    grad_output = torch.full((2000,), 1 / 2000)

    def body():
        logits.grad = None
        F.cross_entropy(logits, labels, reduction="none").backward(grad_output)
    return body


def smooth_l1():
    g = generator(4)
    inputs = uniform((2000, 4), -6, 6, g).requires_grad_()
    targets = torch.zeros(2000, 4)
    grad_output = torch.full((2000, 4), 1 / 8000)

    def body():
        inputs.grad = None
        F.smooth_l1_loss(inputs, targets, reduction="none", beta=1 / 9).backward(grad_output)
    return body


# ---------------------------------------------------------------------------------------------
# K4a, K4b, K5: selection.

def selection_inputs(count, positive, ignored, seed):
    """Losses uniform in [0, 10); labels +1 / -1 / 0; boxes with corners in [0, 360), sides [8, 128)."""
    g = generator(seed)
    losses = torch.rand(count, generator=g) * 10
    u = torch.rand(count, generator=g)
    labels = torch.where(u < positive, 1, torch.where(u < positive + ignored, -1, 0))
    xy = torch.rand(count, 2, generator=g) * 360
    wh = 8 + torch.rand(count, 2, generator=g) * 120
    return losses, labels, torch.cat([xy, xy + wh], 1)


def ohem_select():
    losses, labels, _ = selection_inputs(120_000, 0.01, 0.05, 11)

    def body():
        # The 256 highest-loss non-ignored anchors with at most 64 positives: the best 64
        # positives and the best 256 negatives hold every possible pick; take the top 256 of them.
        positives = torch.nonzero(labels > 0).squeeze(1)
        negatives = torch.nonzero(labels == 0).squeeze(1)
        positives = positives[losses[positives].topk(min(64, positives.numel())).indices]
        negatives = negatives[losses[negatives].topk(min(256, negatives.numel())).indices]
        candidates = torch.cat([positives, negatives])
        return candidates[losses[candidates].topk(min(256, candidates.numel())).indices]
    return body


def ohem_roi_select():
    losses, labels, boxes = selection_inputs(2000, 0.25, 0, 12)

    def body():
        kept = torch.nonzero(labels >= 0).squeeze(1)
        return kept[nms(boxes[kept], losses[kept], 0.7)[:128]]
    return body


def random_sampler():
    _, labels, _ = selection_inputs(120_000, 0.01, 0.05, 11)
    sampler = BalancedPositiveNegativeSampler(256, 0.5)
    torch.manual_seed(5)
    return lambda: sampler([labels])


# ---------------------------------------------------------------------------------------------
# K6, K7a, K7b, K10: box kernels.

def matcher():
    # 120,000 anchors: a 96x139 stride-8 grid x 9 shapes in torchvision's order, cut to 120,000.
    cell = AnchorGenerator(((16, 32, 64),), ((0.5, 1.0, 2.0),)).cell_anchors[0]
    ys, xs = torch.meshgrid(torch.arange(96) * 8.0, torch.arange(139) * 8.0, indexing="ij")
    shifts = torch.stack([xs.reshape(-1), ys.reshape(-1), xs.reshape(-1), ys.reshape(-1)], 1)
    anchors = (shifts[:, None, :] + cell[None, :, :]).reshape(-1, 4)[:120_000].contiguous()
    g = generator(2024)
    xy = torch.stack([torch.rand(50, generator=g) * 1000, torch.rand(50, generator=g) * 700], 1)
    gt = torch.cat([xy, xy + 12 + torch.rand(50, 2, generator=g) * 188], 1)
    match = Matcher(0.7, 0.3, allow_low_quality_matches=True)
    return lambda: match(box_iou(gt, anchors))


def clustered_boxes():
    """5,000 boxes around 100 centres in an 800x800 image, random scores, 80 classes."""
    rng = random.Random(2024)
    centres = [(rng.uniform(0, 800), rng.uniform(0, 800), rng.uniform(20, 200), rng.uniform(20, 200))
               for _ in range(100)]
    boxes = []
    for _ in range(5000):
        cx, cy, w, h = centres[rng.randrange(100)]
        x, y = cx + 0.15 * w * rng.uniform(-1, 1), cy + 0.15 * h * rng.uniform(-1, 1)
        sw, sh = w * rng.uniform(0.8, 1.2), h * rng.uniform(0.8, 1.2)
        boxes.append([x - sw / 2, y - sh / 2, x + sw / 2, y + sh / 2])
    scores = torch.tensor([rng.random() for _ in range(5000)])
    classes = torch.tensor([rng.randrange(80) for _ in range(5000)])
    return torch.tensor(boxes), scores, classes


def nms_body():
    boxes, scores, _ = clustered_boxes()
    return lambda: nms(boxes, scores, 0.5)


def batched_nms_body():
    boxes, scores, classes = clustered_boxes()
    return lambda: batched_nms(boxes, scores, classes, 0.5)


def roi_align_body():
    g = generator(2024)
    features = uniform((1, 64, 50, 50), -1, 1, g).requires_grad_()
    xy = torch.rand(512, 2, generator=g) * 380
    far = torch.clamp(xy + 16 + torch.rand(512, 2, generator=g) * 184, max=400)
    rois = torch.cat([torch.zeros(512, 1), xy, far], 1)
    grad_output = uniform((512, 64, 7, 7), -1, 1, g)

    def body():
        features.grad = None
        roi_align(features, rois, output_size=(7, 7), spatial_scale=1 / 8, sampling_ratio=2,
                  aligned=True).backward(grad_output)
    return body


# ---------------------------------------------------------------------------------------------
# K8: the hard-negative buffer in pure Python with heapq.

class HardNegativeBuffer:
    """The K highest-scoring hard negatives: a heapq min-heap evicts the lowest score (among equal
    scores the newest), entries are taken out per image on a visit and expire by age in insertion
    order. Removals other than the heap minimum are lazy (an entry's `alive` flag), compacted when
    dead records outnumber live ones, as Quarry's HardNegativeBuffer does."""

    SCORE, IMAGE, ANCHOR, STEP, ALIVE = range(5)

    def __init__(self, capacity):
        self.capacity, self.count, self.sequence = capacity, 0, 0
        self.heap, self.fifo, self.by_image = [], collections.deque(), {}

    def insert(self, image, anchor, score, step):
        if self.capacity == 0:
            return False
        entry = [score, image, anchor, step, True]
        record = (score, -self.sequence, entry)
        self.sequence += 1
        if self.count < self.capacity:
            heapq.heappush(self.heap, record)
            self.count += 1
        else:
            while not self.heap[0][2][self.ALIVE]:
                heapq.heappop(self.heap)
            if score <= self.heap[0][0]:
                return False
            heapq.heapreplace(self.heap, record)[2][self.ALIVE] = False
        self.fifo.append(entry)
        self.by_image.setdefault(image, []).append(entry)
        return True

    def remove_entries(self, image):
        """Takes out an image's entries, highest score first (equal scores: earlier first)."""
        taken = [e for e in self.by_image.pop(image, []) if e[self.ALIVE]]
        for e in taken:
            e[self.ALIVE] = False
        self.count -= len(taken)
        taken.sort(key=lambda e: -e[self.SCORE])
        self._compact()
        return taken

    def remove_expired(self, lifetime, current_step):
        expired = 0
        while self.fifo:
            e = self.fifo[0]
            if e[self.ALIVE]:
                if current_step - e[self.STEP] < lifetime:
                    break
                e[self.ALIVE] = False
                self.count -= 1
                expired += 1
            self.fifo.popleft()
        self._compact()
        return expired

    def _compact(self):
        if len(self.heap) > 2 * self.count + 32:
            self.heap = [r for r in self.heap if r[2][self.ALIVE]]
            heapq.heapify(self.heap)
        if len(self.fifo) > 2 * self.count + 32:
            self.fifo = collections.deque(e for e in self.fifo if e[self.ALIVE])


def hard_negative_buffer():
    rng = random.Random(8)
    candidates = [(rng.randrange(65), rng.randrange(22_500), 0.5 + rng.random() / 2) for _ in range(10_000)]
    buffer = HardNegativeBuffer(1000)

    def body():
        for image, anchor, score in candidates:
            buffer.insert(image, anchor, score, 0)
        buffer.remove_expired(66, 1)
        replayed = 0
        for image in range(65):  # visit every image: take its entries out, replay the best half
            taken = buffer.remove_entries(image)
            replayed += len(taken[: len(taken) // 2])
        return replayed
    return body


# ---------------------------------------------------------------------------------------------
# K9a, K9b: 3x3 convolution forward + backward (input, weight and bias gradients).

def convolution(batch, cin, cout, size, stride):
    out = (size + 2 - 3) // stride + 1

    def prepare():
        g = generator(9)
        x = uniform((batch, cin, size, size), -1, 1, g).requires_grad_()
        w = (torch.randn(cout, cin, 3, 3, generator=g) * 0.05).requires_grad_()
        b = torch.zeros(cout, requires_grad=True)
        seed = uniform((batch, cout, out, out), -1, 1, g)

        def body():
            x.grad = w.grad = b.grad = None
            F.conv2d(x, w, b, stride=stride, padding=1).backward(seed)
        return body
    return prepare, 3 * 2 * batch * cout * cin * 9 * out * out / 1e9


# ---------------------------------------------------------------------------------------------
# K11: TinyFasterRCNN (DESIGN.md "The reference detector") training step, strategy `random`.

class Backbone(nn.Sequential):
    """Five 3x3 convolutions (bias) + GroupNorm (8 groups, 4 for 16 channels) + ReLU; stride 8, 64 channels."""

    def __init__(self):
        layers = []
        for cin, cout, stride in [(3, 16, 2), (16, 32, 2), (32, 32, 1), (32, 64, 2), (64, 64, 1)]:
            conv = nn.Conv2d(cin, cout, 3, stride=stride, padding=1)
            nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(conv.bias)
            layers += [conv, nn.GroupNorm(4 if cout == 16 else 8, cout, eps=1e-5), nn.ReLU(inplace=True)]
        super().__init__(*layers)


class RoIAlignPool(nn.Module):
    """RoI Align 7x7, spatial scale 1/8, sampling ratio 2, aligned (torchvision's MultiScaleRoIAlign is not aligned)."""

    def forward(self, features, proposals, image_shapes):
        return roi_align(features["0"], proposals, output_size=(7, 7), spatial_scale=1 / 8, sampling_ratio=2, aligned=True)


class TinyFasterRCNN(nn.Module):
    MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)

    def __init__(self, num_classes=1):
        super().__init__()
        self.backbone = Backbone()
        anchors = AnchorGenerator(((16, 32, 64),), ((0.5, 1.0, 2.0),))
        # RPNHead: conv 3x3 + ReLU, 1x1 objectness and deltas, normal(std 0.01) init, bias 0.
        self.rpn = RegionProposalNetwork(anchors, RPNHead(64, 9), fg_iou_thresh=0.7, bg_iou_thresh=0.3,
                                         batch_size_per_image=256, positive_fraction=0.5,
                                         pre_nms_top_n=dict(training=2000, testing=1000),
                                         post_nms_top_n=dict(training=512, testing=300), nms_thresh=0.7)
        self.roi_heads = RoIHeads(RoIAlignPool(), TwoMLPHead(64 * 7 * 7, 256), FastRCNNPredictor(256, num_classes + 1),
                                  fg_iou_thresh=0.5, bg_iou_thresh=0.5, batch_size_per_image=128, positive_fraction=0.25,
                                  bbox_reg_weights=(10.0, 10.0, 5.0, 5.0), score_thresh=0.05, nms_thresh=0.5,
                                  detections_per_img=100)

    def forward(self, images, targets):
        """The summed training loss of a batch of RGB 0..255 images (no resize: GeneralizedRCNN without its transform)."""
        x = (images / 255 - self.MEAN) / self.STD
        features = {"0": self.backbone(x)}
        image_list = ImageList(x, [tuple(x.shape[-2:])] * x.shape[0])
        proposals, rpn_losses = self.rpn(image_list, features, targets)
        _, roi_losses = self.roi_heads(features, proposals, image_list.image_sizes, targets)
        return sum(rpn_losses.values()) + sum(roi_losses.values())


def training_step():
    torch.manual_seed(11)
    images = torch.rand(2, 3, 400, 400) * 255
    targets = []
    for _ in range(2):  # 30 random 16-64 px boxes per image
        side = 16 + torch.randint(0, 49, (30,)).float()
        xy = torch.randint(0, 330, (30, 2)).float()
        boxes = torch.cat([xy, torch.clamp(xy + side[:, None], max=400)], 1)
        targets.append({"boxes": boxes, "labels": torch.ones(30, dtype=torch.int64)})
    model = TinyFasterRCNN(num_classes=1).train()
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]  # conv and linear weights
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]  # biases and GroupNorm
    optimizer = torch.optim.SGD([{"params": decay, "weight_decay": 1e-4}, {"params": no_decay, "weight_decay": 0}],
                                lr=0.001, momentum=0.9)

    def body():
        optimizer.zero_grad(set_to_none=True)
        model(images, targets).backward()
        optimizer.step()
    return body


# ---------------------------------------------------------------------------------------------

def workloads():
    k9a, k9a_gflop = convolution(2, 64, 64, 100, 1)
    k9b, k9b_gflop = convolution(2, 3, 32, 400, 2)
    return [
        Workload("K1a", "sigmoid focal loss fwd+bwd 120000x1 (torchvision sigmoid_focal_loss, autograd)", "elem/s",
                 120_000, focal_loss(120_000, 0.01, 1)),
        Workload("K1b", "sigmoid focal loss fwd+bwd 120000x80 (torchvision sigmoid_focal_loss, autograd)", "elem/s",
                 9_600_000, focal_loss(9_600_000, 0.001, 2)),
        Workload("K2", "softmax CE per-sample loss + grad 2000x21 (F.cross_entropy)", "rows/s", 2000, softmax_cross_entropy),
        Workload("K3", "smooth L1 fwd+bwd 2000x4 (F.smooth_l1_loss)", "elem/s", 8000, smooth_l1),
        Workload("K4a", "OHEM select top-256 by loss, pos cap 0.25, 120000 anchors 1% positive (topk)", "anchors/s",
                 120_000, ohem_select),
        Workload("K4b", "OHEM RoI select NMS 0.7 by loss, top 128 of 2000 RoIs (torchvision nms)", "RoIs/s", 2000,
                 ohem_roi_select),
        Workload("K5", "random balanced sampler 256, fraction 0.5, 120000 labels (BalancedPositiveNegativeSampler)",
                 "anchors/s", 120_000, random_sampler),
        Workload("K6", "IoU matrix + matcher 120000x50 (box_iou + Matcher 0.7/0.3, low-quality)", "pairs/s",
                 6_000_000, matcher),
        Workload("K7a", "NMS 0.5 5000 clustered boxes (torchvision nms)", "boxes/s", 5000, nms_body),
        Workload("K7b", "batched NMS 0.5 80 classes 5000 boxes (torchvision batched_nms)", "boxes/s", 5000, batched_nms_body),
        Workload("K8", "hard-negative buffer insert + sample 50%, 10,000 into capacity 1,000 (Python heapq)", "cand/s",
                 10_000, hard_negative_buffer),
        Workload("K9a", "conv 3x3 fwd+bwd 2x64->64x100^2 s1 (F.conv2d)", "GFLOP/s", k9a_gflop, k9a, max_runs=200),
        Workload("K9b", "conv 3x3 fwd+bwd 2x3->32x400^2 s2 (F.conv2d)", "GFLOP/s", k9b_gflop, k9b, max_runs=200),
        Workload("K10", "RoI Align fwd+bwd 512 RoIs 64ch 50x50 7x7 s2 aligned (torchvision roi_align)", "RoIs/s", 512,
                 roi_align_body),
        Workload("K11", "TinyFasterRCNN training step (random) 2x400^2 (torchvision RPN + RoIHeads)", "images/s", 2,
                 training_step, warmup=2, max_runs=40),
    ]


def ceilings(min_seconds):
    """sgemm 1024^3 through torch.mm (GFLOP/s) and the copy of a 512 MiB tensor (GB/s, read + write)."""
    def gemm():
        a, b, c = torch.rand(1024, 1024), torch.rand(1024, 1024), torch.empty(1024, 1024)
        return lambda: torch.mm(a, b, out=c)

    def copy():
        source, destination = torch.ones(128 << 20), torch.zeros(128 << 20)
        return lambda: destination.copy_(source)
    sgemm = Workload("GEMM", "sgemm 1024^3 (torch.mm)", "GFLOP/s", 2 * 1024 ** 3 / 1e9, gemm)
    memcpy = Workload("COPY", "memory copy 512 MiB (Tensor.copy_)", "GB/s", 2 * (512 << 20) / 1e9, copy, warmup=2, max_runs=100)
    return {w.id: w.work / w.measure(min_seconds)[0] for w in (sgemm, memcpy)}


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    except OSError:
        pass
    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    return {"cpu_model": model, "implementation": f"PyTorch {torch.__version__} / torchvision {torchvision.__version__}",
            "blas": blas.group(1) if blas else "unknown", "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "threads": torch.get_num_threads(), "python": platform.python_version()}


def write_atomically(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".tmp-")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filter", help="only workloads whose id or name matches this regular expression")
    parser.add_argument("--json", help="write the results to this file (atomically)")
    parser.add_argument("--seconds", type=float, default=1.0, help="time each workload at least this long (within its run limit)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (the contract's: 2)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    chosen = [w for w in workloads() if not args.filter or re.search(args.filter, w.id) or re.search(args.filter, w.name)]
    if not chosen:
        sys.exit(f"--filter {args.filter!r} matches no workload")

    info = machine()
    print(f"CPU: {info['cpu_model']}\n{info['implementation']}, BLAS {info['blas']}, {info['cpu_capability']}\nthreads: {info['threads']}")
    with torch.no_grad():
        measured_ceilings = ceilings(args.seconds)
    print(f"ceilings: sgemm 1024^3 {measured_ceilings['GEMM']:.3g} GFLOP/s (torch.mm); memory copy 512 MiB "
          f"{measured_ceilings['COPY']:.3g} GB/s (read + write)")
    results = {}
    for w in chosen:
        median, runs = w.measure(args.seconds)
        throughput = w.work / median
        results[w.id] = {"throughput": throughput, "unit": w.unit, "median_s": median, "runs": runs, "name": w.name}
        print(f"{w.id:<5}{w.name[:70]:<71}{throughput:.3g} {w.unit}  ({median * 1e3:.3g} ms, {runs} runs)", flush=True)
    results["ceilings"] = {"sgemm_gflops": measured_ceilings["GEMM"], "copy_gbps": measured_ceilings["COPY"]}
    results["machine"] = info
    if args.json:
        write_atomically(args.json, json.dumps(results, indent=2, sort_keys=True) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
