#!/usr/bin/env python3
"""Finds inline fully-qualified names and unused imports in main Java sources.

Usage: python3 scripts/check-imports.py [ROOT ...]   (default: every */src/main/java under the current folder)
Prints one line per finding (file:line: what) and exits 1 when there is any. An import used only in Javadoc
({@link X}, @see X, @throws X) counts as used, as javac and Checkstyle count it. A qualified name is allowed where
it cannot be imported: when the simple name is already taken by an import or by a class of the same file.
"""
import glob
import os
import re
import sys

QUALIFIED = re.compile(r'(?<![\w.])((?:java|javax|jdk|dev|com|org|io|net|picocli|me)\.(?:[a-z_]\w*\.)+)([A-Z]\w*)')
IMPORT = re.compile(r'^import\s+(static\s+)?([\w.]+)(\.\*)?\s*;', re.M)
DECLARED = re.compile(r'\b(?:class|interface|enum|record|@interface)\s+([A-Z]\w*)')
JAVADOC_REF = re.compile(r'(?:\{@link(?:plain)?|@see|@throws|@exception)\s+#?([\w.]+)')


def blank(src):
    """The code with comments and string/char literals blanked (line breaks kept, so line numbers hold)."""
    out, docs, i, n = [], [], 0, len(src)
    while i < n:
        if src.startswith('/*', i):
            end = src.find('*/', i + 2)
            end = n if end < 0 else end + 2
            docs.append(src[i:end])
            out.append(re.sub(r'[^\n]', ' ', src[i:end]))
            i = end
        elif src.startswith('//', i):
            end = src.find('\n', i)
            end = n if end < 0 else end
            out.append(' ' * (end - i))
            i = end
        elif src.startswith('"""', i):
            end = src.find('"""', i + 3)
            end = n if end < 0 else end + 3
            out.append(re.sub(r'[^\n]', ' ', src[i:end]))
            i = end
        elif src[i] in '"\'':
            q, j = src[i], i + 1
            while j < n and src[j] != q and src[j] != '\n':
                j += 2 if src[j] == '\\' else 1
            out.append(q + ' ' * (min(j, n) - i - 1) + q)
            i = min(j + 1, n)
        else:
            out.append(src[i])
            i += 1
    return ''.join(out), '\n'.join(docs)


def check(path):
    src = open(path, encoding='utf-8').read()
    code, docs = blank(src)
    found = []
    imports = list(IMPORT.finditer(code))
    body_start = imports[-1].end() if imports else 0
    body = code[body_start:]
    taken = {}
    for m in imports:
        if not m.group(3):
            taken.setdefault(m.group(2).rsplit('.', 1)[1], m.group(2))
    declared = set(DECLARED.findall(code))
    doc_refs = {r.split('.')[-1] for r in JAVADOC_REF.findall(docs)} | {r.split('.')[0] for r in JAVADOC_REF.findall(docs)}
    for m in imports:
        static, name, star = m.group(1), m.group(2), m.group(3)
        if star:
            continue
        simple = name.rsplit('.', 1)[1]
        used = re.search(r'(?<![\w.])' + re.escape(simple) + r'\b', body) or (not static and simple in doc_refs)
        if not used:
            found.append((code[:m.start()].count('\n') + 1, 'unused import ' + name))
    for m in QUALIFIED.finditer(body):
        line_start = body.rfind('\n', 0, m.start()) + 1
        if body[line_start:m.start()].lstrip().startswith(('package', 'import')):
            continue
        simple, full = m.group(2), m.group(1) + m.group(2)
        if (simple in taken and taken[simple] != full) or (simple in declared):
            continue  # the simple name means something else here: the qualified name is needed
        found.append((code[:body_start + m.start()].count('\n') + 1, 'inline qualified name ' + full))
    return found


def main(roots):
    if not roots:
        roots = sorted(glob.glob('*/src/main/java'))
    total = 0
    for root in roots:
        for dirpath, _, files in os.walk(root):
            for f in sorted(files):
                if f.endswith('.java'):
                    p = os.path.join(dirpath, f)
                    for line, what in check(p):
                        print(f'{p}:{line}: {what}')
                        total += 1
    print(f'{total} finding(s)', file=sys.stderr)
    return 1 if total else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
