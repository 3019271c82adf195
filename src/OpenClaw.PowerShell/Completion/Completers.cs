using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using OpenClaw.Node.Operator;

namespace OpenClaw.PowerShell.Completion;

/// <summary>
/// Tab completion of node display names and ids from the session's gateway connection (Connect-OpenClawGateway).
/// At most 50 candidates within 2 seconds; nothing when not connected; never throws.
/// </summary>
public sealed class OpenClawNodeCompleter : IArgumentCompleter
{
    /// <summary>Candidates starting with <paramref name="wordToComplete"/>.</summary>
    /// <param name="commandName">The command being completed.</param>
    /// <param name="parameterName">The parameter being completed.</param>
    /// <param name="wordToComplete">What the user typed so far (quotes are ignored).</param>
    /// <param name="commandAst">The command's syntax tree.</param>
    /// <param name="fakeBoundParameters">The parameters bound so far.</param>
    /// <returns>Completion results (quoted where needed).</returns>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionResults.Safe(() => CompletionSource.Nodes(OpenClawSession.Client, CompletionResults.Unquote(wordToComplete)));
}

/// <summary>
/// Tab completion of pending request ids (device pairing and command surface) from the session's gateway connection.
/// At most 50 candidates within 2 seconds; nothing when not connected; never throws.
/// </summary>
public sealed class OpenClawNodeRequestCompleter : IArgumentCompleter
{
    /// <summary>Candidates starting with <paramref name="wordToComplete"/>.</summary>
    /// <param name="commandName">The command being completed.</param>
    /// <param name="parameterName">The parameter being completed.</param>
    /// <param name="wordToComplete">What the user typed so far (quotes are ignored).</param>
    /// <param name="commandAst">The command's syntax tree.</param>
    /// <param name="fakeBoundParameters">The parameters bound so far.</param>
    /// <returns>Completion results (quoted where needed).</returns>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionResults.Safe(() => CompletionSource.Requests(OpenClawSession.Client, CompletionResults.Unquote(wordToComplete)));
}

/// <summary>
/// Tab completion of agent ids from the local exec-approvals file (the command's -StateDirectory when already given,
/// else $env:OPENCLAW_STATE_DIR or ~/.openclaw). At most 50 candidates; nothing when the file is missing or
/// unreadable; never throws.
/// </summary>
public sealed class OpenClawAgentIdCompleter : IArgumentCompleter
{
    /// <summary>Candidates starting with <paramref name="wordToComplete"/>.</summary>
    /// <param name="commandName">The command being completed.</param>
    /// <param name="parameterName">The parameter being completed.</param>
    /// <param name="wordToComplete">What the user typed so far (quotes are ignored).</param>
    /// <param name="commandAst">The command's syntax tree.</param>
    /// <param name="fakeBoundParameters">The parameters bound so far (-StateDirectory is used when present).</param>
    /// <returns>Completion results (quoted where needed).</returns>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionResults.Safe(() =>
        {
            string? dir = fakeBoundParameters?["StateDirectory"] is { } d ? LanguagePrimitives.ConvertTo<string>(d) : null;
            return CompletionSource.AgentIds(string.IsNullOrWhiteSpace(dir) ? null : dir, CompletionResults.Unquote(wordToComplete));
        });
}

/// <summary>Shared helpers of the completers.</summary>
internal static class CompletionResults
{
    /// <summary>Turns candidates into results; any exception means no results.</summary>
    internal static IEnumerable<CompletionResult> Safe(Func<IReadOnlyList<CompletionCandidate>> source)
    {
        try
        {
            return source().Select(c => new CompletionResult(Quote(c.Text), c.Text, CompletionResultType.ParameterValue, c.ToolTip)).ToArray();
        }
#pragma warning disable CA1031 // A completer must never throw into the user's tab key.
        catch (Exception)
#pragma warning restore CA1031
        {
            return Array.Empty<CompletionResult>();
        }
    }

    /// <summary>The word without surrounding quotes.</summary>
    internal static string Unquote(string? word) => (word ?? string.Empty).Trim('\'', '"');

    /// <summary>Single-quotes a value that holds spaces, quotes or PowerShell metacharacters.</summary>
    internal static string Quote(string text) =>
        text.IndexOfAny(new[] { ' ', '\t', '\'', '"', '$', '`', ';', '(', ')', '{', '}', '@', '&', '|', ',', '#' }) < 0
            ? text
            : "'" + text.Replace("'", "''") + "'";
}
