"""Pull real prose paragraphs (>=40 words) and headings out of local HTML docs."""
import re, sys
from bs4 import BeautifulSoup

def clean(s):
    s = s.replace('\u00b6', '')  # sphinx pilcrow
    s = re.sub(r'\s+', ' ', s).strip()
    return s

def blocks(path):
    """Yield ('h', text) and ('p', text) in document order, prose only."""
    soup = BeautifulSoup(open(path, encoding='utf-8', errors='replace').read(), 'html.parser')
    body = soup.select_one('div.body') or soup.select_one('div.book, div.chapter') or soup.body
    for bad in body.select('pre, div.highlight, table, div.admonition, div.note, div.warning, div.seealso, '
                           'div.toc, dl.function, dl.class, dl.method, aside, div.footnote, '
                           'div.versionadded, div.versionchanged, div.deprecated, div.tip, div.caution'):
        bad.decompose()
    for el in body.find_all(['h1', 'h2', 'h3', 'p']):
        if el.find_parent(['li', 'dd', 'td', 'blockquote']):
            continue
        t = clean(el.get_text(' '))
        t = re.sub(r' ([,.;:)])', r'\1', t).replace('( ', '(')
        if el.name == 'p':
            yield 'p', t
        else:
            t = re.sub(r'^[\d.]+\s+', '', t)  # drop section numbers
            yield 'h', t

def good_para(t):
    n = len(t.split())
    if n < 40 or n > 200: return False
    if '>>>' in t or '{' in t or '\\' in t or '|' in t or t.endswith(':'): return False
    if not t[0].isupper() or t[-1] not in '.?!")\u201d': return False
    if sum(c.isascii() for c in t) < len(t) - 10: return False
    return True

if __name__ == '__main__':
    for p in sys.argv[1:]:
        bl = list(blocks(p))
        paras = [t for k, t in bl if k == 'p' and good_para(t)]
        heads = [t for k, t in bl if k == 'h']
        print(len(paras), sum(len(t.split()) for t in paras), len(heads), p, heads[:1])
