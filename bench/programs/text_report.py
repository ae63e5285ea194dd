"""Log processing and reporting: generated application log lines are split
into fields, aggregated into per-service and per-hour dicts (counts,
latency lists, error tallies), sorted, and rendered as a formatted
plain-text report whose CRC is checked."""

import random
import zlib

N = 20
EXPECTED = (3197269513, 50315)

SERVICES = ["auth", "billing", "catalog", "search", "cart", "profile", "media"]
LEVELS = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"]
MESSAGES = ["request served", "cache miss", "retrying upstream", "slow query",
            "user not found", "timeout talking to db", "payload too large"]


def make_lines(rng, count):
    lines = []
    for i in range(count):
        hour = (i * 24) // count
        minute = rng.randrange(60)
        svc = rng.choice(SERVICES)
        lvl = rng.choice(LEVELS)
        latency = int(rng.lognormvariate(3.0, 0.8))
        user = f"u{rng.randrange(500):04d}"
        msg = rng.choice(MESSAGES)
        lines.append(f"2023-06-01T{hour:02d}:{minute:02d}:00 {lvl:<5} svc={svc} user={user} "
                     f"latency_ms={latency} msg={msg.replace(' ', '_')}")
    return lines


def parse_line(line):
    stamp, level, rest = line.split(None, 2)
    fields = {}
    for part in rest.split():
        key, _, value = part.partition("=")
        fields[key] = value
    fields["hour"] = int(stamp[11:13])
    fields["level"] = level
    fields["latency_ms"] = int(fields["latency_ms"])
    fields["msg"] = fields["msg"].replace("_", " ")
    return fields


def percentile(sorted_values, q):
    if not sorted_values:
        return 0
    idx = min(len(sorted_values) - 1, int(q * len(sorted_values)))
    return sorted_values[idx]


def aggregate(lines):
    per_service = {}
    per_hour = {}
    errors = {}
    users = {}
    for line in lines:
        f = parse_line(line)
        svc = f["svc"]
        entry = per_service.get(svc)
        if entry is None:
            entry = per_service[svc] = {"count": 0, "latencies": [], "levels": {}}
        entry["count"] += 1
        entry["latencies"].append(f["latency_ms"])
        entry["levels"][f["level"]] = entry["levels"].get(f["level"], 0) + 1
        per_hour[f["hour"]] = per_hour.get(f["hour"], 0) + 1
        if f["level"] == "ERROR":
            key = (svc, f["msg"])
            errors[key] = errors.get(key, 0) + 1
        users[f["user"]] = users.get(f["user"], 0) + f["latency_ms"]
    return per_service, per_hour, errors, users


def render(per_service, per_hour, errors, users):
    out = []
    out.append("SERVICE SUMMARY")
    out.append(f"{'service':<10}{'count':>8}{'p50':>7}{'p90':>7}{'p99':>7}{'mean':>9}  levels")
    for svc in sorted(per_service):
        e = per_service[svc]
        lat = sorted(e["latencies"])
        levels = ", ".join(f"{k}:{v}" for k, v in sorted(e["levels"].items()))
        out.append(f"{svc:<10}{e['count']:>8}{percentile(lat, 0.5):>7}{percentile(lat, 0.9):>7}"
                   f"{percentile(lat, 0.99):>7}{sum(lat) / len(lat):>9.2f}  {levels}")
    out.append("")
    out.append("TRAFFIC BY HOUR")
    peak = max(per_hour.values())
    for hour in sorted(per_hour):
        bar = "#" * (per_hour[hour] * 40 // peak)
        out.append(f"{hour:02d}h {per_hour[hour]:>6} {bar}")
    out.append("")
    out.append("TOP ERRORS")
    ranked = sorted(errors.items(), key=lambda kv: (-kv[1], kv[0]))
    for (svc, msg), n in ranked[:10]:
        out.append(f"  {n:>5}  {svc:<8} {msg}")
    out.append("")
    out.append("HEAVIEST USERS")
    for user, total in sorted(users.items(), key=lambda kv: (-kv[1], kv[0]))[:8]:
        out.append(f"  {user}  {total:>9,d} ms")
    return "\n".join(out) + "\n"


def main():
    rng = random.Random(1234)
    crc = 0
    size = 0
    for _ in range(N):
        lines = make_lines(rng, 12000)
        report = render(*aggregate(lines))
        crc = zlib.crc32(report.encode(), crc)
        size += len(report)
    result = (crc, size)
    if result != EXPECTED:
        raise SystemExit(f"text_report: wrong result {result!r}")
    print(f"text_report: ok {crc:08x} {size}")


if __name__ == "__main__":
    main()
