#!/usr/bin/env python3
"""Typeset 20 documents the rules were not tuned on and extract them three ways, as the development
corpus was made: OUT/corpus.jsonl.gz (+ OUT/manifest.jsonl.gz, OUT/raw-preds.jsonl), OUT being the
first argument (default: target/typeset-check). Written for session 13 by a helper; see README.md.

Prose: local Debian/Python docs (python3-doc, debian-reference-en), never the dev corpus.
news  -> HTML page -> headless Chromium PDF (served from 127.0.0.1 under a fake host name,
         so the print footer shows a web URL)
paper -> groff -ms source -> groff -Tpdf
Every PDF -> pdftotext, pdfminer.six, pypdf.
Needs: apt poppler-utils groff chromium python3-doc debian-reference-en; pip pdfminer.six pypdf beautifulsoup4
"""
import gzip, html, json, os, random, re, shutil, subprocess, sys, tempfile, time, unicodedata
import http.server, threading, functools

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from prose import blocks, good_para

OUT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else 'target/typeset-check')
B = os.path.join(OUT, 'build')
PY = '/usr/share/doc/python3-doc/html'
DR = '/usr/share/debian-reference'

NEWS_SRC = [f'{PY}/whatsnew/2.0.html', f'{PY}/whatsnew/2.2.html', f'{PY}/whatsnew/2.3.html',
            f'{PY}/whatsnew/2.5.html', f'{PY}/whatsnew/2.6.html', f'{PY}/whatsnew/2.1.html',
            f'{PY}/howto/sockets.html', f'{PY}/howto/curses.html', f'{PY}/howto/unicode.html',
            f'{PY}/faq/design.html']
PAPER_SRC = [f'{PY}/reference/expressions.html', f'{PY}/reference/import.html',
             f'{PY}/reference/datamodel.html', f'{PY}/tutorial/classes.html', f'{PY}/howto/regex.html',
             f'{PY}/howto/functional.html', f'{PY}/howto/logging.html', f'{PY}/howto/pyporting.html',
             f'{DR}/ch01.en.html', f'{DR}/ch02.en.html']

FIRST = ['Jane', 'Tomas', 'Aisha', 'Ravi', 'Mei', 'Oskar', 'Lucia', 'Kwame', 'Ingrid', 'Daniel', 'Sofia',
         'Hiroshi', 'Fatima', 'Pavel', 'Elena', 'Marcus', 'Noor', 'Gabriel', 'Yuki', 'Amara']
LAST = ['Roe', 'Lindgren', 'Okafor', 'Prakash', 'Zhou', 'Haller', 'Moreau', 'Mensah', 'Vidal', 'Kowalski',
        'Brennan', 'Takeda', 'Haddad', 'Novak', 'Ferreira', 'Quinn', 'Osei', 'Duarte', 'Sato', 'Abara']
SITES = [('www.northfield-courier.com', 'The Northfield Courier'), ('www.harbourgazette.com', 'Harbour Gazette'),
         ('www.dailyledger-news.com', 'The Daily Ledger'), ('www.techwire-report.com', 'TechWire Report'),
         ('www.metro-observer.com', 'Metro Observer')]
AGENCIES = ['Reuters Pictures', 'Courier Staff', 'Getty Images', 'AP Photo', 'Agency Press', 'Handout']
CAPTIONS = ['Volunteers at a community sprint review patches on a shared screen in a borrowed office.',
            'A maintainer answers questions from students after a talk at the regional conference.',
            'Racks of servers in a university data centre that runs the nightly test builds.',
            'Attendees queue for the opening keynote on the first morning of the event.',
            'An early release of the software, shipped on a stack of floppy disks, kept in a display case.',
            'Engineers compare benchmark results during the weekly planning meeting.',
            'The old terminal room where many of the first contributors met in person.',
            'A whiteboard covered in design notes left over from a late-night discussion.']
