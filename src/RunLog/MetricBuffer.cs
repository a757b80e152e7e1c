using System.Diagnostics;
using System.Text;

namespace ArchNotebooks.Runs;

/// <summary>The in-memory side of a run's metrics: cheap appends from the training loop, drained by the flusher.</summary>
/// <remarks>
/// Logging must cost far less than a training step, so an append is a lock, a dictionary lookup for the name
/// and four array stores. The flusher swaps the filled segment for an empty one under the same lock and
/// writes it without holding the lock, so a slow disk never stalls the loop.
/// </remarks>
internal sealed class MetricBuffer
{
    /// <summary>A metric name (and whether it is a system metric) with its UTF-8 bytes, encoded once.</summary>
    internal sealed record Series(string Name, bool IsSystem, byte[] Utf8Name);

    /// <summary>A batch of rows in column arrays.</summary>
    internal sealed class Segment
    {
        public long[] Steps = new long[1024];
        public int[] SeriesIds = new int[1024];
        public double[] Values = new double[1024];
        public long[] WallMicros = new long[1024];
        public int Count;

        public void Add(long step, int series, double value, long micros)
        {
            if (Count == Steps.Length) Grow();
            Steps[Count] = step;
            SeriesIds[Count] = series;
            Values[Count] = value;
            WallMicros[Count] = micros;
            Count++;
        }

        public void AddRange(Segment other)
        {
            for (var i = 0; i < other.Count; i++) Add(other.Steps[i], other.SeriesIds[i], other.Values[i], other.WallMicros[i]);
        }

        private void Grow()
        {
            var size = Steps.Length * 2;
            Array.Resize(ref Steps, size);
            Array.Resize(ref SeriesIds, size);
            Array.Resize(ref Values, size);
            Array.Resize(ref WallMicros, size);
        }
    }

    private readonly object gate = new();
    private readonly Dictionary<string, int> metricIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> systemIds = new(StringComparer.Ordinal);
    private readonly List<Series> series = [];
    private readonly List<double> lastValues = [];
    private Segment active = new();
    private Segment? spare = new();

    // Wall time comes from a monotonic clock anchored once to UTC: cheaper than DateTime.UtcNow per row and
    // immune to clock steps within a run.
    private readonly long anchorMicros = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
    private readonly long anchorTimestamp = Stopwatch.GetTimestamp();
    private readonly double microsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>Rows appended and not yet taken by the flusher.</summary>
    public int Pending
    {
        get { lock (gate) return active.Count; }
    }

    public void Add(long step, string name, bool isSystem, double value)
    {
        var micros = anchorMicros + (long)((Stopwatch.GetTimestamp() - anchorTimestamp) * microsPerTick);
        lock (gate)
        {
            var ids = isSystem ? systemIds : metricIds;
            if (!ids.TryGetValue(name, out var id))
            {
                MetricName.Validate(name);
                id = series.Count;
                series.Add(new Series(name, isSystem, Encoding.UTF8.GetBytes(name)));
                ids.Add(name, id);
                lastValues.Add(value);
            }
            lastValues[id] = value;
            active.Add(step, id, value, micros);
        }
    }

    /// <summary>The most recent value of every (non-system) metric: the default final metrics of a run.</summary>
    public Dictionary<string, double> LastValues()
    {
        lock (gate)
        {
            var last = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var i = 0; i < series.Count; i++)
                if (!series[i].IsSystem) last[series[i].Name] = lastValues[i];
            return last;
        }
    }

    /// <summary>Takes every pending row; the caller writes them, then returns the segment with <see cref="Recycle"/>.</summary>
    public (Segment Rows, IReadOnlyList<Series> Series) Take()
    {
        lock (gate)
        {
            var taken = active;
            active = spare ?? new Segment();
            spare = null;
            return (taken, series.ToArray());
        }
    }

    /// <summary>Hands back a written segment for reuse.</summary>
    public void Recycle(Segment segment)
    {
        segment.Count = 0;
        lock (gate) spare ??= segment;
    }

    /// <summary>Puts rows whose write failed back in front of anything logged since, so a later flush retries them.</summary>
    public void Restore(Segment failed)
    {
        lock (gate)
        {
            failed.AddRange(active);
            active = failed;
        }
    }
}

/// <summary>The rules for metric names, enforced once per distinct name.</summary>
internal static class MetricName
{
    public const int MaxLength = 256;

    public static void Validate(string? name, string what = "metric name")
    {
        if (name is null) throw new ArgumentNullException(nameof(name), $"A {what} is required.");
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"A {what} must not be empty or blank.", nameof(name));
        if (name.Length > MaxLength) throw new ArgumentException($"The {what} '{name[..40]}…' is {name.Length} characters; at most {MaxLength} are allowed.", nameof(name));
        foreach (var c in name)
            if (char.IsControl(c))
                throw new ArgumentException($"The {what} {Escape(name)} contains a control character (U+{(int)c:X4}); names must be printable.", nameof(name));
    }

    private static string Escape(string name) => "\"" + name.Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t").Replace("\0", "\\0") + "\"";
}
