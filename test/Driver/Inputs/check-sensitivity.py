# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Checks a `qcomp sensitivity -o report.json` report against its definition.

    check-sensitivity.py REPORT [--layers a,b,c] [--weightless d,e]
                                [--qcomp QCOMP --model M --data D]

- the layers are the expected ones, in program order (--layers);
- the layers without a weight are exactly --weightless (default: none);
- the ranking lists every layer once, lowest single-layer SQNR first;
- with a target: only the layers with a weight are searched, and only they
  have widths (alone_by_bits, chosen_bits, an entry in `layer_bits`); the
  search starts with each of them at the cheapest width; each step raises
  the layer whose single-layer SQNR at its current width was the worst, to
  the next width (after the widest: float, 0); it stops as soon as the
  whole model reaches the target; the chosen widths are those of
  `layer_bits`;
- with --qcomp: `qcomp compare M --data D --quantize-options <layer_bits>
  --min-sqnr <target>` succeeds and measures the SQNR the report gives.
Exits 1 with a message on the first violation.
"""
import argparse
import json
import math
import re
import subprocess
import sys


def number(value):
    return float(value) if isinstance(value, str) else value


def worse(a, b):
    """a ranks before b: NaN first, then ascending."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and not math.isnan(b)
    return a < b


def fail(message):
    print("check-sensitivity: " + message)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("--layers")
    parser.add_argument("--weightless", default="")
    parser.add_argument("--qcomp")
    parser.add_argument("--model")
    parser.add_argument("--data")
    args = parser.parse_args()
    with open(args.report) as f:
        report = json.load(f)
    if report["format"] != "qcomp-sensitivity" or report["version"] != 1:
        fail("not a version 1 sensitivity report")

    layers = report["layers"]
    names = [layer["name"] for layer in layers]
    if args.layers and names != args.layers.split(","):
        fail("layers %s, expected %s" % (names, args.layers))
    weightless = [layer["name"] for layer in layers
                  if not layer["has_weight"]]
    if weightless != [n for n in args.weightless.split(",") if n]:
        fail("layers without a weight %s, expected %s"
             % (weightless, args.weightless))
    alone = {layer["name"]: number(layer["alone"]["sqnr_db"])
             for layer in layers}
    ranking = report["ranking"]
    if sorted(ranking) != sorted(names):
        fail("ranking %s does not list the layers %s" % (ranking, names))
    for a, b in zip(ranking, ranking[1:]):
        if worse(alone[b], alone[a]):
            fail("ranking: %s (%g dB) before %s (%g dB)"
                 % (a, alone[a], b, alone[b]))

    if "target" not in report:
        print("ranking ok")
        return
    target = report["target"]
    goal = number(target["sqnr_db"])
    bits = target["bits"]
    widths = bits + [0]
    for layer in layers:
        if ("alone_by_bits" in layer) != layer["has_weight"] or \
                ("chosen_bits" in layer) != layer["has_weight"]:
            fail("%s: widths given iff it has a weight" % layer["name"])
    searched = [n for n in names if n not in weightless]
    by_bits = {layer["name"]: [number(v["sqnr_db"])
                               for v in layer["alone_by_bits"]]
               for layer in layers if layer["has_weight"]}
    state = {name: 0 for name in searched}
    sqnr = number(target["cheapest"]["sqnr_db"])
    for step in target["steps"]:
        if not (math.isnan(sqnr) or sqnr < goal):
            fail("step %s after the target was reached" % step)
        candidates = [n for n in searched if state[n] < len(bits)]
        worst = candidates[0]
        for name in candidates[1:]:
            if worse(by_bits[name][state[name]],
                     by_bits[worst][state[worst]]):
                worst = name
        if step["layer"] != worst:
            fail("step raises %s, but %s was the worst" % (step["layer"],
                                                           worst))
        if step["from_bits"] != widths[state[worst]] or \
                step["to_bits"] != widths[state[worst] + 1]:
            fail("step %s does not go to the next width" % step)
        state[worst] += 1
        sqnr = number(step["sqnr_db"])
    if number(target["chosen"]["sqnr_db"]) != sqnr:
        fail("the chosen SQNR is not that of the last step")
    if target["met"] != (not math.isnan(sqnr) and sqnr >= goal):
        fail("'met' is wrong")
    chosen = {layer["name"]: layer["chosen_bits"] for layer in layers
              if layer["has_weight"]}
    expected = "layer-bits=" + ",".join(
        "%s=%d" % (n, widths[state[n]]) for n in searched)
    if target["layer_bits"] != expected or \
            any(chosen[n] != widths[state[n]] for n in searched):
        fail("chosen widths %s / %s, expected %s"
             % (target["layer_bits"], chosen, expected))

    if args.qcomp:
        command = [args.qcomp, "compare", args.model, "--data", args.data,
                   "--quantize-options", target["layer_bits"],
                   "--min-sqnr", str(goal)]
        run = subprocess.run(command, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, universal_newlines=True)
        if run.returncode != 0:
            fail("%s failed:\n%s" % (" ".join(command), run.stdout))
        match = re.search(r"^\s+\S+\s+(\S+)\s+\S+\s+\S+$", run.stdout,
                          re.MULTILINE)
        if not match or abs(float(match.group(1)) - sqnr) > 0.01:
            fail("qcomp compare measured %s, the report %g:\n%s"
                 % (match and match.group(1), sqnr, run.stdout))
    print("target search ok: %s reaches %.2f dB" % (target["layer_bits"],
                                                    sqnr))


if __name__ == "__main__":
    main()
