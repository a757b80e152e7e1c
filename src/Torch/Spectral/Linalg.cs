using ArchNotebooks.Torch.Interop;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    /// <summary>Matrix decompositions (torch.linalg): the ones the analysis tools need.</summary>
    public static class linalg
    {
        static readonly Op svdvalsOp = new("linalg_svdvals"), svdOp = new("linalg_svd"), matrixNormOp = new("linalg_matrix_norm", "str_ord");

        /// <summary>Singular values of a matrix (or of each matrix in a batch), largest first.</summary>
        public static Tensor svdvals(Tensor A)
        {
            RequireMatrix(A, "svdvals");
            return svdvalsOp.Call(A);
        }

        /// <summary>A = U diag(S) Vh; with <paramref name="full_matrices"/> false, U and Vh are the reduced factors.</summary>
        public static (Tensor U, Tensor S, Tensor Vh) svd(Tensor A, bool full_matrices = true)
        {
            RequireMatrix(A, "svd");
            var r = svdOp.CallTensors(A, full_matrices);
            return (r[0], r[1], r[2]);
        }

        /// <summary>A matrix norm: "fro" (Frobenius, the default) or "nuc" (sum of singular values).</summary>
        public static Tensor matrix_norm(Tensor A, string ord = "fro")
        {
            RequireMatrix(A, "matrix_norm");
            if (ord is not ("fro" or "nuc")) throw new ArgumentException($"torch.linalg.matrix_norm: ord must be \"fro\" or \"nuc\", got \"{ord}\"");
            return matrixNormOp.Call(A, Arg.Kw("ord", ord));
        }

        static void RequireMatrix(Tensor A, string what)
        {
            if (A.dim() < 2) throw new ArgumentException($"torch.linalg.{what} needs a matrix (2 or more dimensions), got shape [{string.Join(", ", A.shape)}]");
        }
    }
}
