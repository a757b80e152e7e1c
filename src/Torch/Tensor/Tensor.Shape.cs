using ArchNotebooks.Torch.Interop;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    public sealed partial class Tensor
    {
        // Views and shape changes.
        static readonly Op viewOp = new("view"), reshapeOp = new("reshape"), permuteOp = new("permute"), transposeOp = new("transpose", "int");
        static readonly Op squeezeOp = new("squeeze"), squeezeDim = new("squeeze", "dim"), unsqueezeOp = new("unsqueeze"), flattenOp = new("flatten", "using_ints");
        static readonly Op expandOp = new("expand"), repeatOp = new("repeat"), contiguousOp = new("contiguous"), cloneOp = new("clone");
        static readonly Op detachOp = new("detach"), sliceOp = new("slice", "Tensor"), selectOp = new("select", "int"), narrowOp = new("narrow");
        static readonly Op splitOp = new("split", "Tensor"), splitSizes = new("split_with_sizes"), chunkOp = new("chunk"), unbindOp = new("unbind", "int");
        static readonly Op gatherOp = new("gather"), scatterSrc = new("scatter", "src"), scatterValue = new("scatter", "value"), scatterAddOp = new("scatter_add");
        static readonly Op indexSelect = new("index_select"), maskedFillS = new("masked_fill", "Scalar"), maskedFillS_ = new("masked_fill_", "Scalar");
        static readonly Op maskedSelectOp = new("masked_select"), trilOp = new("tril"), triuOp = new("triu"), flipOp = new("flip"), rollOp = new("roll");
        static readonly Op toDtype = new("to", "dtype"), toDevice = new("to", "device"), typeAs = new("type_as"), expandAsOp = new("expand_as");
        static readonly Op movedimOp = new("movedim", "int"), unfoldOp = new("unfold"), diagonalOp = new("diagonal");

        public Tensor view(params long[] shape) => viewOp.Call(this, shape);
        public Tensor reshape(params long[] shape) => reshapeOp.Call(this, shape);
        public Tensor permute(params long[] dims) => permuteOp.Call(this, dims);
        public Tensor transpose(long dim0, long dim1) => transposeOp.Call(this, dim0, dim1);
        /// <summary>Transpose of a 2-D tensor (or the last two dimensions' swap for more).</summary>
        public Tensor t() => dim() < 2 ? alias() : transpose(-2, -1);
        public Tensor T => t();
        public Tensor mT => transpose(-2, -1);
        public Tensor squeeze() => squeezeOp.Call(this);
        public Tensor squeeze(long dim) => squeezeDim.Call(this, dim);
        public Tensor unsqueeze(long dim) => unsqueezeOp.Call(this, dim);
        public Tensor flatten(long start_dim = 0, long end_dim = -1) => flattenOp.Call(this, start_dim, end_dim);
        public Tensor expand(params long[] sizes) => expandOp.Call(this, sizes);
        public Tensor expand_as(Tensor other) => expandAsOp.Call(this, other);
        public Tensor repeat(params long[] repeats) => repeatOp.Call(this, repeats);
        public Tensor contiguous() => contiguousOp.Call(this);
        public Tensor clone() => cloneOp.Call(this);
        /// <summary>Same data, cut from the autograd graph.</summary>
        public Tensor detach() => detachOp.Call(this);
        public Tensor slice(long dim, long? start, long? end, long step = 1) => sliceOp.Call(this, dim, start, end, step);
        public Tensor select(long dim, long index) => selectOp.Call(this, dim, index);
        public Tensor narrow(long dim, long start, long length) => narrowOp.Call(this, dim, start, length);
        public Tensor[] split(long split_size, long dim = 0) => splitOp.CallTensors(this, split_size, dim);
        public Tensor[] split(long[] split_sizes, long dim = 0) => splitSizes.CallTensors(this, split_sizes, dim);
        public Tensor[] chunk(long chunks, long dim = 0) => chunkOp.CallTensors(this, chunks, dim);
        public Tensor[] unbind(long dim = 0) => unbindOp.CallTensors(this, dim);
        public Tensor gather(long dim, Tensor index) => gatherOp.Call(this, dim, index);
        public Tensor scatter(long dim, Tensor index, Tensor src) => scatterSrc.Call(this, dim, index, src);
        public Tensor scatter(long dim, Tensor index, double value) => scatterValue.Call(this, dim, index, value);
        public Tensor scatter_add(long dim, Tensor index, Tensor src) => scatterAddOp.Call(this, dim, index, src);
        public Tensor index_select(long dim, Tensor index)
        {
            // libtorch 1.13 writes every selected value into a one-element result when selecting from a
            // 0-d tensor, corrupting the heap; PyTorch 2 rejects it, and so do we.
            if (ndim == 0 && index.numel() > 1)
                throw new ArgumentException($"index_select(): index to a 0-d tensor can have only 1 value, got {index.numel()} value(s)");
            return indexSelect.Call(this, dim, index);
        }
        public Tensor masked_fill(Tensor mask, double value) => maskedFillS.Call(this, mask, value);
        public Tensor masked_fill_(Tensor mask, double value) { maskedFillS_.CallVoid(this, mask, value); return this; }
        public Tensor masked_select(Tensor mask) => maskedSelectOp.Call(this, mask);
        public Tensor tril(long diagonal = 0) => trilOp.Call(this, diagonal);
        public Tensor triu(long diagonal = 0) => triuOp.Call(this, diagonal);
        public Tensor flip(params long[] dims) => flipOp.Call(this, dims);
        public Tensor roll(long shifts, long dim) => rollOp.Call(this, new[] { shifts }, new[] { dim });
        public Tensor movedim(long source, long destination) => movedimOp.Call(this, source, destination);
        public Tensor unfold(long dimension, long size, long step) => unfoldOp.Call(this, dimension, size, step);
        public Tensor diagonal(long offset = 0, long dim1 = 0, long dim2 = 1) => diagonalOp.Call(this, offset, dim1, dim2);

        // dtype and device.
        public Tensor to(ScalarType dtype) => toDtype.Call(this, dtype);
        public Tensor to(Device device) => toDevice.Call(this, device, dtype);
        public Tensor to(Device device, ScalarType dtype) => toDevice.Call(this, device, dtype);
        public Tensor to(string device) => to(Device.Parse(device));
        public Tensor type(ScalarType dtype) => to(dtype);
        public Tensor type_as(Tensor other) => typeAs.Call(this, other);
        public Tensor cpu() => to(CPU);
        public Tensor cuda(int index = 0) => to(new Device(DeviceType.CUDA, index));
        public Tensor @float() => to(ScalarType.Float32);
        public Tensor @double() => to(ScalarType.Float64);
        public Tensor @long() => to(ScalarType.Int64);
        public Tensor @int() => to(ScalarType.Int32);
        public Tensor @bool() => to(ScalarType.Bool);
        public Tensor half() => to(ScalarType.Float16);
        public Tensor bfloat16() => to(ScalarType.BFloat16);

        // Reductions.
        static readonly Op sumAll = new("sum"), sumDim = new("sum", "dim_IntList"), meanAll = new("mean"), meanDim = new("mean", "dim");
        static readonly Op prodAll = new("prod"), prodDim = new("prod", "dim_int");
        static readonly Op maxAll = new("max"), maxDim = new("max", "dim"), minAll = new("min"), minDim = new("min", "dim");
        static readonly Op argmaxOp = new("argmax"), argminOp = new("argmin"), stdDim = new("std", "correction"), varDim = new("var", "correction");
        static readonly Op normOp = new("linalg_vector_norm"), logsumexpOp = new("logsumexp"), cumsumOp = new("cumsum");
        static readonly Op anyAll = new("any"), allAll = new("all"), topkOp = new("topk"), sortOp = new("sort"), argsortOp = new("argsort");
        static readonly Op amaxOp = new("amax"), aminOp = new("amin");

        public Tensor sum(ScalarType? dtype = null) => sumAll.Call(this, Arg.Kw("dtype", dtype));
        public Tensor sum(long dim, bool keepdim = false) => sumDim.Call(this, new[] { dim }, keepdim);
        // Without this, the literal 0 converts to ScalarType (C#'s zero-to-enum rule) and sum(0) meant sum(dtype: uint8).
        public Tensor sum(int dim, bool keepdim = false) => sum((long)dim, keepdim);
        public Tensor sum(long[] dims, bool keepdim = false) => sumDim.Call(this, dims, keepdim);
        public Tensor mean() => meanAll.Call(this);
        public Tensor mean(long dim, bool keepdim = false) => meanDim.Call(this, new[] { dim }, keepdim);
        public Tensor mean(long[] dims, bool keepdim = false) => meanDim.Call(this, dims, keepdim);
        public Tensor prod() => prodAll.Call(this);
        public Tensor prod(long dim, bool keepdim = false) => prodDim.Call(this, dim, keepdim);
        public Tensor max() => maxAll.Call(this);
        public (Tensor values, Tensor indices) max(long dim, bool keepdim = false) => Pair(maxDim.CallTensors(this, dim, keepdim));
        public Tensor min() => minAll.Call(this);
        public (Tensor values, Tensor indices) min(long dim, bool keepdim = false) => Pair(minDim.CallTensors(this, dim, keepdim));
        public Tensor amax(long dim, bool keepdim = false) => amaxOp.Call(this, new[] { dim }, keepdim);
        public Tensor amin(long dim, bool keepdim = false) => aminOp.Call(this, new[] { dim }, keepdim);
        public Tensor argmax() => argmaxOp.Call(this);
        public Tensor argmax(long dim, bool keepdim = false) => argmaxOp.Call(this, dim, keepdim);
        public Tensor argmin(long dim, bool keepdim = false) => argminOp.Call(this, dim, keepdim);
        /// <summary>Standard deviation; unbiased (Bessel-corrected) by default, as in PyTorch.</summary>
        public Tensor std(bool unbiased = true) => stdDim.Call(this, Arg.None, Arg.Kw("correction", unbiased ? 1L : 0L));
        public Tensor std(long dim, bool unbiased = true, bool keepdim = false) =>
            stdDim.Call(this, new[] { dim }, Arg.Kw("correction", unbiased ? 1L : 0L), Arg.Kw("keepdim", keepdim));
        public Tensor var(bool unbiased = true) => varDim.Call(this, Arg.None, Arg.Kw("correction", unbiased ? 1L : 0L));
        public Tensor var(long dim, bool unbiased = true, bool keepdim = false) =>
            varDim.Call(this, new[] { dim }, Arg.Kw("correction", unbiased ? 1L : 0L), Arg.Kw("keepdim", keepdim));
        /// <summary>Vector p-norm over all elements or the given dimension.</summary>
        public Tensor norm(double p = 2) => normOp.Call(this, p);
        public Tensor norm(double p, long dim, bool keepdim = false) => normOp.Call(this, p, new[] { dim }, keepdim);
        public Tensor logsumexp(long dim, bool keepdim = false) => logsumexpOp.Call(this, new[] { dim }, keepdim);
        public Tensor cumsum(long dim) => cumsumOp.Call(this, dim);
        public Tensor any() => anyAll.Call(this);
        public Tensor all() => allAll.Call(this);
        public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true, bool sorted = true) =>
            Pair(topkOp.CallTensors(this, k, dim, largest, sorted));
        public (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false) => Pair(sortOp.CallTensors(this, dim, descending));
        public Tensor argsort(long dim = -1, bool descending = false) => argsortOp.Call(this, dim, descending);

        static (Tensor, Tensor) Pair(Tensor[] t) => (t[0], t[1]);

        // Activations commonly called as methods.
        static readonly Op softmaxOp = new("softmax", "int"), logSoftmaxOp = new("log_softmax", "int");
        public Tensor softmax(long dim, ScalarType? dtype = null) => softmaxOp.Call(this, dim, dtype);
        public Tensor log_softmax(long dim, ScalarType? dtype = null) => logSoftmaxOp.Call(this, dim, dtype);
    }
}
