"""String building: rendering records as CSV lines, fixed-width tables,
a small HTML fragment and key=value logs using str.join, f-strings,
%-formatting, str.format and repeated += concatenation."""

import random
import zlib

N = 4000
EXPECTED = (1943293256, 89732560)

FIRST = ["ada", "bob", "cyd", "dee", "eli", "fay", "gus", "hal", "ivy", "jon"]
CITIES = ["Oslo", "Lima", "Rome", "Kyiv", "Doha", "Baku", "Riga", "Bern"]


def make_records(rng, count):
    records = []
    for i in range(count):
        records.append({
            "id": i,
            "name": rng.choice(FIRST).title() + " " + rng.choice(FIRST).upper(),
            "city": rng.choice(CITIES),
            "score": rng.uniform(0, 100),
            "visits": rng.randrange(1000),
            "active": rng.random() < 0.7,
        })
    return records


def to_csv(records):
    lines = ["id,name,city,score,visits,active"]
    for r in records:
        lines.append(",".join([str(r["id"]), r["name"], r["city"],
                               "%.2f" % r["score"], str(r["visits"]),
                               "yes" if r["active"] else "no"]))
    return "\n".join(lines) + "\n"


def to_table(records):
    out = ""
    out += "{:>5} | {:<12} | {:^6} | {:>7}\n".format("ID", "Name", "City", "Score")
    out += "-" * 40 + "\n"
    for r in records:
        out += "{:>5} | {:<12} | {:^6} | {:>7.3f}\n".format(r["id"], r["name"], r["city"], r["score"])
    return out


def to_html(records):
    parts = ["<ul>"]
    for r in records:
        cls = "on" if r["active"] else "off"
        parts.append(f'  <li class="{cls}" data-id="{r["id"]:04d}">{r["name"]} '
                     f'({r["city"]}) &mdash; {r["visits"]:,} visits</li>')
    parts.append("</ul>")
    return "\n".join(parts)


def to_log(records):
    buf = []
    for r in records:
        line = "rec=%d" % r["id"]
        line += " name=%r" % r["name"]
        line += " score=%08.3f" % r["score"]
        line += " flag=%s" % ("A" if r["active"] else "-")
        buf.append(line)
    return ";".join(buf)


def banner(title, width):
    pad = (width - len(title) - 2) // 2
    s = ""
    for _ in range(pad):
        s += "="
    s += " " + title + " "
    while len(s) < width:
        s += "="
    return s


def main():
    rng = random.Random(1234)
    records = make_records(rng, 300)
    crc = 0
    total_len = 0
    for i in range(N):
        chunk = records[i % 50:i % 50 + 120]
        for text in (to_csv(chunk), to_table(chunk), to_html(chunk), to_log(chunk),
                     banner(f"page {i}", 60 + i % 20)):
            crc = zlib.crc32(text.encode(), crc)
            total_len += len(text)
    result = (crc, total_len)
    if result != EXPECTED:
        raise SystemExit(f"str_build: wrong result {result!r}")
    print(f"str_build: ok {crc:08x} {total_len}")


if __name__ == "__main__":
    main()
