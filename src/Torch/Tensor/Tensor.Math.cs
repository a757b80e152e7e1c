using ArchNotebooks.Torch.Interop;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    public sealed partial class Tensor
    {
        // Binary arithmetic and comparisons. Overloads pick the Tensor or Scalar schema.
        static readonly Op addT = new("add", "Tensor"), addS = new("add", "Scalar"), addT_ = new("add_", "Tensor"), addS_ = new("add_", "Scalar");
        static readonly Op subT = new("sub", "Tensor"), subS = new("sub", "Scalar"), subT_ = new("sub_", "Tensor"), subS_ = new("sub_", "Scalar"), rsubS = new("rsub", "Scalar");
        static readonly Op mulT = new("mul", "Tensor"), mulS = new("mul", "Scalar"), mulT_ = new("mul_", "Tensor"), mulS_ = new("mul_", "Scalar");
        static readonly Op divT = new("div", "Tensor"), divS = new("div", "Scalar"), divT_ = new("div_", "Tensor"), divS_ = new("div_", "Scalar");
        static readonly Op divTmode = new("div", "Tensor_mode");
        static readonly Op powT = new("pow", "Tensor_Tensor"), powS = new("pow", "Tensor_Scalar"), powST = new("pow", "Scalar");
        static readonly Op remS = new("remainder", "Scalar"), remT = new("remainder", "Tensor");
        static readonly Op eqT = new("eq", "Tensor"), eqS = new("eq", "Scalar"), neT = new("ne", "Tensor"), neS = new("ne", "Scalar");
        static readonly Op ltT = new("lt", "Tensor"), ltS = new("lt", "Scalar"), leT = new("le", "Tensor"), leS = new("le", "Scalar");
        static readonly Op gtT = new("gt", "Tensor"), gtS = new("gt", "Scalar"), geT = new("ge", "Tensor"), geS = new("ge", "Scalar");
        static readonly Op maximumT = new("maximum"), minimumT = new("minimum");
        static readonly Op logicalAnd = new("logical_and"), logicalOr = new("logical_or"), logicalNot = new("logical_not"), logicalXor = new("logical_xor");
        static readonly Op addcmulOp_ = new("addcmul_"), addcdivOp_ = new("addcdiv_"), lerpS_ = new("lerp_", "Scalar"), lerpS = new("lerp", "Scalar");
        static readonly Op clampOp = new("clamp"), clampT = new("clamp", "Tensor"), clampOp_ = new("clamp_"), copyOp_ = new("copy_"), fillOp_ = new("fill_", "Scalar");
        static readonly Op zeroOp_ = new("zero_"), sign = new("sign"), sgnOp = new("sgn");

        public Tensor add(Tensor other, double alpha = 1) => alpha == 1 ? addT.Call(this, other) : addT.Call(this, other, Arg.Kw("alpha", alpha));
        public Tensor add(double other) => addS.Call(this, other);
        // Integer scalars stay integers: int64 + 1 is int64, as in PyTorch (a double would promote it to float).
        public Tensor add(long other) => addS.Call(this, other);
        public Tensor add_(long other) { addS_.CallVoid(this, other); return this; }
        public Tensor sub(long other) => subS.Call(this, other);
        public Tensor sub_(long other) { subS_.CallVoid(this, other); return this; }
        public Tensor mul(long other) => mulS.Call(this, other);
        public Tensor mul_(long other) { mulS_.CallVoid(this, other); return this; }
        public Tensor remainder(long other) => remS.Call(this, other);
        public Tensor sub_(double other) { subS_.CallVoid(this, other); return this; }
        public Tensor add_(Tensor other, double alpha = 1) { addT_.CallVoid(this, other, Arg.Kw("alpha", alpha)); return this; }
        public Tensor add_(double other) { addS_.CallVoid(this, other); return this; }
        public Tensor sub(Tensor other, double alpha = 1) => alpha == 1 ? subT.Call(this, other) : subT.Call(this, other, Arg.Kw("alpha", alpha));
        public Tensor sub(double other) => subS.Call(this, other);
        public Tensor sub_(Tensor other, double alpha = 1) { subT_.CallVoid(this, other, Arg.Kw("alpha", alpha)); return this; }
        public Tensor mul(Tensor other) => mulT.Call(this, other);
        public Tensor mul(double other) => mulS.Call(this, other);
        public Tensor mul_(Tensor other) { mulT_.CallVoid(this, other); return this; }
        public Tensor mul_(double other) { mulS_.CallVoid(this, other); return this; }
        public Tensor div(Tensor other) => divT.Call(this, other);
        public Tensor div(double other) => divS.Call(this, other);
        /// <summary>Division with rounding_mode "trunc" or "floor".</summary>
        public Tensor div(Tensor other, string rounding_mode) => divTmode.Call(this, other, Arg.Kw("rounding_mode", rounding_mode));
        public Tensor div_(Tensor other) { divT_.CallVoid(this, other); return this; }
        public Tensor div_(double other) { divS_.CallVoid(this, other); return this; }
        public Tensor pow(Tensor exponent) => powT.Call(this, exponent);
        public Tensor pow(double exponent) => powS.Call(this, exponent);
        public Tensor remainder(double other) => remS.Call(this, other);
        public Tensor remainder(Tensor other) => remT.Call(this, other);
        public Tensor eq(Tensor other) => eqT.Call(this, other);
        public Tensor eq(double other) => eqS.Call(this, other);
        public Tensor ne(Tensor other) => neT.Call(this, other);
        public Tensor ne(double other) => neS.Call(this, other);
        public Tensor lt(Tensor other) => ltT.Call(this, other);
        public Tensor lt(double other) => ltS.Call(this, other);
        public Tensor le(Tensor other) => leT.Call(this, other);
        public Tensor le(double other) => leS.Call(this, other);
        public Tensor gt(Tensor other) => gtT.Call(this, other);
        public Tensor gt(double other) => gtS.Call(this, other);
        public Tensor ge(Tensor other) => geT.Call(this, other);
        public Tensor ge(double other) => geS.Call(this, other);
        public Tensor maximum(Tensor other) => maximumT.Call(this, other);
        public Tensor minimum(Tensor other) => minimumT.Call(this, other);
        public Tensor logical_and(Tensor other) => logicalAnd.Call(this, other);
        public Tensor logical_or(Tensor other) => logicalOr.Call(this, other);
        public Tensor logical_xor(Tensor other) => logicalXor.Call(this, other);
        public Tensor logical_not() => logicalNot.Call(this);
        public Tensor addcmul_(Tensor t1, Tensor t2, double value = 1) { addcmulOp_.CallVoid(this, t1, t2, Arg.Kw("value", value)); return this; }
        public Tensor addcdiv_(Tensor t1, Tensor t2, double value = 1) { addcdivOp_.CallVoid(this, t1, t2, Arg.Kw("value", value)); return this; }
        public Tensor lerp(Tensor end, double weight) => lerpS.Call(this, end, weight);
        public Tensor lerp_(Tensor end, double weight) { lerpS_.CallVoid(this, end, weight); return this; }
        public Tensor clamp(double? min = null, double? max = null) => clampOp.Call(this, min, max);
        public Tensor clamp(Tensor? min, Tensor? max) => clampT.Call(this, min, max);
        public Tensor clamp_(double? min = null, double? max = null) { clampOp_.CallVoid(this, min, max); return this; }
        public Tensor clip(double? min = null, double? max = null) => clamp(min, max);
        public Tensor copy_(Tensor src) { copyOp_.CallVoid(this, src); return this; }
        public Tensor fill_(double value) { fillOp_.CallVoid(this, value); return this; }
        public Tensor zero_() { zeroOp_.CallVoid(this); return this; }
        public Tensor sgn() => sgnOp.Call(this);

        // Unary elementwise math.
        static readonly Op negOp = new("neg"), absOp = new("abs"), expOp = new("exp"), logOp = new("log"), log1pOp = new("log1p");
        static readonly Op log2Op = new("log2"), sqrtOp = new("sqrt"), rsqrtOp = new("rsqrt"), sinOp = new("sin"), cosOp = new("cos");
        static readonly Op tanhOp = new("tanh"), sigmoidOp = new("sigmoid"), reluOp = new("relu"), squareOp = new("square");
        static readonly Op floorOp = new("floor"), ceilOp = new("ceil"), roundOp = new("round"), reciprocalOp = new("reciprocal");
        static readonly Op erfOp = new("erf"), expm1Op = new("expm1"), isnanOp = new("isnan"), isinfOp = new("isinf"), isfiniteOp = new("isfinite");
        static readonly Op nanToNum = new("nan_to_num");

        public Tensor neg() => negOp.Call(this);
        public Tensor abs() => absOp.Call(this);
        public Tensor exp() => expOp.Call(this);
        public Tensor log() => logOp.Call(this);
        public Tensor log1p() => log1pOp.Call(this);
        public Tensor log2() => log2Op.Call(this);
        public Tensor sqrt() => sqrtOp.Call(this);
        public Tensor rsqrt() => rsqrtOp.Call(this);
        public Tensor sin() => sinOp.Call(this);
        public Tensor cos() => cosOp.Call(this);
        public Tensor tanh() => tanhOp.Call(this);
        public Tensor sigmoid() => sigmoidOp.Call(this);
        public Tensor relu() => reluOp.Call(this);
        public Tensor square() => squareOp.Call(this);
        public Tensor floor() => floorOp.Call(this);
        public Tensor ceil() => ceilOp.Call(this);
        public Tensor round() => roundOp.Call(this);
        public Tensor reciprocal() => reciprocalOp.Call(this);
        public Tensor erf() => erfOp.Call(this);
        public Tensor expm1() => expm1Op.Call(this);
        public Tensor isnan() => isnanOp.Call(this);
        public Tensor isinf() => isinfOp.Call(this);
        public Tensor isfinite() => isfiniteOp.Call(this);
        public Tensor nan_to_num(double nan = 0, double? posinf = null, double? neginf = null) => nanToNum.Call(this, nan, posinf, neginf);

        // C# operators.
        public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
        public static Tensor operator +(Tensor a, double b) => a.add(b);
        public static Tensor operator +(double a, Tensor b) => b.add(a);
        public static Tensor operator +(Tensor a, long b) => a.add(b);
        public static Tensor operator +(long a, Tensor b) => b.add(a);
        public static Tensor operator -(Tensor a, long b) => a.sub(b);
        public static Tensor operator -(long a, Tensor b) => rsubS.Call(b, a);
        public static Tensor operator *(Tensor a, long b) => a.mul(b);
        public static Tensor operator *(long a, Tensor b) => b.mul(a);
        public static Tensor operator %(Tensor a, long b) => a.remainder(b);
        public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
        public static Tensor operator -(Tensor a, double b) => a.sub(b);
        public static Tensor operator -(double a, Tensor b) => rsubS.Call(b, a);
        public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
        public static Tensor operator *(Tensor a, double b) => a.mul(b);
        public static Tensor operator *(double a, Tensor b) => b.mul(a);
        public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
        public static Tensor operator /(Tensor a, double b) => a.div(b);
        public static Tensor operator /(double a, Tensor b) => b.reciprocal().mul(a);
        public static Tensor operator %(Tensor a, double b) => a.remainder(b);
        public static Tensor operator -(Tensor a) => a.neg();
        public static Tensor operator <(Tensor a, Tensor b) => a.lt(b);
        public static Tensor operator <(Tensor a, double b) => a.lt(b);
        public static Tensor operator >(Tensor a, Tensor b) => a.gt(b);
        public static Tensor operator >(Tensor a, double b) => a.gt(b);
        public static Tensor operator <=(Tensor a, Tensor b) => a.le(b);
        public static Tensor operator <=(Tensor a, double b) => a.le(b);
        public static Tensor operator >=(Tensor a, Tensor b) => a.ge(b);
        public static Tensor operator >=(Tensor a, double b) => a.ge(b);
        public static Tensor operator <(double a, Tensor b) => b.gt(a);
        public static Tensor operator >(double a, Tensor b) => b.lt(a);
        public static Tensor operator <=(double a, Tensor b) => b.ge(a);
        public static Tensor operator >=(double a, Tensor b) => b.le(a);
        public static Tensor operator &(Tensor a, Tensor b) => a.logical_and(b);
        public static Tensor operator |(Tensor a, Tensor b) => a.logical_or(b);
        public static Tensor operator ^(Tensor a, Tensor b) => a.logical_xor(b);
        public static Tensor operator !(Tensor a) => a.logical_not();

        // Matrix products.
        static readonly Op matmulOp = new("matmul"), mmOp = new("mm"), bmmOp = new("bmm"), outerOp = new("outer"), dotOp = new("dot");

        public Tensor matmul(Tensor other) => matmulOp.Call(this, other);
        public Tensor mm(Tensor other) => mmOp.Call(this, other);
        public Tensor bmm(Tensor other) => bmmOp.Call(this, other);
        public Tensor outer(Tensor other) => outerOp.Call(this, other);
        public Tensor dot(Tensor other) => dotOp.Call(this, other);
    }
}
