#!/usr/bin/env python3
"""Writes one very large policy, for measuring that a build's cost grows linearly with its input.

    python3 benches/gen_big_policy.py OUTDIR BYTES [--fences] [--seed 7]

OUTDIR receives policypress.yaml and content/policy-0001.md of about BYTES bytes: numbered
staff sections, sub-sections, paragraphs, lists, a table and notes, made with the generators of
../shared/bench/gen_corpus.py. Without --fences it is all staff text (one Markdown segment, the
case that was quadratic); with --fences a `::: patient` block follows every 10th section, and
one easy-read and one poster block close it. Deterministic for the same arguments.
"""
import argparse
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "bench"))
sys.path.insert(0, "/work/shared/bench")
import gen_corpus as corpus  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("bytes", type=int)
    ap.add_argument("--fences", action="store_true")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.outdir, "content"), exist_ok=True)
    with open(os.path.join(args.outdir, "policypress.yaml"), "w") as f:
        f.write("title: Big policy\norganisation: Example NHS Foundation Trust\n"
                "base-url: https://intranet.example.nhs.uk/policies/\n")
    parts = ["---\ntitle: Very Long Records Management Policy\nreference: POL-0001\nversion: \"1.0\"\n"
             "status: approved\napproved-date: 2025-01-05\nowner: Risk Committee\nreview-date: 2028-01-04\n"
             "summary: A very long policy for measuring build time and memory.\n"
             "glossary:\n  privacy: Keeping things about you to yourself.\n---\n\n"]
    size, section = len(parts[0]), 0
    while size < args.bytes:
        section += 1
        name = corpus.SECTIONS[section % len(corpus.SECTIONS)]
        lines = [f"## {section}. {name}", "", corpus.paragraph(rng, 1), ""]
        for k, sub in enumerate(rng.sample(corpus.SUBSECTIONS, rng.randint(2, 3)), 1):
            lines += [f"### {section}.{k} {sub}", "", corpus.paragraph(rng, 1), ""]
            if rng.random() < 0.45:
                lines += [corpus.bullet_list(rng, 1), ""]
            elif rng.random() < 0.35:
                lines += [corpus.bullet_list(rng, 1, ordered=True), ""]
        if section == 3:
            lines += [corpus.table(rng), ""]
        if rng.random() < 0.15:
            lines += ["> **Note:** " + corpus.sentence(rng, 1), ""]
        if args.fences and section % 10 == 0:
            lines += ["::: patient", f"## {name} {section}", "", " ".join(rng.sample(corpus.PLAIN, 3)), ":::", ""]
        text = "\n".join(lines) + "\n"
        parts.append(text)
        size += len(text)
    if args.fences:
        parts.append("::: easy-read\n# Records\n\n:info: We keep records about you.\n\n"
                     ":lock: We keep your **privacy**.\n:::\n\n::: poster\n# Records\n"
                     ":help: Questions? Ask the nurse in charge.\n:::\n")
    text = "".join(parts)
    with open(os.path.join(args.outdir, "content", "policy-0001.md"), "w") as f:
        f.write(text)
    print(f"{len(text.encode())} bytes, {section} sections")


if __name__ == "__main__":
    main()
