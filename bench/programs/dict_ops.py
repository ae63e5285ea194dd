"""Dictionary-heavy code: word frequency counting with get(), grouping into
a dict of lists with setdefault(), an inverted index, nested dicts of
per-author statistics, items() loops, merges and key deletion."""

import random

N = 115
EXPECTED = 465022

VOCAB = ("time year people way day man thing woman life child world school "
         "state family student group country problem hand part place case week "
         "company system program question work government number night point "
         "home water room mother area money story fact month lot right study "
         "book eye job word business issue side kind head house service friend").split()
AUTHORS = ["anna", "boris", "chen", "dana", "emil", "farah", "goran", "hana"]


def make_documents(rng, count):
    docs = []
    for i in range(count):
        words = [rng.choice(VOCAB) for _ in range(rng.randrange(20, 60))]
        docs.append({"id": i, "author": rng.choice(AUTHORS),
                     "tags": [rng.choice(VOCAB[:10]) for _ in range(3)],
                     "words": words})
    return docs


def word_counts(docs):
    counts = {}
    for doc in docs:
        for w in doc["words"]:
            counts[w] = counts.get(w, 0) + 1
    return counts


def group_by_author(docs):
    groups = {}
    for doc in docs:
        groups.setdefault(doc["author"], []).append(doc["id"])
    return groups


def inverted_index(docs):
    index = {}
    for doc in docs:
        for pos, w in enumerate(doc["words"]):
            postings = index.get(w)
            if postings is None:
                postings = index[w] = {}
            postings.setdefault(doc["id"], []).append(pos)
    return index


def author_stats(docs):
    stats = {}
    for doc in docs:
        entry = stats.get(doc["author"])
        if entry is None:
            entry = stats[doc["author"]] = {"docs": 0, "words": 0, "tags": {}}
        entry["docs"] += 1
        entry["words"] += len(doc["words"])
        tags = entry["tags"]
        for t in doc["tags"]:
            tags[t] = tags.get(t, 0) + 1
    return stats


def search(index, a, b):
    # documents where word a is followed directly by word b
    pa = index.get(a, {})
    pb = index.get(b, {})
    hits = 0
    for doc_id, positions in pa.items():
        other = pb.get(doc_id)
        if other is None:
            continue
        later = {p - 1 for p in other}
        for p in positions:
            if p in later:
                hits += 1
    return hits


def main():
    rng = random.Random(1234)
    acc = 0
    for rnd in range(N):
        docs = make_documents(rng, 400)
        counts = word_counts(docs)
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        acc += sum(c for _, c in top) + len(top[0][0])
        groups = group_by_author(docs)
        for author, ids in groups.items():
            acc += len(ids) * (AUTHORS.index(author) + 1)
        index = inverted_index(docs)
        for i in range(0, len(VOCAB) - 1, 3):
            acc += search(index, VOCAB[i], VOCAB[i + 1])
        stats = author_stats(docs)
        for author in sorted(stats):
            entry = stats[author]
            best_tag = max(entry["tags"].items(), key=lambda kv: (kv[1], kv[0]))
            acc += entry["words"] // entry["docs"] + best_tag[1]
        merged = dict(counts)
        merged.update({w: -1 for w in VOCAB[::7]})
        for w in list(merged):
            if merged[w] < 0:
                del merged[w]
        acc += len(merged) + rnd
    result = acc
    if result != EXPECTED:
        raise SystemExit(f"dict_ops: wrong result {result!r}")
    print(f"dict_ops: ok {result}")


if __name__ == "__main__":
    main()
