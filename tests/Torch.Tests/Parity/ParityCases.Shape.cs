using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Parity;

internal static partial class ParityCases
{
    static void AddShapes()
    {
        Add("view", () => In(R(2, 3, 4)), x => x[0].view(6, 4));
        Add("reshape", () => In(R(2, 3, 4)), x => x[0].reshape(4, -1));
        Add("permute", () => In(R(2, 3, 4)), x => x[0].permute(2, 0, 1));
        Add("transpose", () => In(R(2, 3, 4)), x => x[0].transpose(0, 2));
        Add("t", () => In(R(3, 4)), x => x[0].t());
        Add("mT", () => In(R(2, 3, 4)), x => x[0].mT);
        Add("squeeze", () => In(R(2, 1, 3, 1)), x => x[0].squeeze());
        Add("squeeze_dim", () => In(R(2, 1, 3, 1)), x => x[0].squeeze(1));
        Add("unsqueeze", () => In(R(2, 3)), x => x[0].unsqueeze(1));
        Add("flatten", () => In(R(2, 3, 4)), x => x[0].flatten());
        Add("flatten_from_1", () => In(R(2, 3, 4)), x => flatten(x[0], 1));
        Add("expand", () => In(R(3, 1)), x => x[0].expand(2, 3, 4));
        Add("expand_as", () => In(R(1, 4), R(3, 4)), x => x[0].expand_as(x[1]) * x[1]);
        Add("repeat", () => In(R(2, 3)), x => x[0].repeat(2, 1, 2));
        Add("contiguous", () => In(R(2, 3, 4)), x => x[0].permute(1, 2, 0).contiguous());
        Add("clone", () => In(R(2, 3)), x => x[0].clone());
        Add("detach", () => In(R(2, 3)), x => x[0].detach() * 2);
        Add("slice_step", () => In(R(2, 5, 4)), x => x[0].slice(1, 0, 5, 2));
        Add("slice_open_end", () => In(R(2, 5, 4)), x => x[0].slice(2, 1, null));
        Add("select", () => In(R(2, 5, 4)), x => x[0].select(1, -1));
        Add("narrow", () => In(R(2, 5, 4)), x => x[0].narrow(2, 1, 2));
        AddMany("split_size", () => In(R(2, 5)), x => x[0].split(2, 1));
        AddMany("split_sizes", () => In(R(2, 5)), x => x[0].split(new long[] { 1, 4 }, 1));
        AddMany("chunk", () => In(R(6, 2)), x => chunk(x[0], 4, 0));
        AddMany("unbind", () => In(R(2, 3)), x => x[0].unbind(1));
        Add("cat_dim1", () => In(R(2, 3), R(2, 2)), x => cat(new[] { x[0], x[1] }, 1));
        Add("cat_dim0", () => In(R(2, 3), R(1, 3), R(3, 3)), x => cat(x, 0));
        Add("stack", () => In(R(2, 3), R(2, 3)), x => stack(x, 1));
        Add("gather", () => In(R(2, 3), I(3, 2, 4)), x => x[0].gather(1, x[1]));
        Add("scatter_src", () => In(R(2, 3), Perm(2, 2, 3), R(2, 2)), x => x[0].scatter(1, x[1], x[2]));
        Add("scatter_value", () => In(R(2, 3), Perm(2, 2, 3)), x => x[0].scatter(1, x[1], 2.5));
        Add("scatter_add", () => In(R(3, 4), I(3, 2, 4), R(2, 4)), x => x[0].scatter_add(0, x[1], x[2]));
        Add("index_select", () => In(R(3, 4), I(4, 5)), x => x[0].index_select(1, x[1]));
        Add("masked_select", () => In(R(3, 4), M(3, 4)), x => x[0].masked_select(x[1]));
        Add("tril", () => In(R(4, 4)), x => x[0].tril());
        Add("tril_minus1", () => In(R(3, 5)), x => tril(x[0], -1));
        Add("triu_batched", () => In(R(2, 3, 4)), x => triu(x[0], 1));
        Add("flip", () => In(R(2, 3, 4)), x => x[0].flip(0, 2));
        Add("roll", () => In(R(3, 4)), x => x[0].roll(1, 1));
        Add("movedim", () => In(R(2, 3, 4)), x => x[0].movedim(0, 2));
        Add("unfold", () => In(R(2, 5)), x => x[0].unfold(1, 2, 1));
        Add("diagonal", () => In(R(3, 4)), x => x[0].diagonal());
        Add("diagonal_offset", () => In(R(2, 3, 4)), x => x[0].diagonal(1, 1, 2));
        Add("one_hot", () => In(I(5, 4)), x => one_hot(x[0], 5));
        Add("bucketize", () => In(C(3, 4), tensor(new float[] { -1f, 0f, 0.5f, 1f })), x => bucketize(x[0], x[1], right: true));
        AddMany("broadcast_tensors", () => In(R(3, 1), R(1, 4)), x => broadcast_tensors(x[0], x[1]).Select(t => t * 1.0).ToArray());
        AddMany("meshgrid", () => In(R(3), R(4)), x => meshgrid(x, "ij"));
        Add("cdist", () => In(R(3, 4), R(5, 4)), x => cdist(x[0], x[1]));
        Add("isclose", () => In(C(3, 4)), x => isclose(x[0], x[0] + 1e-7) & !isclose(x[0], x[0] + 0.1));
    }

