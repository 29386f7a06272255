"""The export-to-Python side of bench/e2e.sh: the same pipeline in numpy.

Reads the rows (id int, features float8[P], treatment int, outcome float8)
as PostgreSQL's binary COPY on stdin, fits a logistic T-learner by Newton on
the training rows (id % 10 < 7) with uplift_fit's defaults (l2 = 1 on every
coefficient but the intercept, a step of at most tol = 1e-6 ends it), scores
every row (the difference of the two arms' probabilities), computes
scikit-uplift's qini_auc_score on the holdout (id % 10 >= 7) and writes
(id, score) as binary COPY on stdout.  Stage times and the Qini go to stderr.

    usage: python3 bench/e2e.py P < rows.copy > scores.copy
"""
import sys
import time

import numpy as np

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


def stamp(times, name, t0):
    now = time.perf_counter()
    times.append((name, now - t0))
    return now


def parse_rows(data, p):
    """Rows of the binary COPY, all fields present and P elements per array."""
    if data[:11] != SIGNATURE:
        sys.exit("e2e.py: stdin is not a binary COPY")
    offset = 19 + int.from_bytes(data[15:19], "big")
    elem = np.dtype([("len", ">i4"), ("v", ">f8")])
    row = np.dtype([("nfields", ">i2"),
                    ("id_len", ">i4"), ("id", ">i4"),
                    ("x_len", ">i4"), ("ndim", ">i4"), ("flags", ">i4"),
                    ("elemtype", ">u4"), ("dim", ">i4"), ("lbound", ">i4"),
                    ("x", elem, (p,)),
                    ("t_len", ">i4"), ("t", ">i4"),
                    ("y_len", ">i4"), ("y", ">f8")])
    n, rest = divmod(len(data) - offset - 2, row.itemsize)
    if rest != 0 or data[-2:] != b"\xff\xff":
        sys.exit("e2e.py: rows are not of the expected layout (NULLs, or not %d features?)" % p)
    rows = np.frombuffer(data, dtype=row, count=n, offset=offset)
    if n and not (np.all(rows["nfields"] == 4) and np.all(rows["ndim"] == 1)
                  and np.all(rows["dim"] == p) and np.all(rows["flags"] == 0)):
        sys.exit("e2e.py: unexpected row layout")
    x = np.empty((n, p + 1))
    x[:, 0] = 1.0
    x[:, 1:] = rows["x"]["v"]
    return rows["id"].astype(np.int64), x, rows["t"].astype(np.int64), rows["y"].astype(np.float64)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def newton(x, y, l2=1.0, tol=1e-6, max_iter=100):
    """Penalised logistic regression (intercept not penalised) by Newton."""
    pen = np.full(x.shape[1], l2)
    pen[0] = 0.0
    beta = np.zeros(x.shape[1])
    for _ in range(max_iter):
        prob = sigmoid(x @ beta)
        grad = x.T @ (prob - y) + pen * beta
        hess = (x * (prob * (1.0 - prob))[:, None]).T @ x + np.diag(pen)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.max(np.abs(step)) <= tol:
            break
    return beta


def qini_curve(y, uplift, treatment):
    """scikit-uplift's qini_curve."""
    order = np.argsort(uplift)[::-1]
    y, uplift, treatment = y[order], uplift[order], treatment[order]
    idx = np.r_[np.where(np.diff(uplift))[0], uplift.size - 1]
    n_t = np.cumsum(treatment, dtype=np.float64)[idx]
    y_t = np.cumsum(np.where(treatment == 1, y, 0.0))[idx]
    y_c = np.cumsum(np.where(treatment == 0, y, 0.0))[idx]
    n_all = idx + 1
    n_c = n_all - n_t
    values = y_t - y_c * np.divide(n_t, n_c, out=np.zeros_like(n_t), where=n_c != 0)
    if n_all.size == 0 or values[0] != 0 or n_all[0] != 0:
        n_all = np.r_[0, n_all]
        values = np.r_[0, values]
    return n_all, values


def qini_auc(y, uplift, treatment):
    """scikit-uplift's qini_auc_score (negative_effect true)."""
    x_a, y_a = qini_curve(y, uplift, treatment)
    x_p, y_p = qini_curve(y, y * treatment - y * (1 - treatment), treatment)
    base = np.trapz([0, y_p[-1]], [0, x_p[-1]])
    return (np.trapz(y_a, x_a) - base) / (np.trapz(y_p, x_p) - base)


def write_scores(out, ids, scores):
    row = np.dtype([("nfields", ">i2"), ("id_len", ">i4"), ("id", ">i4"),
                    ("s_len", ">i4"), ("s", ">f8")])
    rows = np.empty(ids.size, dtype=row)
    rows["nfields"] = 2
    rows["id_len"] = 4
    rows["id"] = ids
    rows["s_len"] = 8
    rows["s"] = scores
    out.write(SIGNATURE + b"\x00" * 8)
    out.write(rows.tobytes())
    out.write(b"\xff\xff")
    out.flush()


def main():
    p = int(sys.argv[1])
    times = []
    t = time.perf_counter()
    data = sys.stdin.buffer.read()
    t = stamp(times, "read COPY", t)
    ids, x, treatment, y = parse_rows(data, p)
    del data
    t = stamp(times, "parse", t)
    train = ids % 10 < 7
    betas = [newton(x[train & (treatment == a)], y[train & (treatment == a)]) for a in (0, 1)]
    t = stamp(times, "fit", t)
    scores = sigmoid(x @ betas[1]) - sigmoid(x @ betas[0])
    t = stamp(times, "score", t)
    hold = ~train
    qini = qini_auc(y[hold], scores[hold], treatment[hold])
    t = stamp(times, "qini", t)
    write_scores(sys.stdout.buffer, ids, scores)
    stamp(times, "write COPY", t)
    for name, secs in times:
        print("python %-10s %8.3f s" % (name, secs), file=sys.stderr)
    print("python qini_auc %.12f" % qini, file=sys.stderr)


if __name__ == "__main__":
    main()