OTHER_HEADS = ['City council approves new budget for public library branches',
               'Open-source maintainers warn of burnout as volunteer numbers fall',
               'Regional rail operator promises faster trains by next spring',
               'University spin-off raises funding for low-power chip design',
               'How a small team rebuilt the payroll system in six months',
               'Schools trial coding clubs for pupils aged nine to twelve',
               'Storm damage closes coastal road for the second week running',
               'Review: a slim guide to writing software that lasts',
               'Data centre energy use climbs as demand for computing grows',
               'Local startup opens office in the former textile mill']
UNIS = ['Department of Computer Science, University of Edinburgh, Edinburgh EH8 9AB, UK',
        'Institute for Software Systems, ETH Zurich, 8092 Zurich, Switzerland',
        'School of Informatics, University of Tokyo, Tokyo 113-8656, Japan',
        'Department of Mathematics, University of Toronto, Toronto, ON M5S 2E4, Canada',
        'Laboratoire d\'Informatique, Universite Paris-Saclay, 91190 Gif-sur-Yvette, France',
        'Department of Electrical Engineering, Delft University of Technology, 2628 CD Delft, The Netherlands']
FOOTNOTES = ['Also at the Department of Physics, University of Bristol, Bristol BS8 1TL, UK.',
             'Partially supported by the Research Council under grant agreement no. 58213.',
             'We thank two anonymous referees for comments that improved the manuscript.',
             'Present address: Centre for Applied Computing, Aarhus University, 8200 Aarhus N, Denmark.']
MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
          'October', 'November', 'December']


def slugify(s):
    s = unicodedata.normalize('NFKD', s).encode('ascii', 'ignore').decode().lower()
    return re.sub(r'[^a-z0-9]+', '-', s).strip('-')[:40]


def name(rng):
    return f'{rng.choice(FIRST)} {rng.choice(LAST)}'


