using System.Net;

namespace ArchNotebooks.Extensions.Figures;

/// <summary>
/// The text/html form of a figure: a div that plotly.js draws into when the page has a global
/// <c>Plotly</c> (Jupyter with plotly loaded, or the archnb HTML report, which inlines it once),
/// holding the static SVG picture until then, or a short note when there is no static picture.
/// </summary>
public static class FigureHtml
{
    public static string Render(Figure figure)
    {
        var id = "archnb-fig-" + Guid.NewGuid().ToString("N")[..12];
        var svg = figure.ToSvg();
        var fallback = svg ?? $"<p class=\"archnb-note\">plotly.js not loaded: {WebUtility.HtmlEncode(figure.Layout.Title ?? "this chart")} needs plotly.js to be drawn.</p>";
        // The JSON encoder writes <, > and & as \u escapes, so the data cannot close its script element.
        return $"<div class=\"archnb-figure\" id=\"{id}\" style=\"min-height:{figure.Layout.Height}px\">{fallback}</div>"
             + $"<script type=\"application/json\" id=\"{id}-data\">{figure.ToPlotlyJson()}</script>"
             + "<script>(function(){var id=\"" + id + "\";function draw(){var el=document.getElementById(id),src=document.getElementById(id+\"-data\");"
             + "if(!el||!src||el.getAttribute(\"data-drawn\"))return;if(typeof Plotly===\"undefined\")return;"
             + "var f=JSON.parse(src.textContent);el.textContent=\"\";el.setAttribute(\"data-drawn\",\"1\");Plotly.newPlot(el,f.data,f.layout,f.config);}"
             + "if(typeof Plotly!==\"undefined\"||document.readyState===\"complete\")draw();else window.addEventListener(\"load\",draw);})();</script>";
    }
}
