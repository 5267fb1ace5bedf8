#!/usr/bin/env python3
"""PyTorch's time for one training iteration of the yardstick's models, on this
machine, now: the reference that build/bench/train_step divides by.

    /usr/bin/python3 bench/pytorch_ref.py [--models dcgan_mnist,ssl_svhn,ssl_mnist] [--reps 10]
        [--yardstick ../shared/yardstick] [--out build/pytorch_ref.json] [--device cuda]

Runs shared/yardstick/models.py's train_iteration (imported, not copied) with 2
threads and OMP_WAIT_POLICY=PASSIVE (set before torch loads libgomp: idle OpenMP
workers must not spin against OpenBLAS's, see the yardstick's README), and
prints which BLAS torch calls: Debian's torch without OpenBLAS silently falls
back to the reference BLAS, 9x slower. Each model's peak memory is measured as
train_step measures gradschool's: the process's RSS high-water mark while the
model is built and runs its iterations (reset first, freed heap handed back),
and what that added to the RSS before. With --device cuda it times PyTorch
eager on the GPU (each timed iteration ends in a synchronisation: the losses
are read back), the reference of `build/bench/train_step --device cuda`.
Needs Debian's python3 with python3-torch; PyTorch is never a dependency of
gradschool's build or tests.
"""
import os

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')  # before `import torch`

import argparse
import ctypes
import gc
import json
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def loaded_blas():
    """The BLAS/LAPACK shared libraries mapped into this process."""
    with open('/proc/self/maps') as maps:
        paths = {line.split()[-1] for line in maps if '/' in line and ('blas' in line or 'lapack' in line)}
    return sorted(paths)


def status_mib(key):
    """A "Key:   123 kB" line of /proc/self/status, in MiB (None if absent)."""
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith(key + ':'):
                return int(line.split()[1]) / 1024.0
    return None


def reset_peak_memory():
    """Hands freed heap back and resets VmHWM; the RSS now, or None if the reset is refused."""
    gc.collect()
    ctypes.CDLL('libc.so.6').malloc_trim(0)
    try:
        with open('/proc/self/clear_refs', 'w') as clear_refs:
            clear_refs.write('5')
    except OSError:
        return None
    return status_mib('VmRSS')


def load_average():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--models', default='dcgan_mnist,ssl_svhn,ssl_mnist')
    ap.add_argument('--reps', type=int, default=10)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--yardstick', default=os.path.join(HERE, '..', '..', 'shared', 'yardstick'),
                    help='folder holding models.py (default ../shared/yardstick beside the checkout)')
    ap.add_argument('--out', default=None, help='JSON file to write (default: print only)')
    ap.add_argument('--device', default='cpu', help='cpu or cuda')
    args = ap.parse_args()

    sys.path.insert(0, os.path.abspath(args.yardstick))
    import torch
    import models as yardstick

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    blas = loaded_blas()
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, '
          f'OMP_WAIT_POLICY={os.environ.get("OMP_WAIT_POLICY")}')
    print(f'BLAS loaded: {", ".join(blas) or "(none found in /proc/self/maps)"}')
    print(f'torch build BLAS: {torch.__config__.show().split("BLAS_INFO=")[-1].split(",")[0]}')

    result = dict(torch=torch.__version__, threads=torch.get_num_threads(), device=args.device,
                  omp_wait_policy=os.environ.get('OMP_WAIT_POLICY'), blas=blas, models={})
    if args.device.startswith('cuda'):
        torch.backends.cuda.matmul.allow_tf32 = False  # float32 as gradschool computes it
        torch.backends.cudnn.allow_tf32 = False
        result['gpu'] = torch.cuda.get_device_name(0)
        print(f'GPU: {result["gpu"]}, TF32 off')
    for name in [n for n in args.models.split(',') if n]:
        G = D = optimizer_g = optimizer_d = x = z = y = mask = loss_d = loss_g = None  # the last model's: freed first
        rss_before = reset_peak_memory()
        G, D, optimizer_g, optimizer_d, spec = yardstick.build(name, device=args.device)
        x, z, y, mask = yardstick.make_batch(name, device=args.device)
        load_before = load_average()
        times = []
        for rep in range(args.warmup + args.reps):
            start = time.perf_counter()
            loss_d, loss_g = yardstick.train_iteration(spec['kind'], G, D, optimizer_g, optimizer_d, x, z, y, mask)
            float(loss_d), float(loss_g)
            if rep >= args.warmup:
                times.append((time.perf_counter() - start) * 1e3)
        peak = status_mib('VmHWM')
        result['models'][name] = dict(median_ms=statistics.median(times), min_ms=min(times), max_ms=max(times),
                                      reps=len(times), batch=spec['batch'], peak_mib=peak,
                                      added_mib=None if rss_before is None else peak - rss_before,
                                      load_average_before=load_before, load_average_after=load_average())
        print(f'{name:12s} batch {spec["batch"]:3d}: median {statistics.median(times):8.1f} ms per iteration '
              f'(min {min(times):.1f}, max {max(times):.1f}, {len(times)} reps; '
              f'load average {load_before} -> {load_average()}; peak RSS {peak:.1f} MiB)', flush=True)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=1)
        print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