    static void AddIndexing()
    {
        Add("index_int", () => In(R(4, 5, 6)), x => x[0][1]);
        Add("index_ranges", () => In(R(4, 5, 6)), x => x[0][1..3, .., ^2..]);
        Add("index_step", () => In(R(4, 5, 6)), x => x[0][TensorIndex.Slice(0, null, 2), 1]);
        Add("index_negative", () => In(R(4, 5, 6)), x => x[0][^1, -2]);
        Add("index_none_ellipsis", () => In(R(4, 5, 6)), x => x[0][TensorIndex.Ellipsis, TensorIndex.None, 0]);
        Add("index_tensor", () => In(R(4, 5, 6), I(4, 3)), x => x[0][x[1]]);
        Add("index_tensor_dim1", () => In(R(4, 5, 6), I(5, 2, 2)), x => x[0][.., x[1]]);
        Add("index_two_tensors", () => In(R(4, 5, 6), I(4, 3), I(5, 3)), x => x[0][x[1], x[2]]);
        Add("index_mask", () => In(R(4, 5, 6), M(4, 5, 6)), x => x[0][x[1]]);
        Add("index_mask_rows", () => In(R(4, 5, 6), M(4)), x => x[0][x[1]]);
        Add("index_put_tensor", () => In(R(4, 5, 6), Perm(2, 4), R(2, 5, 6)), x =>
        {
            var y = x[0].clone();
            y[x[1]] = x[2];
            return y;
        });
        Add("index_put_slice", () => In(R(4, 5, 6), R(2, 6)), x =>
        {
            var y = x[0].clone();
            y[1..3, 0] = x[1];
            return y;
        });
        Add("index_fill_scalar", () => In(R(4, 5, 6)), x =>
        {
            var y = x[0].clone();
            y.IndexFill(0.5, .., 2);
            return y;
        });
    }

    static void AddMatrix()
    {
        Add("matmul_2d", () => In(R(3, 4), R(4, 5)), x => x[0].matmul(x[1]));
        Add("matmul_batched_broadcast", () => In(R(2, 3, 4), R(4, 5)), x => matmul(x[0], x[1]));
        Add("matmul_vector", () => In(R(4), R(2, 4, 5)), x => x[0].matmul(x[1]));
        Add("matmul_batch_broadcast_4d", () => In(R(2, 1, 3, 4), R(3, 4, 2)), x => x[0].matmul(x[1]));
        Add("mm", () => In(R(3, 4), R(4, 2)), x => mm(x[0], x[1]));
        Add("bmm", () => In(R(2, 3, 4), R(2, 4, 5)), x => bmm(x[0], x[1]));
        Add("outer", () => In(R(3), R(4)), x => x[0].outer(x[1]));
        Add("dot", () => In(R(5), R(5)), x => x[0].dot(x[1]));
        Add("einsum_attention_scores", () => In(R(2, 2, 3, 4), R(2, 2, 5, 4)), x => einsum("bhqd,bhkd->bhqk", x[0], x[1]));
        Add("einsum_matmul", () => In(R(3, 4), R(4, 2)), x => einsum("ij,jk->ik", x[0], x[1]));
        Add("einsum_batch_diagonal", () => In(R(2, 3, 3)), x => einsum("bii->bi", x[0]));
        Add("einsum_transpose_sum", () => In(R(3, 4)), x => einsum("ij->j", x[0]));
        Add("tensordot", () => In(R(2, 3, 4), R(4, 3, 5)), x => tensordot(x[0], x[1], new long[] { 1, 2 }, new long[] { 1, 0 }));
        AddMany("second_derivative", () => In(R(3)), x =>
        {
            var y = (x[0] * x[0] * x[0]).sum();
            var g = autograd.grad(new[] { y }, new[] { x[0] }, create_graph: true)[0]!;
            return new[] { g };
        });
    }
}
