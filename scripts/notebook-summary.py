#!/usr/bin/python3
"""Prints the text outputs of an executed notebook and exits 1 if any cell produced an error."""
import json
import sys


def text(value):
    return "".join(value) if isinstance(value, list) else value


def main(path):
    nb = json.load(open(path))
    errors = 0
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for out in cell.get("outputs", []):
            kind = out["output_type"]
            if kind == "error":
                errors += 1
                print(f"[cell {i}] ERROR {out['ename']}: {out['evalue']}")
            elif kind == "stream":
                print(text(out["text"]).rstrip())
            elif "text/plain" in out.get("data", {}):
                plain = text(out["data"]["text/plain"])
                if not plain.startswith("Plotly chart"):
                    print(plain.rstrip())
    if errors:
        print(f"{errors} cell(s) failed in {path}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
