namespace ArchNotebooks.Library.Studies;

/// <summary>The special functions behind the t-test: log-gamma, the regularized incomplete beta and Student's t distribution.</summary>
public static class SpecialFunctions
{
    // Lanczos approximation, g = 7, nine coefficients: about 1e-15 relative error for x > 0.
    static readonly double[] Lanczos =
    {
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    };

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (x <= 0 || double.IsNaN(x)) throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma is defined here for x > 0");
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);   // reflection
        x -= 1;
        double sum = Lanczos[0];
        for (int i = 1; i < Lanczos.Length; i++) sum += Lanczos[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    /// <summary>ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).</summary>
    public static double LogBeta(double a, double b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    /// <summary>
    /// I_x(a, b), the regularized incomplete beta function, by its continued fraction (modified Lentz),
    /// evaluated on whichever side of the mean converges fast and mirrored with I_x(a,b) = 1 − I_{1−x}(b,a).
    /// </summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x)
    {
        if (a <= 0 || b <= 0) throw new ArgumentOutOfRangeException(nameof(a), $"a and b must be positive, got {a} and {b}");
        if (double.IsNaN(x)) return double.NaN;
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double front = Math.Exp(a * Math.Log(x) + b * Math.Log(1 - x) - LogBeta(a, b));
        return x < (a + 1) / (a + b + 2)
            ? front * BetaContinuedFraction(a, b, x) / a
            : 1 - front * BetaContinuedFraction(b, a, 1 - x) / b;
    }

    static double BetaContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300, eps = 1e-16;
        double qab = a + b, qap = a + 1, qam = a - 1;
        double c = 1, d = 1 - qab * x / qap;
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 10_000; m++)
        {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < eps) return h;
        }
        throw new InvalidOperationException($"the incomplete beta continued fraction did not converge for a={a}, b={b}, x={x}");
    }

    /// <summary>P(T ≤ t) for Student's t with <paramref name="df"/> degrees of freedom (df may be fractional, as in Welch's test).</summary>
    public static double StudentTCdf(double t, double df)
    {
        if (!(df > 0)) throw new ArgumentOutOfRangeException(nameof(df), df, "degrees of freedom must be positive");
        if (double.IsNaN(t)) return double.NaN;
        if (double.IsPositiveInfinity(t)) return 1;
        if (double.IsNegativeInfinity(t)) return 0;
        double tail = 0.5 * StudentTTwoSidedTail(t, df);
        return t > 0 ? 1 - tail : tail;
    }

    /// <summary>P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2), computed directly so small p-values keep their precision.</summary>
    public static double StudentTTwoSidedTail(double t, double df)
    {
        if (double.IsNaN(t)) return double.NaN;
        if (double.IsInfinity(t)) return 0;
        double t2 = t * t;
        // x = df/(df+t²) loses its distance from 1 when t is small; use the mirrored form there.
        return t2 < df
            ? 1 - RegularizedIncompleteBeta(0.5, df / 2, t2 / (df + t2))
            : RegularizedIncompleteBeta(df / 2, 0.5, df / (df + t2));
    }
}
