#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""hostile-schedule.py: the hostile host's mutation schedule, computed
outside the kernel from the same function as hs_hostile.c, so a failure
line's seed tells which completion got which mutation.

    tests/hostsim/hostile-schedule.py SEED RELID [--rate 150]
        [--classes default] [--vstor] [--events 200]

prints "event N: CLASS" for every completion (event) of channel RELID that
the host mutates, N from 0. --vstor for storage channels (where sense and
xfer apply). The host logs the same lines as
"hv_hostsim: hostile seed=S relid R event N: CLASS: ...".
"""
import argparse

NAMES = ["bogus_id", "stale_id", "short", "long", "oversized", "sense",
         "xfer", "unsolicited", "bad_type", "bad_desc", "rewrite", "chmsg"]
DEFAULT = [n for n in NAMES if n not in ("bad_desc", "rewrite")]
M64 = (1 << 64) - 1


def mix(x):
    """splitmix64 finaliser, as hs_h_mix()."""
    x = (x + 0x9e3779b97f4a7c15) & M64
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M64
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M64
    return x ^ (x >> 31)


def classes(spec):
    out = set()
    for w in spec.split(","):
        w = w.strip()
        if w == "default":
            out |= set(DEFAULT)
        elif w == "all":
            out |= set(NAMES)
        elif w and w != "none":
            if w not in NAMES:
                raise SystemExit("unknown class " + w)
            out.add(w)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("seed", type=int)
    ap.add_argument("relid", type=int)
    ap.add_argument("--rate", type=int, default=150)
    ap.add_argument("--classes", default="default")
    ap.add_argument("--vstor", action="store_true")
    ap.add_argument("--events", type=int, default=200)
    a = ap.parse_args()
    on = classes(a.classes)
    ok = [i for i, n in enumerate(NAMES) if n in on and
          (a.vstor or n not in ("sense", "xfer"))]
    if not ok:
        return
    for n in range(a.events):
        x = mix(a.seed ^ (a.relid << 48) ^ n)
        if x % 1000 >= min(a.rate, 1000):
            continue
        cls = NAMES[ok[(x >> 10) % len(ok)]]
        print("event %d: %s" % (n, cls))


if __name__ == "__main__":
    main()
