using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Parity;

internal static partial class ParityCases
{
    static void AddElementwise()
    {
        Add("neg", () => In(R(3, 4)), x => -x[0]);
        Add("abs", () => In(R(3, 4)), x => x[0].abs());
        Add("exp", () => In(R(3, 4)), x => x[0].exp());
        Add("log", () => In(P(3, 4)), x => x[0].log());
        Add("log1p", () => In(P(3, 4)), x => x[0].log1p());
        Add("log2", () => In(P(3, 4)), x => x[0].log2());
        Add("sqrt", () => In(P(3, 4)), x => x[0].sqrt());
        Add("rsqrt", () => In(P(3, 4)), x => x[0].rsqrt());
        Add("sin", () => In(R(3, 4)), x => x[0].sin());
        Add("cos", () => In(R(3, 4)), x => x[0].cos());
        Add("tanh", () => In(R(3, 4)), x => x[0].tanh());
        Add("sigmoid", () => In(R(3, 4)), x => x[0].sigmoid());
        Add("relu", () => In(R(3, 4)), x => x[0].relu());
        Add("square", () => In(R(3, 4)), x => x[0].square());
        Add("reciprocal", () => In(P(3, 4)), x => x[0].reciprocal());
        Add("erf", () => In(R(3, 4)), x => x[0].erf());
        Add("expm1", () => In(R(3, 4)), x => x[0].expm1());
        Add("floor", () => In(R(3, 4)), x => (x[0] * 3).floor());
        Add("ceil", () => In(R(3, 4)), x => (x[0] * 3).ceil());
        Add("round", () => In(R(3, 4)), x => (x[0] * 3).round());
        Add("sgn", () => In(R(3, 4)), x => x[0].sgn());
        Add("clamp", () => In(R(3, 4)), x => x[0].clamp(-0.5, 0.7));
        Add("clamp_min", () => In(R(3, 4)), x => x[0].clamp(min: 0.1));
        Add("clamp_tensor", () => In(R(3, 4), R(3, 4)), x => x[0].clamp(x[1], null));
        Add("pow_scalar", () => In(P(3, 4)), x => x[0].pow(2.5));
        Add("pow_tensor", () => In(P(3, 4), R(3, 4)), x => x[0].pow(x[1]));
        Add("add_alpha", () => In(R(3, 4), R(3, 4)), x => x[0].add(x[1], alpha: 0.5));
        Add("add_broadcast", () => In(R(3, 1, 4), R(2, 4)), x => x[0] + x[1]);
        Add("sub", () => In(R(3, 4), R(4)), x => x[0] - x[1]);
        Add("mul", () => In(R(3, 4), R(3, 1)), x => x[0] * x[1]);
        Add("div", () => In(R(3, 4), P(3, 4)), x => x[0] / x[1]);
        Add("div_floor", () => In(R(3, 4), P(3, 4)), x => (x[0] * 4).div(x[1], "floor"));
        Add("div_trunc", () => In(R(3, 4), P(3, 4)), x => (x[0] * 4).div(x[1], "trunc"));
        Add("remainder", () => In(R(3, 4)), x => x[0] % 0.7);
        Add("scalar_operators", () => In(R(3, 4), P(3, 4)), x => (2.0 - x[0]) * 3.0 + x[0] / 4.0 - 1.0 + 2.0 / x[1] + 0.5 * x[1]);
        Add("maximum", () => In(R(3, 4), R(3, 4)), x => x[0].maximum(x[1]));
        Add("minimum", () => In(R(3, 4), R(4)), x => minimum(x[0], x[1]));
        Add("lerp", () => In(R(3, 4), R(3, 4)), x => x[0].lerp(x[1], 0.3));
        AddMany("comparisons", () => In(R(3, 4), R(3, 4)),
            x => new[] { x[0].lt(x[1]), x[0] <= x[1], x[0].gt(0.2), x[0] >= 0.0, x[0].eq(x[0]), x[0].ne(x[1]), 0.1 < x[0] });
        AddMany("logical", () => In(M(3, 4), M(3, 4)), x => new[] { x[0] & x[1], x[0] | x[1], x[0] ^ x[1], !x[0] });
        Add("where", () => In(M(3, 4), R(3, 4), R(3, 4)), x => where(x[0], x[1], x[2]));
        Add("where_scalar", () => In(M(3, 4), R(3, 4)), x => where(x[0], x[1], 0.5));
        Add("masked_fill", () => In(R(3, 4), M(3, 4)), x => x[0].masked_fill(x[1], -1.5));
        Add("masked_fill_broadcast", () => In(R(2, 3, 4), M(3, 4)), x => x[0].masked_fill(x[1], 2.0));
        Add("nan_to_num", () => In(C(3, 4)), x => x[0].log().nan_to_num(0.0, 10.0, -10.0));
        AddMany("isnan_isinf_isfinite", () => In(C(3, 4)), x =>
        {
            var l = (x[0] * 100).exp().log();
            return new[] { l.isnan(), l.isinf(), l.isfinite() };
        });
        Add("to_float64", () => In(R(3, 4)), x => x[0].to(ScalarType.Float64) * 1.5);
        Add("to_int64", () => In(R(3, 4)), x => (x[0] * 5).to(ScalarType.Int64));
        // Rounding to 16 bits swallows a finite-difference step, so these two only run the parity check.
        Add("half_round_trip", () => In(R(3, 4)), x => x[0].half().@float(), fd: false);
        Add("bfloat16_round_trip", () => In(R(3, 4)), x => x[0].bfloat16().@float(), fd: false);
        Add("type_as", () => In(R(3, 4), C(2).to(ScalarType.Float64)), x => x[0].type_as(x[1]));
        Add("arange_float", None, _ => arange(0.5, 3.0, 0.25));
        Add("arange_int", None, _ => arange(10));
        Add("linspace", None, _ => linspace(-1, 1, 7));
        Add("eye", None, _ => eye(3, 4));
        Add("full", None, _ => full(new long[] { 2, 3 }, 1.5));
        Add("zeros_ones_like", () => In(R(2, 3)), x => zeros_like(x[0]) + ones_like(x[0]) * 2 + full_like(x[0], 0.25));
    }

