#!/usr/bin/env python3
# make_demo_catalog.py — builds examples/catalog/demo_catalog.jsonl from the shared Myntra catalog.
# Deterministic: the same input always gives byte-identical output (no randomness, no clock).
#
# usage: python3 scripts/make_demo_catalog.py [SHARED_MYNTRA_JSONL] [OUT_JSONL]
#   defaults: ../shared/data/catalog/myntra_products_catalog.shared.jsonl (relative to the repo root)
#             examples/catalog/demo_catalog.jsonl
#
# The product_type rule here must stay in step with adapters/catalog/product_type.cpp; the test
# ProductType.DemoCatalogAgreesWithCppRule checks both on every demo row.
import collections
import hashlib
import json
import math
import os
import re
import string
import sys

MAX_ROWS = 3000

# Trailing words that are not the product: units after a quantity, audience words.
UNITS = {"ml", "l", "g", "gm", "gms", "kg", "mg", "cm", "mm", "m", "oz", "pc", "pcs", "pieces", "piece",
         "each"}
AUDIENCE = {"men", "women", "boys", "girls", "kids", "unisex", "man", "woman", "boy", "girl", "infant", "infants"}
# Heads that say little alone, so the word before them belongs to the type ("jewellery set").
GENERIC_HEADS = {"set", "kit", "pack", "combo", "material", "square", "runner", "cover", "holder",
                 "stand", "toe", "case", "bag", "wear", "lamp"}
# Qualifiers that turn a head into a different kind of product ("running shoe", "formal shirt").
USE_QUALIFIERS = {"casual", "formal", "sports", "sport", "track", "analogue", "digital", "smart",
                  "party", "ethnic", "denim", "bomber", "puffer", "biker", "maxi", "midi", "mini",
                  "crop", "polo", "cargo", "boxer", "trolley", "laptop", "tote", "sling", "shoulder",
                  "handheld", "pocket", "table", "cushion", "pillow", "door", "window", "coffee",
                  "dress", "peep", "flip", "bath", "hand", "face", "night", "lounge", "swim", "rain",
                  "sheath", "shirt", "wrap", "nehru", "jewellery", "jewelry", "gift", "tissue", "key"}
# Descriptive words that never join the type even before a generic head.
DESCRIPTORS = {"solid", "printed", "striped", "checked", "embroidered", "embellished", "woven",
               "textured", "self-design", "colourblocked", "colorblocked", "washed", "handcrafted",
               "handmade", "designer", "regular", "slim", "fit", "pieces", "&", "and", "of", "the",
               "black", "white", "blue", "red", "green", "grey", "gray", "brown", "yellow", "pink",
               "beige", "gold", "maroon", "orange", "silver", "purple", "burgundy", "navy", "khaki",
               "lavender", "mustard", "magenta", "charcoal", "rose", "peach", "olive", "cream",
               "multicoloured", "multicolored", "off-white", "teal", "turquoise", "coral", "rust",
               "gold-toned", "silver-toned"}
# Plural nouns that have no singular in shop talk; kept as they are.
PLURALIA = {"jeans", "trousers", "shorts", "pants", "leggings", "pyjamas", "pajamas", "tights",
            "briefs", "boxers", "sunglasses", "glasses", "chinos", "joggers", "palazzos", "capris",
            "culottes", "jeggings", "treggings", "dungarees", "cargos", "trunks", "overalls",
            "spectacles", "scissors", "clothes", "dress"}
# Spelling variants folded to one form ("Tshirt" -> "t-shirt").
CANONICAL = {"tshirt": "t-shirt", "tshirts": "t-shirts", "tee": "t-shirt", "tees": "t-shirts",
             "jewelry": "jewellery", "organizer": "organiser"}


def singular(word):
    """Light English singular, the same rule as cartmate::catalog::singular()."""
    if word in PLURALIA or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("lves"):
        return word[:-3] + "f"
    for suffix in ("sses", "shes", "ches", "xes", "zes"):
        if word.endswith(suffix):
            return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


