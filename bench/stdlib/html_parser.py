"""html.parser.HTMLParser subclass counting start tags, attributes and text in a generated page.

Drives the standard library's own pure-Python code (not written for this project):
bench/run.py --dir bench/stdlib runs these as it runs bench/programs."""
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self): super().__init__(); self.n = 0
    def handle_starttag(self, tag, attrs): self.n += len(attrs) + 1
    def handle_data(self, data): self.n += len(data)
doc = "<html><body>" + "".join('<div class="c%d" id="i%d"><a href="/x/%d">link %d</a><p>text &amp; more %d</p></div>' % (i, i, i, i, i) for i in range(2000)) + "</body></html>"
n = 0
for _ in range(36):
    p = P(); p.feed(doc); p.close(); n += p.n

result = n
if result != 2152152:
    raise SystemExit("html_parser: wrong result %r" % (result,))
print("html_parser: ok", result)