    static void AddReductions()
    {
        Add("sum_all", () => In(R(3, 4, 5)), x => x[0].sum());
        Add("sum_dim", () => In(R(3, 4, 5)), x => x[0].sum(1));
        Add("sum_dim0_literal", () => In(R(3, 4)), x => x[0].sum(0));  // 0 once bound to sum(dtype: uint8)
        Add("sum_dims_keepdim", () => In(R(3, 4, 5)), x => x[0].sum(new long[] { 0, 2 }, keepdim: true));
        Add("sum_float64", () => In(R(3, 4)), x => x[0].sum(ScalarType.Float64));
        Add("mean_all", () => In(R(3, 4, 5)), x => x[0].mean());
        Add("mean_dim_keepdim", () => In(R(3, 4, 5)), x => x[0].mean(-1, keepdim: true));
        Add("mean_dims", () => In(R(3, 4, 5)), x => x[0].mean(new long[] { 0, 1 }));
        Add("prod_all", () => In(R(2, 3)), x => x[0].prod());
        Add("prod_dim", () => In(R(3, 4)), x => x[0].prod(1));
        Add("max_all", () => In(R(3, 4)), x => x[0].max());
        Add("min_all", () => In(R(3, 4)), x => x[0].min());
        AddMany("max_dim", () => In(R(3, 4, 5)), x => { var (v, i) = x[0].max(1); return new[] { v, i }; });
        AddMany("min_dim_keepdim", () => In(R(3, 4, 5)), x => { var (v, i) = x[0].min(-1, keepdim: true); return new[] { v, i }; });
        Add("amax", () => In(R(3, 4, 5)), x => x[0].amax(2));
        Add("amin", () => In(R(3, 4, 5)), x => x[0].amin(0, keepdim: true));
        Add("argmax_all", () => In(R(3, 4)), x => x[0].argmax());
        Add("argmax_dim", () => In(R(3, 4)), x => argmax(x[0], 1));
        Add("argmin_dim", () => In(R(3, 4)), x => x[0].argmin(0, keepdim: true));
        Add("std_all", () => In(R(3, 4)), x => x[0].std());
        Add("std_dim_biased", () => In(R(3, 4)), x => x[0].std(1, unbiased: false, keepdim: true));
        Add("var_all", () => In(R(3, 4)), x => x[0].var(unbiased: false));
        Add("var_dim", () => In(R(3, 4)), x => x[0].var(0));
        Add("norm2", () => In(R(3, 4)), x => x[0].norm());
        Add("norm1_dim", () => In(R(3, 4)), x => x[0].norm(1, 1, keepdim: true));
        Add("logsumexp", () => In(R(3, 4)), x => x[0].logsumexp(1));
        Add("cumsum", () => In(R(3, 4)), x => x[0].cumsum(1));
        AddMany("topk", () => In(R(3, 6)), x => { var (v, i) = x[0].topk(2); return new[] { v, i }; });
        AddMany("topk_smallest_dim0", () => In(R(5, 3)), x => { var (v, i) = x[0].topk(2, 0, largest: false); return new[] { v, i }; });
        AddMany("sort", () => In(R(3, 5)), x => { var (v, i) = x[0].sort(); return new[] { v, i }; });
        AddMany("sort_descending_dim0", () => In(R(4, 3)), x => { var (v, i) = x[0].sort(0, descending: true); return new[] { v, i }; });
        Add("argsort", () => In(R(3, 5)), x => x[0].argsort(1, descending: true));
        AddMany("any_all", () => In(R(3, 4)), x => new[] { (x[0] > 1.0).any(), (x[0] > -3.0).all() });
    }
}
