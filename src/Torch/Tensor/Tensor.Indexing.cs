using ArchNotebooks.Torch.Interop;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    /// <summary>One position of a tensor index: an integer, a range/slice, a tensor, None (new axis) or Ellipsis.</summary>
    public readonly struct TensorIndex
    {
        internal enum Kind { Single, Slice, Tensor, NewAxis, Ellipsis }
        internal readonly Kind kind;
        internal readonly long index;
        internal readonly long? start, stop;
        internal readonly long step;
        internal readonly Index? rangeStart, rangeEnd;
        internal readonly Tensor? tensor;

        TensorIndex(Kind kind, long index = 0, long? start = null, long? stop = null, long step = 1,
                    Index? rangeStart = null, Index? rangeEnd = null, Tensor? tensor = null)
        {
            this.kind = kind; this.index = index; this.start = start; this.stop = stop; this.step = step;
            this.rangeStart = rangeStart; this.rangeEnd = rangeEnd; this.tensor = tensor;
        }

        public static TensorIndex Single(long i) => new(Kind.Single, index: i);
        public static TensorIndex Slice(long? start = null, long? stop = null, long step = 1)
        {
            if (step <= 0) throw new ArgumentException("slice step must be positive");
            return new(Kind.Slice, start: start, stop: stop, step: step);
        }
        public static readonly TensorIndex Colon = Slice();
        public static readonly TensorIndex None = new(Kind.NewAxis);
        public static readonly TensorIndex Ellipsis = new(Kind.Ellipsis);
        public static TensorIndex Tensor(Tensor t) => new(Kind.Tensor, tensor: t);

        public static implicit operator TensorIndex(long i) => Single(i);
        public static implicit operator TensorIndex(int i) => Single(i);
        public static implicit operator TensorIndex(Index i) => i.IsFromEnd ? Single(-i.Value) : Single(i.Value);
        public static implicit operator TensorIndex(Range r) => new(Kind.Slice, step: 1, rangeStart: r.Start, rangeEnd: r.End);
        public static implicit operator TensorIndex(Tensor t) => Tensor(t);
    }

    public sealed partial class Tensor
    {
        static readonly Op indexOp = new("index", "Tensor"), indexPut_ = new("index_put_");

        /// <summary>NumPy-style indexing: t[0], t[1..3], t[.., ^1], t[TensorIndex.None], t[mask], t[indices].</summary>
        public Tensor this[params TensorIndex[] indices]
        {
            get => Index(indices);
            set
            {
                if (indices.Any(i => i.kind == TensorIndex.Kind.Tensor))
                {
                    var (view, tensors) = BasicIndex(indices);
                    using (view) indexPut_.CallVoid(view, tensors, value);
                }
                else
                {
                    using var view = Index(indices);
                    view.copy_(value);
                }
            }
        }

        /// <summary>Assigns a scalar to the indexed elements.</summary>
        public void IndexFill(double value, params TensorIndex[] indices)
        {
            using var scalar = torch.tensor(value, dtype: dtype, device: device);
            this[indices] = scalar;
        }

        Tensor Index(TensorIndex[] indices)
        {
            var (view, tensors) = BasicIndex(indices);
            if (tensors is null) return view;
            using (view) return indexOp.Call(view, tensors);
        }

        // Applies integers, slices, new axes and ellipsis as views; returns the tensor indices
        // (one per remaining dimension, null where absent) for a final advanced-index step.
        (Tensor view, Tensor?[]? tensors) BasicIndex(TensorIndex[] indices)
        {
            var shape = this.shape;
            int consumed = indices.Count(i => i.kind is TensorIndex.Kind.Single or TensorIndex.Kind.Slice or TensorIndex.Kind.Tensor);
            if (indices.Count(i => i.kind == TensorIndex.Kind.Ellipsis) > 1) throw new ArgumentException("an index can only have a single ellipsis");
            if (consumed > shape.Length)
                throw new IndexOutOfRangeException($"too many indices for tensor of dimension {shape.Length} (got {consumed})");
            Tensor current = alias();
            var tensorAt = new List<(int dim, Tensor t)>();
            int dim = 0;
            try
            {
                foreach (var ix in indices)
                {
                    switch (ix.kind)
                    {
                        case TensorIndex.Kind.Single:
                        {
                            var size = current.size(dim);
                            if (ix.index >= size || ix.index < -size)
                                throw new IndexOutOfRangeException($"index {ix.index} is out of bounds for dimension {dim} with size {size}");
                            Replace(ref current, current.select(dim, ix.index));
                            break;
                        }
                        case TensorIndex.Kind.Slice:
                        {
                            var size = current.size(dim);
                            long? s = ix.rangeStart is { } rs ? (rs.IsFromEnd ? size - rs.Value : rs.Value) : ix.start;
                            long? e = ix.rangeEnd is { } re ? (re.IsFromEnd ? size - re.Value : re.Value) : ix.stop;
                            Replace(ref current, current.slice(dim, s, e, ix.step));
                            dim++;
                            break;
                        }
                        case TensorIndex.Kind.NewAxis:
                            Replace(ref current, current.unsqueeze(dim));
                            dim++;
                            break;
                        case TensorIndex.Kind.Ellipsis:
                            dim += shape.Length - consumed;
                            break;
                        case TensorIndex.Kind.Tensor:
                            tensorAt.Add((dim, ix.tensor!));
                            dim += ix.tensor!.dtype == ScalarType.Bool ? (int)ix.tensor.dim() : 1;
                            break;
                    }
                }
            }
            catch
            {
                current.Dispose();
                throw;
            }
            if (tensorAt.Count == 0) return (current, null);
            var list = new Tensor?[tensorAt[^1].dim + 1];
            foreach (var (d, t) in tensorAt) list[d] = t;
            return (current, list);
        }

        static void Replace(ref Tensor current, Tensor next)
        {
            current.Dispose();
            current = next;
        }
    }
}