def clean_word(raw):
    return raw.strip(string.punctuation).lower()


def canonical(word):
    return CANONICAL.get(word, word)


def has_alnum(word):
    return any(c.isalnum() for c in word)


def has_digit(word):
    return any(c.isdigit() for c in word)


def derive_product_type(title):
    """Lower-case singular product type from a Myntra-style title ("... Running Shoes")."""
    text = " " + title + " "
    # The item comes before a variant name (" - Ruby Red"), an accessory (" with Dupatta") or an
    # audience (" for Men"); a one-word head is a brand such as "Krafted With Happiness".
    for sep in (" - ", " with ", " for "):
        cut = text.lower().find(sep)
        if cut >= 0 and len(text[:cut].split()) >= 2:
            text = text[:cut] + " "
    words = [canonical(clean_word(w)) for w in text.split()]
    words = [w for w in words if w]
    while words:
        last = words[-1]
        if (not has_alnum(last) or has_digit(last) or last in AUDIENCE
                or (last in UNITS and len(words) > 1 and has_digit(words[-2]))):
            words.pop()
            continue
        break
    if not words:
        return ""
    head = singular(words[-1])
    if len(words) >= 2:
        prev = words[-2]
        if prev in ("de", "du") and len(words) >= 3:
            return " ".join(words[-3:-1]) + " " + head
        joins = (head in GENERIC_HEADS or prev in USE_QUALIFIERS
                 or (prev.endswith("ing") and len(prev) > 4))
        if joins and prev not in DESCRIPTORS and not has_digit(prev) and prev not in AUDIENCE:
            return singular(prev) + " " + head
    return head


def demo_stock(product_id):
    """Synthetic stock 0..24 from a hash of the id; about one in eight items is sold out."""
    digest = hashlib.sha256(product_id.encode("utf-8")).digest()
    value = int.from_bytes(digest[:4], "big")
    if value % 8 == 0:
        return 0
    return 1 + (value >> 3) % 24


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        root, "..", "shared", "data", "catalog", "myntra_products_catalog.shared.jsonl")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "examples", "catalog", "demo_catalog.jsonl")
    rows = [json.loads(line) for line in open(src, encoding="utf-8") if line.strip()]
    for r in rows:
        r["product_type"] = derive_product_type(r["title"])
    # Stratify by (product_type, gender) and give each stratum a quota proportional to the square
    # root of its size: big strata (t-shirts for men) stay big, small ones still appear. Within a
    # stratum rows are ordered by a hash of the id, which is stable and spreads brands and colours.
    strata = collections.defaultdict(list)
    for r in rows:
        strata[(r["product_type"], r["gender"])].append(r)
    for key in strata:
        strata[key].sort(key=lambda r: hashlib.sha256(r["id"].encode("utf-8")).hexdigest())

    def quotas(scale):
        return {k: min(len(v), max(1, int(scale * math.sqrt(len(v))))) for k, v in strata.items()}

    low, high = 0.0, float(MAX_ROWS)
    for _ in range(60):
        mid = (low + high) / 2
        if sum(quotas(mid).values()) <= MAX_ROWS:
            low = mid
        else:
            high = mid
    quota = quotas(low)
    picked = [r for k in sorted(strata) for r in strata[k][:quota[k]]]
    picked.sort(key=lambda r: int(r["id"]) if r["id"].isdigit() else r["id"])
    with open(out, "w", encoding="utf-8") as f:
        for r in picked:
            d = {"id": r["id"], "title": r["title"], "description": r.get("description", ""),
                 "brand": r.get("brand", ""), "gender": r.get("gender", ""), "price": r["price"],
                 "currency": r.get("currency", "INR")}
            if "color" in r:
                d["color"] = r["color"]
            d["product_type"] = r["product_type"]
            d["stock"] = demo_stock(r["id"])
            d["source"] = r.get("source", "myntra_products_catalog")
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    types = collections.Counter(r["product_type"] for r in picked)
    print(f"wrote {len(picked)} products, {len(types)} product types, to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
