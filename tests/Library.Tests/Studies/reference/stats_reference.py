"""Reference values for the validation engine's statistics, from scipy and numpy.

Reads a JSON request on stdin and writes the answers as JSON on stdout. Run with Debian's
/usr/bin/python3 (python3-scipy). Every case is computed independently of the C# code.
"""
import json
import sys

import numpy as np
from scipy import optimize, special, stats


def holm(p):
    """Holm's step-down procedure written from its definition: visit the hypotheses from the smallest
    p up; the k-th visited (k from 0) is compared at alpha / (m - k), and the first that fails stops
    the procedure. The adjusted p of a hypothesis is the smallest alpha at which it is rejected."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adjusted = [0.0] * m
    floor = 0.0
    for k, i in enumerate(order):
        # rejected at alpha iff every earlier one is and p_i <= alpha / (m - k)
        floor = max(floor, min(1.0, (m - k) * p[i]))
        adjusted[i] = floor
    return adjusted


def main():
    request = json.load(sys.stdin)
    out = {}
    out["welch"] = []
    for a, b in request["welch"]:
        r = stats.ttest_ind(a, b, equal_var=False)
        va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
        df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
        out["welch"].append({"t": float(r.statistic), "p": float(r.pvalue), "df": float(df)})
    out["holm"] = holm([w["p"] for w in out["welch"]])
    out["t_cdf"] = [float(stats.t.cdf(t, df)) for t, df in request["t_cdf"]]
    out["betainc"] = [float(special.betainc(a, b, x)) for a, b, x in request["betainc"]]
    out["std"] = [float(np.std(x, ddof=1)) for x in request["bootstrap"]]
    out["bootstrap"] = []
    for x in request["bootstrap"]:
        ci = stats.bootstrap((np.asarray(x),), np.mean, confidence_level=0.95, n_resamples=10000,
                             method="percentile", random_state=np.random.default_rng(0)).confidence_interval
        out["bootstrap"].append([float(ci.low), float(ci.high)])
    n, loss = np.asarray(request["power"]["n"]), np.asarray(request["power"]["loss"])
    slope, intercept = np.polyfit(np.log(n), np.log(loss), 1)
    r = stats.linregress(np.log(n), np.log(loss)).rvalue
    out["power"] = {"a": float(np.exp(intercept)), "b": float(-slope), "r2": float(r * r)}
    n, loss = np.asarray(request["offset"]["n"]), np.asarray(request["offset"]["loss"])
    f = lambda x, a, b, c: a * x ** (-b) + c
    (a, b, c), _ = optimize.curve_fit(f, n, loss, p0=request["offset"]["p0"], maxfev=100000, xtol=1e-14, ftol=1e-14)
    residual = loss - f(n, a, b, c)
    r2 = 1 - np.sum(residual ** 2) / np.sum((loss - loss.mean()) ** 2)
    out["offset"] = {"a": float(a), "b": float(b), "c": float(c), "r2": float(r2)}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
