using Xunit;

namespace ArchNotebooks.Tests.Shared;

/// <summary>
/// A fact that drives Debian's headless Chromium through npm's playwright-core on pages that load
/// plotly.js; where one of them is missing it is skipped with what to install.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"{Chromium} is missing: apt-get install chromium (./archnb test installs it)";
        else if (RepositoryRoot.NodeModule("playwright-core") is null) Skip = "node_modules/playwright-core is missing: npm ci at the repository root (./archnb test runs it)";
        else if (RepositoryRoot.NodeModule("plotly.js-dist-min") is null) Skip = "node_modules/plotly.js-dist-min is missing: npm ci at the repository root (./archnb setup runs it)";
    }
}
