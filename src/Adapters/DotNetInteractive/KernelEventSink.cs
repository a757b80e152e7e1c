using System.Text;
using System.Text.Json.Nodes;
using ArchNotebooks.Interactive;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace ArchNotebooks.DotNetInteractive;

/// <summary>
/// Displays of the session as .NET Interactive events of the running command: a new display is DisplayedValueProduced,
/// an update DisplayedValueUpdated under the same value id (which front ends replace in place).
/// </summary>
sealed class KernelEventSink : IDisplaySink
{
    public void Publish(MimeBundle bundle, string displayId, bool update)
    {
        if (KernelInvocationContext.Current is not { } context) return; // outside any cell: nowhere to show it
        var values = FormattedValues(bundle);
        context.Publish(update
            ? new DisplayedValueUpdated(bundle, displayId, context.Command, values)
            : new DisplayedValueProduced(bundle, context.Command, values, displayId));
    }

    public static IReadOnlyCollection<FormattedValue> FormattedValues(MimeBundle bundle) =>
        bundle.Data.Select(d => new FormattedValue(d.Key, d.Value is JsonNode json ? json.ToJsonString() : (string)d.Value)).ToList();
}

/// <summary>A magic's stdout: each completed line goes out as StandardOutputValueProduced of the running command.</summary>
sealed class StandardOutputWriter(KernelInvocationContext context) : TextWriter
{
    readonly StringBuilder pending = new();

    public override Encoding Encoding => Encoding.UTF8;

    // A line goes out when it ends (WriteLine writes the text, then the newline), so one line is one event.
    public override void Write(char value)
    {
        lock (pending)
        {
            pending.Append(value);
            if (value == '\n') FlushPending();
        }
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        lock (pending)
        {
            pending.Append(value);
            if (value.EndsWith('\n')) FlushPending();
        }
    }

    public override void Flush()
    {
        lock (pending) FlushPending();
    }

    void FlushPending()
    {
        if (pending.Length == 0) return;
        var text = pending.ToString();
        pending.Clear();
        context.Publish(new StandardOutputValueProduced(context.Command, [new FormattedValue(MimeBundle.PlainText, text)]));
    }
}
