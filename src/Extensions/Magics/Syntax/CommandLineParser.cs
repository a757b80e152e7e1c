using System.Text;

namespace ArchNotebooks.Extensions.Magics.Syntax;

/// <summary>What a <c>#!arch</c> line asks for: help (overall or for one subcommand) or a subcommand to run.</summary>
public abstract record ArchRequest;
public sealed record HelpRequest(CommandSpec? Subcommand) : ArchRequest;
public sealed record CommandRequest(ParsedLine Line) : ArchRequest;

/// <summary>
/// Parses <c>#!arch &lt;subcommand&gt; [positional] [--option value] [--flag]</c> in the style of
/// .NET Interactive's magic commands (double quotes group words, <c>--name=value</c> also works).
/// Every mistake becomes an <see cref="ArchUsageException"/> that names the closest valid word.
/// </summary>
public static class CommandLineParser
{
    /// <summary>A word of the line; <see cref="Start"/> and <see cref="End"/> index the raw text (quotes included).</summary>
    public sealed record Token(string Text, bool Quoted, int Start = 0, int End = 0);

    public static ArchRequest Parse(string arguments, IReadOnlyList<CommandSpec> subcommands)
    {
        var tokens = Tokenize(arguments);
        if (tokens.Count == 0 || tokens[0] is { Quoted: false, Text: "--help" or "-h" or "help" or "-?" })
        {
            if (tokens.Count >= 2 && tokens[0].Text == "help") return new HelpRequest(Find(tokens[1].Text, subcommands));
            return new HelpRequest(null);
        }
        var spec = Find(tokens[0].Text, subcommands);
        var rest = tokens.Skip(1).ToList();
        if (rest.Any(t => t is { Quoted: false, Text: "--help" or "-h" })) return new HelpRequest(spec);
        return new CommandRequest(ParseArguments(spec, rest, arguments));
    }

    static CommandSpec Find(string name, IReadOnlyList<CommandSpec> subcommands)
    {
        var spec = subcommands.FirstOrDefault(s => s.Name == name.ToLowerInvariant());
        if (spec is not null) return spec;
        var hint = name.StartsWith('-')
            ? $"'{name}' is not a subcommand; options come after the subcommand, e.g. #!arch train m {name} ..."
            : $"unknown subcommand '{name}'.{Suggestions.DidYouMean(name, subcommands.Select(s => s.Name))}";
        throw new ArchUsageException($"#!arch: {hint}\nSubcommands: {string.Join(", ", subcommands.Select(s => s.Name))}. #!arch --help explains each.");
    }

    static ParsedLine ParseArguments(CommandSpec spec, List<Token> tokens, string text)
    {
        var positionals = new List<string>();
        var options = new Dictionary<string, object>();
        for (int i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Quoted || !token.Text.StartsWith("--", StringComparison.Ordinal) || token.Text.Length == 2)
            {
                if (!token.Quoted && token.Text.StartsWith('-') && token.Text.Length > 1 && !double.TryParse(token.Text, System.Globalization.CultureInfo.InvariantCulture, out _))
                    throw new ArchUsageException($"#!arch {spec.Name}: unknown option '{token.Text}'; options start with two dashes.{Suggestions.DidYouMean(token.Text.TrimStart('-'), spec.Options.Select(o => o.Name), "--")}{OptionList(spec)}");
                positionals.Add(token.Text);
                continue;
            }
            var name = token.Text[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) (name, inline) = (name[..eq], name[(eq + 1)..]);
            var option = spec.Option(name) ?? throw new ArchUsageException(
                $"#!arch {spec.Name}: unknown option '--{name}'.{Suggestions.DidYouMean(name, spec.Options.Select(o => o.Name), "--")}{OptionList(spec)}");
            if (options.ContainsKey(option.Name)) throw new ArchUsageException($"#!arch {spec.Name}: --{option.Name} is given twice.");
            if (option.IsFlag)
            {
                if (inline is not null) throw new ArchUsageException($"#!arch {spec.Name}: --{option.Name} is a flag and takes no value (got '{inline}').");
                options[option.Name] = true;
                continue;
            }
            string value;
            if (inline is not null) value = inline;
            else if (i + 1 < tokens.Count && (tokens[i + 1].Quoted || !tokens[i + 1].Text.StartsWith("--", StringComparison.Ordinal))) value = tokens[++i].Text;
            else throw new ArchUsageException($"#!arch {spec.Name}: --{option.Name} needs a value: {option.Usage} ({option.Description}).");
            try { options[option.Name] = option.Parse is null ? value : option.Parse(value); }
            catch (FormatException e) { throw new ArchUsageException($"#!arch {spec.Name}: bad value for --{option.Name}: {e.Message}"); }
        }
        return new ParsedLine(spec, AssignPositionals(spec, positionals), options, text);
    }

    static Dictionary<string, IReadOnlyList<string>> AssignPositionals(CommandSpec spec, List<string> given)
    {
        var assigned = new Dictionary<string, IReadOnlyList<string>>();
        int next = 0;
        foreach (var argument in spec.Arguments)
        {
            if (argument.Rest) { assigned[argument.Name] = given.Skip(next).ToList(); next = given.Count; }
            else if (next < given.Count) assigned[argument.Name] = [given[next++]];
            if (argument.Required && (!assigned.TryGetValue(argument.Name, out var v) || v.Count == 0))
                throw new ArchUsageException($"#!arch {spec.Name}: missing <{argument.Name}> ({argument.Description}).\nUsage: {spec.Usage}\nExample: {spec.Examples[0].Line}");
        }
        if (next < given.Count)
            throw new ArchUsageException($"#!arch {spec.Name}: unexpected argument '{given[next]}'. Usage: {spec.Usage}" +
                (given[next].Contains(' ') ? "" : " (quote text that holds spaces: \"...\")"));
        return assigned;
    }

    static string OptionList(CommandSpec spec) =>
        spec.Options.Count == 0 ? $"\n#!arch {spec.Name} takes no options." : $"\nOptions of {spec.Name}: {string.Join(", ", spec.Options.Select(o => "--" + o.Name))}.";

    /// <summary>Splits on whitespace; double quotes group (\" and \\ escape inside them). Single quotes are ordinary characters, so SQL literals pass through.</summary>
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var current = new StringBuilder();
        bool inToken = false, quoted = false, inQuotes = false;
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!inToken && !char.IsWhiteSpace(c)) start = i;
            if (inQuotes)
            {
                if (c == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\') current.Append(text[++i]);
                else if (c == '"') inQuotes = false;
                else current.Append(c);
            }
            else if (c == '"') { inQuotes = true; inToken = true; quoted = true; }
            else if (char.IsWhiteSpace(c))
            {
                if (inToken) tokens.Add(new Token(current.ToString(), quoted, start, i));
                current.Clear();
                inToken = quoted = false;
            }
            else { current.Append(c); inToken = true; }
        }
        if (inQuotes) throw new ArchUsageException($"#!arch: a double quote is not closed in: {text}");
        if (inToken) tokens.Add(new Token(current.ToString(), quoted, start, text.Length));
        return tokens;
    }
}
