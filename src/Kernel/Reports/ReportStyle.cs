namespace ArchNotebooks.Kernel.Reports;

/// <summary>The report's stylesheet: a quiet paper-like page, monospace code, outputs set off by a rule.</summary>
internal static class ReportStyle
{
    public const string Css = """
        :root { --ink:#1d2330; --muted:#5d6678; --rule:#e3e6ec; --code-bg:#f6f7f9; --accent:#512bd4; --err:#b3261e; }
        * { box-sizing: border-box; }
        body { margin:0; background:#fff; color:var(--ink); font:16px/1.6 "Source Serif Pro", Georgia, "Times New Roman", serif; }
        main { max-width: 920px; margin: 0 auto; padding: 40px 28px 64px; }
        header { border-bottom: 2px solid var(--ink); margin-bottom: 28px; padding-bottom: 12px; }
        h1, h2, h3, h4 { font-family: "Helvetica Neue", Arial, sans-serif; line-height:1.25; }
        header h1 { margin: 0 0 6px; font-size: 28px; }
        .meta { color: var(--muted); font: 13px/1.5 "Helvetica Neue", Arial, sans-serif; margin: 0; }
        .badge { display:inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; margin-left: 6px; }
        .badge.ok { background:#e6f4ea; color:#1e6b35; } .badge.failed { background:#fce8e6; color:var(--err); }
        table.parameters { margin-top: 10px; border-collapse: collapse; font: 13px "Helvetica Neue", Arial, sans-serif; }
        table.parameters caption { text-align:left; color:var(--muted); padding-bottom:4px; }
        table.parameters th { text-align:left; padding: 2px 14px 2px 0; font-weight:600; } table.parameters td { padding: 2px 0; }
        section.markdown table, .markdown-output table { border-collapse: collapse; margin: 12px 0; }
        section.markdown th, section.markdown td { border-bottom: 1px solid var(--rule); padding: 4px 10px; }
        .cell { margin: 18px 0 22px; }
        .input { display:flex; gap: 10px; align-items: flex-start; }
        .prompt { color: var(--muted); font: 12px/1.9 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; min-width: 44px; text-align: right; padding-top: 8px; }
        pre { margin: 0; font: 13px/1.5 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; white-space: pre-wrap; word-break: break-word; }
        pre.code { flex: 1; background: var(--code-bg); border: 1px solid var(--rule); border-radius: 6px; padding: 8px 12px; overflow-x: auto; }
        .outputs { margin-left: 54px; border-left: 3px solid var(--rule); padding: 6px 0 2px 12px; }
        .outputs > * + * { margin-top: 8px; }
        pre.stderr { color: #8a5300; } pre.error { color: var(--err); background: #fdf3f2; padding: 8px 10px; border-radius: 4px; }
        img.figure { max-width: 100%; height: auto; }
        .plotly-figure { width: 100%; min-height: 420px; }
        .html-output { overflow-x: auto; font-family: "Helvetica Neue", Arial, sans-serif; font-size: 14px; }
        .c { color:#6a737d; font-style: italic; } .s { color:#0b7a3e; } .k { color: var(--accent); font-weight:600; } .n { color:#b35900; } .m { color:#a0306e; }
        footer { margin-top: 48px; border-top: 1px solid var(--rule); padding-top: 10px; color: var(--muted); font: 12px "Helvetica Neue", Arial, sans-serif; }
        @media print { main { max-width: none; padding: 0; } .cell { break-inside: avoid; } }
        """;
}
