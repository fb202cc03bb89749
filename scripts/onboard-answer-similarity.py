#!/usr/bin/env python3
"""Does a new model's answers on a few probes tell which known model its subject profile resembles?

A one-off check for docs/onboarding.md ("Similar answers, similar profile? Checked, not built"). For each of the
24 recorded MMLU-Pro models in turn, on the TRAIN split (the project's split: salt maestro-v1, half test, 20% of the
rest validation) and the 14 subjects:

- its subject profile is its per-subject accuracy in logits; the known models' pattern is a per-subject line in
  their overall logit, and a model's residual profile is its profile minus that line;
- baseline: the pattern at the model's true overall accuracy (no profile information at all);
- similarity: baseline plus a softmax(beta * agreement)-weighted mean of the 23 known models' residual profiles,
  where agreement is the share of questions on which the two gave the same answer letter, among those where at
  least one of them was wrong (two right answers always agree). Agreement from every training question (an upper
  bound) or from 30 random probes (what onboarding would have), 5 draws.

Prints the profile error (RMS over subjects, weighted by their share of questions, in logits) per model and on
average. Needs numpy; reads data/mmlupro from the project root; about a minute.
"""
import gzip, hashlib, json, sys
import numpy as np

ROOT = 'data/mmlupro/'
BETAS = [5, 10, 20, 40]
DRAWS = 5


def part(task_id):
    u = (int.from_bytes(hashlib.sha256(('maestro-v1:' + task_id).encode()).digest()[:8], 'big') >> 11) / 2 ** 53
    if u < 0.5:
        return 'TEST'
    return 'VALIDATION' if (u - 0.5) / 0.5 < 0.2 else 'TRAIN'


def load():
    tasks = [json.loads(line) for line in open(ROOT + 'tasks.jsonl')]
    train = [t for t in tasks if part(t['id']) == 'TRAIN']
    index = {t['id']: i for i, t in enumerate(train)}
    models, answers, correct = [], {}, {}
    for line in gzip.open(ROOT + 'recorded.jsonl.gz', 'rt'):
        r = json.loads(line)
        m = r['model']
        if m not in answers:
            models.append(m)
            answers[m] = [None] * len(train)
            correct[m] = np.full(len(train), np.nan)
        i = index.get(r['task_id'])
        if i is not None:
            answers[m][i] = r['answer']
            correct[m][i] = 1.0 if r['correct'] else 0.0
    groups = sorted({t['group'] for t in train})
    g = np.array([groups.index(t['group']) for t in train])
    return models, [answers[m] for m in models], np.array([correct[m] for m in models]), g, len(groups)


def main():
    models, A, C, g, ng = load()
    n = C.shape[1]
    share = np.bincount(g, minlength=ng) / n
    logit = lambda p: np.log(p / (1 - p))
    L = logit(np.clip(np.array([[np.nanmean(C[k, g == j]) for j in range(ng)] for k in range(len(models))]), 1e-3, 1 - 1e-3))
    overall = logit(np.nanmean(C, axis=1))
    rng = np.random.default_rng(7)
    rows = []
    for t in range(len(models)):
        known = [k for k in range(len(models)) if k != t]
        X = np.c_[np.ones(len(known)), overall[known]]
        line = np.linalg.lstsq(X, L[known], rcond=None)[0]
        residual = L[known] - X @ line
        base = np.array([1, overall[t]]) @ line
        err = lambda profile: float(np.sqrt(np.sum(share * (profile - L[t]) ** 2)))

        def agreement(questions):
            out = []
            for k in known:
                same = [A[t][i] is not None and A[t][i] == A[k][i] for i in questions
                        if not (C[t, i] == 1 and C[k, i] == 1)]
                out.append(np.mean(same) if same else 0.0)
            return np.array(out)

        def weighted(s, beta):
            w = np.exp(beta * (s - s.max()))
            return base + (w / w.sum()) @ residual

        full = agreement(range(n))
        probes = [agreement(rng.choice(n, 30, replace=False)) for _ in range(DRAWS)]
        rows.append((models[t], err(base), [err(weighted(full, b)) for b in BETAS],
                     [np.mean([err(weighted(s, b)) for s in probes]) for b in BETAS]))
    print(f"{'left-out model':30s} {'pattern':>8s} " + ' '.join(f'all b={b:<3d}' for b in BETAS) + ' '
          + ' '.join(f'30p b={b:<3d}' for b in BETAS))
    for name, e0, ef, ep in rows:
        print(f'{name:30s} {e0:8.3f} ' + ' '.join(f'{x:9.3f}' for x in ef) + ' ' + ' '.join(f'{x:9.3f}' for x in ep))
    print(f"{'mean':30s} {np.mean([r[1] for r in rows]):8.3f} "
          + ' '.join(f'{np.mean([r[2][i] for r in rows]):9.3f}' for i in range(len(BETAS))) + ' '
          + ' '.join(f'{np.mean([r[3][i] for r in rows]):9.3f}' for i in range(len(BETAS))))


if __name__ == '__main__':
    sys.exit(main())