def select(path, rng, lo, hi, keep_heads):
    """Title + consecutive run of good paragraphs (and headings) of lo..hi words."""
    bl = list(blocks(path))
    title = next(t for k, t in bl if k == 'h')
    title = re.sub(r'^Chapter \d+\.\s*', '', title)
    body = []
    for k, t in bl[1:]:
        if k == 'h':
            if keep_heads and 2 <= len(t) <= 60 and not re.search(r'[()`=\[\]{}_]', t):
                body.append(('h', t))
        elif good_para(t):
            body.append(('p', t))
    # drop headings not followed by a paragraph
    body = [b for i, b in enumerate(body) if b[0] == 'p' or (i + 1 < len(body) and body[i + 1][0] == 'p')]
    total = sum(len(t.split()) for k, t in body if k == 'p')
    start = 0
    if total > hi:
        start = rng.randrange(0, max(1, len(body) // 3))
    out, n = [], 0
    for k, t in body[start:]:
        if k == 'p':
            if n + len(t.split()) > hi and n >= lo:
                break
            n += len(t.split())
        out.append((k, t))
    while out and out[-1][0] == 'h':
        out.pop()
    return title, out


# --------------------------------------------------------------------------- news
def news_html(title, paras, cfg, rng):
    site, sitename = cfg['site']
    css = cfg['css']
    hd = []  # html pieces
    ins = []  # (string, kind)
    hd.append(f'<h1>{html.escape(title)}</h1>')
    by = f'By {cfg["author"]}'
    hd.append(f'<div class="byline">{html.escape(by)}</div>')
    hd.append(f'<div class="date">{html.escape(cfg["date"])}</div>')
    ins += [(by, 'byline'), (cfg['date'], 'dateline')]
    aurl = f'https://{site}/author/{slugify(cfg["author"])}'
    if cfg['url_mode'] in ('byline', 'both'):
        hd.append(f'<div class="aurl">{aurl}</div>')
    ins.append((aurl, 'author-url'))
    # inserts interleaved with paragraphs
    n = len(paras)
    slots = {}
    def put(pos, piece):
        slots.setdefault(max(1, min(n - 1, pos)), []).append(piece)
    heads = rng.sample(OTHER_HEADS, 4)
    for i in range(cfg['figures']):
        cap = rng.choice(CAPTIONS)
        cred = f'Photo: {name(rng)}/{rng.choice(AGENCIES)}'
        fig = (f'<figure><svg width="100%" height="{css["img_h"]}"><rect width="100%" height="100%" '
               f'fill="#8a9bb0"/></svg><figcaption>{html.escape(cap)} <span class="credit">{html.escape(cred)}'
               f'</span></figcaption></figure>')
        if i == 0 and cfg['fig_pos'] == 'top':
            hd.append(fig)
        else:
            put(rng.randrange(2, n - 1) if n > 3 else 1, fig)
        ins += [(cap, 'caption'), (cred, 'credit')]
    for i in range(cfg['n_related']):
        s = f'Related article: {heads[i]}'
        put(rng.randrange(2, n), f'<aside class="rel">Related article: <a href="#">{html.escape(heads[i])}</a></aside>')
        ins.append((s, 'related'))
    if cfg['readmore']:
        s = f'Read more: {heads[3]}'
        put(rng.randrange(n // 2, n), f'<p class="more"><b>Read more:</b> <a href="#">{html.escape(heads[3])}</a></p>')
        ins.append((s, 'read-more'))
    for i in range(cfg['ads']):
        put(rng.randrange(1, n), '<div class="ad">Advertisement<div class="adbox"></div></div>')
        ins.append(('Advertisement', 'advertisement'))
    body = []
    for i, p in enumerate(paras):
        body += slots.get(i, [])
        body.append(f'<p>{html.escape(p)}</p>')
    foot = ''
    if cfg['url_mode'] in ('footer', 'both'):
        foot = f'<tfoot><tr><td class="pf">{aurl}</td></tr></tfoot>'
    width = f'max-width:{css["width"]}px;' if css['width'] else ''
    style = f"""
@page {{ size: {cfg['paper']}; {'' if cfg['header_footer'] else 'margin: 0.5in 0.7in;'} }}
body {{ font-family: '{css['font']}', {css['generic']}; font-size: {css['fs']}px; line-height: {css['lh']};
       {width} margin: 0 auto; color: #111; }}
p {{ text-align: {css['align']}; margin: 0 0 0.9em 0; }}
h1 {{ font-size: {css['fs'] * 2}px; line-height: 1.15; margin: 0 0 0.4em 0; }}
.byline {{ font-weight: bold; }} .date, .aurl {{ color: #555; font-size: {css['fs'] - 2}px; }}
.aurl {{ margin-bottom: 1.2em; }}
figure {{ margin: 1em 0; }} figcaption {{ font-size: {css['fs'] - 3}px; color: #444; }}
.credit {{ display: block; font-style: italic; }}
aside.rel {{ border-left: 4px solid #c00; padding-left: 0.6em; margin: 1em 0; font-weight: bold; }}
.ad {{ font-size: 10px; text-transform: none; color: #777; text-align: center; margin: 1.2em 0; }}
.adbox {{ height: 90px; background: #eee; border: 1px solid #ccc; }}
td.pf {{ font-size: 11px; color: #666; padding-top: 8px; }}
table.page {{ border-collapse: collapse; width: 100%; }}
"""
    doc = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(cfg["page_title"])}'
           f'</title><style>{style}</style></head><body><table class="page">{foot}<tbody><tr><td>'
           + '\n'.join(hd + body) + '</td></tr></tbody></table></body></html>')
    return doc, ins


def make_news(i, path, rng, port):
    title, blk = select(path, rng, 450, rng.choice([900, 1400, 2000]), keep_heads=False)
    paras = [t for k, t in blk]
    site = SITES[i % len(SITES)]
    y, m, d = rng.choice([2021, 2022, 2023, 2024]), rng.randrange(12), rng.randrange(1, 28)
    cfg = {
        'site': site, 'author': name(rng),
        'date': rng.choice([f'{MONTHS[m]} {d}, {y}', f'Published {MONTHS[m][:3]} {d}, {y} {rng.randrange(1, 12)}:{rng.randrange(60):02d} p.m.',
                            f'Updated: {MONTHS[m][:3]} {d}, {y}']),
        'url_mode': ['byline', 'footer', 'both'][i % 3],
        'header_footer': i % 2 == 0,
        'figures': [0, 1, 2, 1][i % 4], 'fig_pos': rng.choice(['top', 'mid']),
        'n_related': rng.choice([1, 1, 2]), 'readmore': rng.random() < 0.6, 'ads': rng.choice([0, 1, 2]),
        'paper': rng.choice(['Letter', 'A4']),
        'css': {'font': rng.choice(['Liberation Serif', 'DejaVu Sans', 'C059', 'Nimbus Sans', 'DejaVu Serif', 'P052']),
                'generic': 'serif', 'fs': rng.choice([14, 15, 16, 18]), 'lh': rng.choice([1.4, 1.5, 1.6]),
                'width': rng.choice([0, 560, 640, 720]), 'align': rng.choice(['left', 'justify']),
                'img_h': rng.randrange(180, 320)},
    }
    cfg['page_title'] = f'{title} - {site[1]}' if rng.random() < 0.5 else f'{title} | {site[1]}'
    slug = slugify(title)
    pagepath = f'/{y}/{m + 1:02d}/{slug}.html'
    doc, ins = news_html(title, paras, cfg, rng)
    os.makedirs(os.path.join(B, 'www', site[0] + os.path.dirname(pagepath)), exist_ok=True)
    with open(os.path.join(B, 'www', site[0] + pagepath), 'w') as f:
        f.write(doc)
    pdf = os.path.join(B, f'news-{slug}.pdf')
    url = f'http://{site[0]}{pagepath}'
    ud = tempfile.mkdtemp()
    cmd = ['chromium', '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           f'--user-data-dir={ud}', f'--host-resolver-rules=MAP {site[0]} 127.0.0.1:{port}',
           f'--print-to-pdf={pdf}']
    if not cfg['header_footer']:
        cmd.append('--no-pdf-header-footer')
    subprocess.run(cmd + [url], check=True, capture_output=True, timeout=120)
    shutil.rmtree(ud, ignore_errors=True)
    if cfg['header_footer']:
        ins += [(cfg['page_title'], 'print-header'), (url, 'print-footer')]  # date added after extraction
    return dict(kind='news', slug=slug, title=title, truth=[title] + paras, pdf=pdf, ins=ins, cfg=cfg,
                url=url, source=path)


# --------------------------------------------------------------------------- paper
def gesc(s):
    s = s.replace('\\', '\\e')
    if s[:1] in '.\'':
        s = '\\&' + s
    return s


FORMULA_LEADS = [' given by [formula]', ', where [formula]', ' with [formula]', ' (cf. [formula])',
                 ', that is [formula]', ' for all [formula]']


def add_formulas(p, rng):
    sents = re.split(r'(?<=[a-z0-9)][.]) (?=[A-Z])', p)
    k = rng.randrange(len(sents))
    s = sents[k]
    if s.endswith('.'):
        sents[k] = s[:-1] + rng.choice(FORMULA_LEADS) + '.'
    return ' '.join(sents)


def make_paper(i, path, rng):
    title, blk = select(path, rng, 500, rng.choice([1200, 1800, 2400]), keep_heads=True)
    if not blk or blk[0][0] != 'h':
        blk = [('h', 'Introduction')] + blk
    out = []
    nf = 0
    for k, t in blk:
        if k == 'p' and rng.random() < 0.3:
            t = add_formulas(t, rng); nf += 1
        out.append((k, t))
    numbered = rng.random() < 0.5
    sec = 0
    for j, (k, t) in enumerate(out):
        if k == 'h' and numbered:
            sec += 1
            out[j] = (k, f'{sec}. {t}')
    nauth = rng.choice([1, 2, 3])
    authors = [f'{rng.choice(FIRST)[0]}. {rng.choice(LAST)}' if rng.random() < 0.4 else name(rng) for _ in range(nauth)]
    authline = authors[0] if nauth == 1 else ', '.join(authors[:-1]) + ' and ' + authors[-1]
    surname = [a.split()[-1] for a in authors]
    short_auth = surname[0] if nauth == 1 else (f'{surname[0]} and {surname[1]}' if nauth == 2 else f'{surname[0]} et al.')
    y, m, d = rng.randrange(2003, 2020), rng.randrange(12), rng.randrange(1, 29)
    cfg = {'twocolumn': i % 3 == 1, 'size': rng.choice([10, 11, 12]), 'font': rng.choice(['T', 'P', 'N', 'H']),
           'hyph_mode': rng.choice([4, 6, 14]), 'page_fmt': rng.choice(['{n}', '{n}', 'Page {n}']),
           'head_style': rng.choice(['auth_title', 'title_only', 'upper_title']),
           'footnote': i % 2 == 0, 'received': rng.random() < 0.6, 'a4': rng.random() < 0.5}
    short_title = title if len(title) <= 50 else title[:46].rsplit(' ', 1)[0] + ' ...'
    if cfg['head_style'] == 'upper_title':
        short_title = short_title.upper()
    ins = [(authline, 'title-block'), (rng.choice(UNIS), 'title-block')]
    if cfg['received']:
        ins.append((f'Received {d} {MONTHS[m]} {y}', 'dateline'))
    lh = short_auth if cfg['head_style'] == 'auth_title' else ''
    if lh:
        ins.append((lh, 'running-head'))
    ins.append((short_title, 'running-head'))
    pf = cfg['page_fmt'].replace('{n}', '%')
    ll = 6.0 if not cfg['a4'] else 6.2
    src = [f'.nr PS {cfg["size"]}', f'.nr VS {cfg["size"] + 2}', f'.nr LL {ll}i', '.nr PO 1.1i', '.nr HM 0.9i',
           '.nr FM 1i', f'.nr HY {cfg["hyph_mode"]}', f'.fam {cfg["font"]}', f'.ds FAM {cfg["font"]}',
           f'.ds LH {gesc(lh)}', '.ds CH', f'.ds RH {gesc(short_title)}', f'.ds CF {pf}', '.ds LF', '.ds RF',
           '.TL', gesc(title), '.AU', gesc(authline), '.AI', gesc(ins[1][0])]
    if cfg['received']:
        src += ['.sp 0.5', f'Received {d} {MONTHS[m]} {y}']
    src += [f'.hy {cfg["hyph_mode"]}']
    if cfg['twocolumn']:
        src += ['.2C']
    fn_done = not cfg['footnote']
    fn = rng.choice(FOOTNOTES)
    for k, t in out:
        if k == 'h':
            src += ['.SH', gesc(t)]
        else:
            src += ['.PP', gesc(t)]
            if not fn_done:
                src += ['.FS', gesc(fn), '.FE']
                fn_done = True
                ins.append((fn, 'footnote'))
    slug = slugify(title)
    pdir = os.path.join(B, f'paper-{slug}.ms')
    with open(pdir, 'w') as f:
        f.write('\n'.join(src) + '\n')
    pdf = os.path.join(B, f'paper-{slug}.pdf')
    paper = ['-P-pa4' if cfg['a4'] else '-P-pletter', '-dpaper=a4' if cfg['a4'] else '-dpaper=letter']
    with open(pdf, 'wb') as f:
        subprocess.run(['groff', '-k', '-ms', '-Tpdf'] + paper + [pdir], stdout=f, check=True, timeout=120)
    cfg['formulas'] = nf
    truth = [title] + [t for k, t in out]
    return dict(kind='paper', slug=slug, title=title, truth=truth, pdf=pdf, ins=ins, cfg=cfg, source=path)


# --------------------------------------------------------------------------- extraction
def ex_pdftotext(pdf):
    return subprocess.run(['pdftotext', '-enc', 'UTF-8', pdf, '-'], capture_output=True, check=True).stdout.decode('utf-8')


def ex_pdfminer(pdf):
    from pdfminer.high_level import extract_text
    return extract_text(pdf)


def ex_pypdf(pdf):
    from pypdf import PdfReader
    return '\n'.join(p.extract_text() for p in PdfReader(pdf).pages)


EXTRACTORS = [('pdftotext', ex_pdftotext), ('pdfminer', ex_pdfminer), ('pypdf', ex_pypdf)]


def npages(pdf):
    out = subprocess.run(['pdfinfo', pdf], capture_output=True, text=True).stdout
    return int(re.search(r'Pages:\s+(\d+)', out).group(1))


def visible(s, text):
    """The form of s that is on the page: Chromium elides long header/footer strings with an ellipsis."""
    flat = re.sub(r'\s+', ' ', text)
    if s in flat:
        return s
    for n in range(len(s) - 1, 10, -1):
        if s[:n] + '\u2026' in flat or s[:n] + '...' in flat:
            return s[:n] + '\u2026'
    return s


def main():
    random.seed(20241128)
    shutil.rmtree(B, ignore_errors=True)
    os.makedirs(B)
    # local web server for the news pages (loopback only), fake host names mapped onto it
    www = os.path.join(B, 'www')
    os.makedirs(www)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):  # one folder per (fake) host name
            host = (self.headers.get('Host') or '').split(':')[0]
            return os.path.join(www, host, path.split('?')[0].lstrip('/'))

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    port = srv.server_address[1]
    th = threading.Thread(target=srv.serve_forever, daemon=True); th.start()
    docs = []
    try:
        for i, p in enumerate(NEWS_SRC):
            docs.append(make_news(i, p, random.Random(1000 + i), port))
            print('news', docs[-1]['slug'], file=sys.stderr)
    finally:
        srv.shutdown()
    for i, p in enumerate(PAPER_SRC):
        docs.append(make_paper(i, p, random.Random(2000 + i)))
        print('paper', docs[-1]['slug'], file=sys.stderr)

    recs, man = [], []
    for d in docs:
        n = npages(d['pdf'])
        ptt = ex_pdftotext(d['pdf'])
        ins = list(d['ins'])
        if d['kind'] == 'news':
            if d['cfg']['header_footer']:
                m = re.match(r'\s*(\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2}\s[AP]M)', ptt)
                ins = [(visible(s, ptt), k) if k in ('print-header', 'print-footer') else (s, k) for s, k in ins]
                if m:
                    ins.insert(len(ins) - 2, (m.group(1), 'print-header'))
                ins += [(f'{j}/{n}', 'page-number') for j in range(1, n + 1)]
        else:
            pf = d['cfg']['page_fmt']
            ins += [(pf.replace('{n}', str(j)), 'page-number') for j in range(1, n + 1)]
        renderer = 'chromium' if d['kind'] == 'news' else 'groff'
        for ename, fn in EXTRACTORS:
            try:
                text = ptt if ename == 'pdftotext' else fn(d['pdf'])
            except Exception as e:  # keep going, report
                print('EXTRACTOR FAILED', ename, d['pdf'], e, file=sys.stderr)
                continue
            rid = f'{d["kind"]}-{d["slug"]}-{renderer}-{ename}'
            recs.append(dict(id=rid, family=d['kind'], renderer=renderer, extractor=ename, text=text,
                             truth=d['truth'], inserted=[s for s, k in ins], inserted_kinds=[k for s, k in ins]))
            man.append(dict(id=rid, split='heldout-mini', source=d['source'], pdf=os.path.basename(d['pdf']),
                            pages=n, url=d.get('url'), config=d['cfg'] | ({'site': d['cfg']['site'][0]} if 'site' in d['cfg'] else {})))
    with gzip.open(os.path.join(OUT, 'corpus.jsonl.gz'), 'wt', encoding='utf-8') as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')
    with gzip.open(os.path.join(OUT, 'manifest.jsonl.gz'), 'wt', encoding='utf-8') as f:
        for r in man:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')
    with open(os.path.join(OUT, 'raw-preds.jsonl'), 'w', encoding='utf-8') as f:
        for r in recs:
            f.write(json.dumps({'id': r['id'], 'text': r['text']}, ensure_ascii=False) + '\n')
    print(len(recs), 'records', file=sys.stderr)


if __name__ == '__main__':
    main()
