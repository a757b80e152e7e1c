namespace ArchNotebooks.Library.Studies;

/// <summary>A fitted scaling law L(N) = A · N^(−B) + C (C = 0 for the pure power law).</summary>
public sealed record PowerLawFit(double A, double B, double C, double RSquared, bool WithOffset, int Points)
{
    public double Predict(double n) => A * Math.Pow(n, -B) + C;

    public override string ToString() =>
        $"L = {A:G4} · N^-{B:G4}" + (WithOffset ? $" + {C:G4}" : "") + $"  (R² {RSquared:F4}, {(WithOffset ? "least squares" : "log-log")}, {Points} points)";
}

/// <summary>Fits loss against parameter count (or data, or compute) to a power law.</summary>
public static class PowerLaw
{
    /// <summary>
    /// L = A·N^(−B) by least squares on log L = log A − B log N (numpy.polyfit(log N, log L, 1)).
    /// R² is that regression's, in log space.
    /// </summary>
    public static PowerLawFit Fit(IReadOnlyList<double> n, IReadOnlyList<double> loss)
    {
        Check(n, loss, 2);
        if (loss.Any(l => l <= 0)) throw new ArgumentException("a pure power law needs positive losses; use FitWithOffset for data with a floor");
        var (slope, intercept, r2) = LinearFit(n.Select(v => Math.Log(v)).ToArray(), loss.Select(v => Math.Log(v)).ToArray());
        return new PowerLawFit(Math.Exp(intercept), -slope, 0, r2, false, n.Count);
    }

    /// <summary>
    /// L = A·N^(−B) + C (an irreducible loss C) by nonlinear least squares in linear space, as
    /// scipy.optimize.curve_fit does: a scan over C with log-log fits for a start, then
    /// Levenberg–Marquardt on (A, B, C). R² is 1 − SSE/SST of the losses.
    /// </summary>
    public static PowerLawFit FitWithOffset(IReadOnlyList<double> n, IReadOnlyList<double> loss)
    {
        Check(n, loss, 4);
        double[] x = n.ToArray(), y = loss.ToArray();
        double min = y.Min();
        // Start: the best log-log fit of (L − C) over a grid of C below the smallest loss.
        (double a, double b, double c) start = (0, 0, 0);
        double bestSse = double.PositiveInfinity;
        double[] logX = x.Select(v => Math.Log(v)).ToArray();
        double span = Math.Max(Math.Abs(min), y.Max() - min);
        var offsets = Enumerable.Range(0, 200).Select(i => min - span * (1 - i / 200.0)).Append(0.0);
        foreach (var c in offsets)
        {
            if (y.Any(v => v - c <= 0)) continue;
            var (slope, intercept, _) = LinearFit(logX, y.Select(v => Math.Log(v - c)).ToArray());
            var candidate = (Math.Exp(intercept), -slope, c);
            double sse = Sse(x, y, candidate);
            if (sse < bestSse) (bestSse, start) = (sse, candidate);
        }
        var (fa, fb, fc) = LevenbergMarquardt(x, y, start);
        double mean = y.Average(), sst = y.Sum(v => (v - mean) * (v - mean));
        return new PowerLawFit(fa, fb, fc, 1 - Sse(x, y, (fa, fb, fc)) / sst, true, x.Length);
    }

    static void Check(IReadOnlyList<double> n, IReadOnlyList<double> loss, int minimum)
    {
        if (n.Count != loss.Count) throw new ArgumentException($"{n.Count} sizes but {loss.Count} losses");
        if (n.Count < minimum) throw new ArgumentException($"the fit needs at least {minimum} points, got {n.Count}");
        if (n.Any(v => !(v > 0))) throw new ArgumentException("sizes must be positive");
        if (loss.Any(v => !double.IsFinite(v))) throw new ArgumentException("losses must be finite");
    }

    /// <summary>Ordinary least squares y = slope·x + intercept, with R².</summary>
    static (double slope, double intercept, double r2) LinearFit(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (sxx == 0) throw new ArgumentException("all sizes are equal, so no slope can be fitted");
        double slope = sxy / sxx;
        return (slope, my - slope * mx, syy == 0 ? 1 : sxy * sxy / (sxx * syy));
    }

    static double Sse(double[] x, double[] y, (double a, double b, double c) p)
    {
        double sse = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = y[i] - (p.a * Math.Pow(x[i], -p.b) + p.c);
            sse += r * r;
        }
        return sse;
    }

    static (double a, double b, double c) LevenbergMarquardt(double[] x, double[] y, (double a, double b, double c) p)
    {
        double lambda = 1e-3, sse = Sse(x, y, p);
        var j = new double[3];
        for (int iteration = 0; iteration < 500; iteration++)
        {
            // Normal equations JᵀJ δ = Jᵀr with the Jacobian of the model a·x^-b + c.
            var jtj = new double[3, 3];
            var jtr = new double[3];
            for (int i = 0; i < x.Length; i++)
            {
                double pow = Math.Pow(x[i], -p.b);
                double r = y[i] - (p.a * pow + p.c);
                (j[0], j[1], j[2]) = (pow, -p.a * pow * Math.Log(x[i]), 1);
                for (int u = 0; u < 3; u++)
                {
                    jtr[u] += j[u] * r;
                    for (int v = 0; v < 3; v++) jtj[u, v] += j[u] * j[v];
                }
            }
            bool improved = false;
            while (lambda < 1e12)
            {
                var m = (double[,])jtj.Clone();
                for (int u = 0; u < 3; u++) m[u, u] *= 1 + lambda;
                var step = Solve3(m, jtr);
                if (step is null) { lambda *= 10; continue; }
                var next = (p.a + step[0], p.b + step[1], p.c + step[2]);
                double nextSse = Sse(x, y, next);
                if (nextSse < sse)
                {
                    bool converged = sse - nextSse <= 1e-15 * sse;
                    (p, sse, lambda, improved) = (next, nextSse, Math.Max(lambda / 10, 1e-12), true);
                    if (converged) return p;
                    break;
                }
                lambda *= 10;
            }
            if (!improved) return p;
        }
        return p;
    }

    static double[]? Solve3(double[,] m, double[] rhs)
    {
        double det = Det(m);
        if (Math.Abs(det) < 1e-300 || !double.IsFinite(det)) return null;
        var result = new double[3];
        for (int k = 0; k < 3; k++)
        {
            var mk = (double[,])m.Clone();
            for (int r = 0; r < 3; r++) mk[r, k] = rhs[r];
            result[k] = Det(mk) / det;
        }
        return result;
    }

    static double Det(double[,] m) =>
        m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0]) + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
}
