#!/usr/bin/env python3
"""Writes the seed corpus tests/fuzz/corpus/<target>/ from real hvflush output.

usage: make-corpus.py RUN_DIR PORTABLE_LOG LAB_RUN_DIR

RUN_DIR       a TCG run:  build/hvflush run --accel tcg --smp 2 --sweep smoke --out DIR
PORTABLE_LOG  COM1 of the guest booted in portable mode with tests/sweeps/portable.sweep
              (as tests/integration/test_com1_records_tcg.c boots it)
LAB_RUN_DIR   a lab run: build/hvflush run --accel lab --smp 2 --sweep tests/sweeps/lab.sweep

Multi-file inputs join the files with the separator of tests/fuzz/fuzz_files.h, in the
order the harness names them.  Large tables are cut to their first lines, meta.json loses the host's topology XML (the corpus
stays small); the records keep whole lines.
"""
import json
import os
import struct
import sys

SEP = b"\n--8<--\n"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
AREA_SIZE = 64 << 10


def rd(path, lines=None):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return b""
    if lines is not None:
        data = b"".join(data.splitlines(keepends=True)[:lines])
    return data


def meta(path):
    """meta.json without the host's hwloc topology XML, compact (the corpus stays small)."""
    try:
        with open(path) as f:
            m = json.load(f)
    except FileNotFoundError:
        return b""
    if isinstance(m.get("hwloc"), dict) and "topology_xml" in m["hwloc"]:
        m["hwloc"]["topology_xml"] = ""
    return json.dumps(m, separators=(",", ":")).encode() + b"\n"


def put(target, name, *parts):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(SEP.join(parts))


def area(records):
    """The results area as the guest leaves it: header, then the lines."""
    body = records[:AREA_SIZE - 64]
    body = body[:body.rfind(b"\n") + 1]
    hdr = struct.pack("<8sIIQQQII16s", b"HVFAREA1", 1, 64, AREA_SIZE, len(body),
                      body.count(b"\n"), 0, 1, b"")
    return hdr + body


def main(run, log, lab):
    inner = os.path.join(lab, "lab", "l2-run")
    inner = os.path.join(inner, sorted(e for e in os.listdir(inner) if e != "latest")[-1])
    portable = rd(log)
    precs = b"".join(l.rstrip(b"\r\n") + b"\n" for l in portable.splitlines()
                     if l.startswith(b"HVF1 "))
    psweep = rd("tests/sweeps/portable.sweep")

    # sweeps: every shipped sweep file
    for d in ("bench/sweeps", "tests/sweeps"):
        for n in sorted(os.listdir(d)):
            if n.endswith(".sweep") and n in ("smoke.sweep", "default.sweep", "full.sweep",
                                              "pairs.sweep", "space-tcg.sweep", "lab.sweep",
                                              "thru.sweep", "portable.sweep"):
                put("sweep", n, rd(os.path.join(d, n)))

    # records: sweep + port copy (+ results area)
    put("records", "smoke-port", rd(os.path.join(run, "sweep.txt")),
        rd(os.path.join(run, "records.txt")))
    put("records", "portable-area", psweep, precs[:len(precs) // 2], area(precs))
    put("records", "portable-port", psweep, precs)
    put("records", "lab-records", rd(os.path.join(inner, "sweep.txt")),
        rd(os.path.join(inner, "records.txt")))

    # import: serial logs
    put("import", "portable.log", portable)
    crlf = b"SeaBIOS (version test)\r\nBooting from DVD/CD...\r\n" + b"".join(
        l + b"\r\n" + (b"[progress]\r\n" if i % 7 == 3 else b"")
        for i, l in enumerate(precs.splitlines())) + b"hvflush: done\r\n"
    put("import", "portable-crlf.log", crlf)
    put("import", "portable-cut.log", portable[:len(portable) * 2 // 3])

    # compare: a/{meta,summary,samples,throughput,verify,conformance,decision}
    #          b/{meta,summary,samples,throughput,verify,boot-2/sweep,boot-2/records}
    def tables(d, n):
        return [meta(os.path.join(d, "meta.json")), rd(os.path.join(d, "summary.csv"), n),
                rd(os.path.join(d, "samples.csv"), 120), rd(os.path.join(d, "throughput.csv")),
                rd(os.path.join(d, "verify.csv"), n)]
    a = tables(run, 12) + [rd(os.path.join(run, "conformance.csv"), 12),
                           rd(os.path.join(run, "decision.csv"))]
    put("compare", "tcg-vs-tcg", *(a + tables(run, 12)))
    put("compare", "tcg-vs-lab", *(a + tables(inner, 12)))
    put("compare", "tcg-vs-boots", *(a + tables(run, 8) + [
        rd(os.path.join(run, "sweep.txt")), rd(os.path.join(run, "records.txt"), 60)]))

    # report: meta, summary, verify, conformance, samples, throughput, interference, ratio
    def report(d):
        return [meta(os.path.join(d, "meta.json")), rd(os.path.join(d, "summary.csv"), 16),
                rd(os.path.join(d, "verify.csv"), 16), rd(os.path.join(d, "conformance.csv"), 16),
                rd(os.path.join(d, "samples.csv"), 80), rd(os.path.join(d, "throughput.csv")),
                rd(os.path.join(d, "interference.csv")), rd(os.path.join(d, "ratio.csv"))]
    put("report", "tcg-run", *report(run))
    put("report", "lab-inner-run", *report(inner))

    # lab: l1-times, l1-error, l1-run-status, serial.log, L1's meta.json, records, sweep
    serial = b"".join(rd(os.path.join(lab, "serial.log")).splitlines(keepends=True)[-40:])
    lab_files = [rd(os.path.join(lab, "lab", "l1-times")), rd(os.path.join(lab, "lab", "l1-error")),
                 rd(os.path.join(lab, "lab", "l1-run-status")), serial,
                 meta(os.path.join(inner, "meta.json")), rd(os.path.join(inner, "records.txt")),
                 rd(os.path.join(inner, "sweep.txt"))]
    put("lab", "lab-run", *lab_files)
    put("lab", "lab-l1-failed", lab_files[0][:40], b"HVFLUSH-L1-ERROR: kvm: no nested SVM\n",
        b"", serial)
    put("lab", "lab-run-status-1", lab_files[0], b"", b"1\n", serial + b"hvflush: bad sweep\n",
        b'{"status": "failed", "reason": "bad input"}\n')


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
