using System.Text.Json;
using System.Text.Json.Nodes;

namespace Library.Tests.Validation;

/// <summary>Runs reference/stats_reference.py with Debian's python3 (scipy, numpy) on a JSON request.</summary>
static class ScipyReference
{
    public static JsonNode Ask(object request) =>
        JsonNode.Parse(Python.Run([RepositoryRoot.In("tests", "Library.Tests", "Validation", "reference", "stats_reference.py")], stdin: JsonSerializer.Serialize(request)))!;
}
