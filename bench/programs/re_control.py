"""Mostly C-bound control: the `re` engine does the work. A large generated
web-server style log is scanned with findall/finditer, rewritten with sub
(string and callable replacements), split, and matched line by line
against a precompiled pattern with named groups."""

import random
import re
import zlib

N = 4
EXPECTED = ((('200', 10117), ('301', 3340), ('404', 3249), ('500', 3294)), 1001677653, 2806994562)

LINE_RE = re.compile(r"^(?P<ip>\d{1,3}(?:\.\d{1,3}){3}) - (?P<user>\w+|-) "
                     r"\[(?P<day>\d\d)/(?P<mon>\w{3})/(?P<year>\d{4})\] "
                     r'"(?P<method>GET|POST|PUT|DELETE) (?P<path>\S+) HTTP/1\.[01]" '
                     r"(?P<status>\d{3}) (?P<size>\d+)$")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.(?:com|org|net)")
NUMBER_RE = re.compile(r"\b\d+\b")
IP_RE = re.compile(r"\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b")
WORD_RE = re.compile(r"[A-Za-z]{4,}")
QUERY_RE = re.compile(r"[?&](\w+)=([^&\s\"]*)")

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
PATHS = ["/index.html", "/api/items", "/api/users", "/static/app.js", "/search", "/login"]
USERS = ["alice", "bob", "carol", "-", "dave", "-"]


def make_log(rng, lines):
    out = []
    for _ in range(lines):
        ip = ".".join(str(rng.randrange(256)) for _ in range(4))
        path = rng.choice(PATHS)
        if rng.random() < 0.4:
            path += f"?q=term{rng.randrange(100)}&page={rng.randrange(9)}"
        out.append(f'{ip} - {rng.choice(USERS)} [{rng.randrange(1, 29):02d}/{rng.choice(MONTHS)}/2023] '
                   f'"{rng.choice(["GET", "GET", "POST", "PUT", "DELETE"])} {path} HTTP/1.1" '
                   f"{rng.choice([200, 200, 200, 301, 404, 500])} {rng.randrange(100000)}")
        if rng.random() < 0.1:
            out.append(f"# contact {rng.choice(USERS[:3])}.{rng.randrange(99)}@example.{rng.choice(['com', 'org', 'net'])} about ticket {rng.randrange(5000)}")
    return "\n".join(out)


def anonymise(match):
    a, b, c, d = match.groups()
    return f"{a}.{b}.x.x"


def analyse(text):
    statuses = {}
    bytes_total = 0
    for line in text.splitlines():
        m = LINE_RE.match(line)
        if m is None:
            continue
        st = m.group("status")
        statuses[st] = statuses.get(st, 0) + 1
        bytes_total += int(m.group("size"))
    emails = EMAIL_RE.findall(text)
    numbers = NUMBER_RE.findall(text)
    queries = QUERY_RE.findall(text)
    masked = IP_RE.sub(anonymise, text)
    squashed = re.sub(r"\s+", " ", masked)
    upper = WORD_RE.sub(lambda m: m.group(0).upper(), squashed[:200000])
    parts = re.split(r'[\[\]"]', text)
    gets = sum(1 for _ in re.finditer(r'"GET ', text))
    return (tuple(sorted(statuses.items())), bytes_total, len(emails), len(numbers),
            len(queries), zlib.crc32(masked.encode()), zlib.crc32(upper.encode()),
            len(parts), gets)


def main():
    rng = random.Random(1234)
    text = make_log(rng, 20000)
    crc = 0
    first = None
    for _ in range(N):
        res = analyse(text)
        if first is None:
            first = res
        elif res != first:
            raise SystemExit("re_control: results differ between passes")
        crc = zlib.crc32(repr(res).encode(), crc)
    result = (first[0], first[1], crc)
    if result != EXPECTED:
        raise SystemExit(f"re_control: wrong result {result!r}")
    print(f"re_control: ok {crc:08x}")


if __name__ == "__main__":
    main()
