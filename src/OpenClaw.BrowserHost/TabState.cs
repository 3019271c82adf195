using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Playwright;

namespace OpenClaw.BrowserHost;

/// <summary>
/// What a tab observes besides console and network: JavaScript dialogs (pending, recently closed, one armed answer)
/// and downloads (an explicit waiter, the downloads of the running action, or saved on their own), as OpenClaw's
/// browser-control server keeps them per page.
/// </summary>
internal sealed partial class TabEntry
{
    private const int MaxRecentDialogs = 20;
    private readonly object _gate = new();
    private readonly List<PendingDialog> _pending = new();
    private readonly List<JsonObject> _recent = new();
    private readonly List<TaskCompletionSource<bool>> _dialogWatchers = new();
    private int _nextDialogId;
    private ArmedDialog? _armed;
    private TaskCompletionSource<IDownload>? _downloadWaiter;
    private List<Task<JsonObject>>? _actionDownloads;

    /// <summary>A CDP session kept open for emulation overrides (locale, timezone, device), which end with their session.</summary>
    public ICDPSession? EmulationSession { get; set; }

    /// <summary>A dialog the page opened that nobody has answered yet.</summary>
    private sealed record PendingDialog(string Id, IDialog Dialog, JsonObject Record);

    /// <summary>A one-shot answer for the next dialog, valid until <paramref name="ExpiresAt"/>.</summary>
    private sealed record ArmedDialog(bool Accept, string? PromptText, DateTimeOffset ExpiresAt);

    /// <summary>Called by Playwright when the page opens alert/confirm/prompt/beforeunload.</summary>
    public void OnDialog(IDialog dialog)
    {
        PendingDialog pending;
        ArmedDialog? armed;
        lock (_gate)
        {
            string id = "d" + (++_nextDialogId);
            var record = new JsonObject
            {
                ["id"] = id,
                ["type"] = dialog.Type,
                ["message"] = dialog.Message,
                ["openedAt"] = Now(),
            };
            if (dialog.Type == "prompt") { record["defaultValue"] = dialog.DefaultValue; }
            pending = new PendingDialog(id, dialog, record);
            armed = _armed;
            _armed = null;
            if (armed is null || armed.ExpiresAt <= DateTimeOffset.UtcNow)
            {
                armed = null;
                _pending.Add(pending);
                foreach (TaskCompletionSource<bool> w in _dialogWatchers) { w.TrySetResult(true); }
                _dialogWatchers.Clear();
            }
        }
        if (armed is not null) { _ = SettleAsync(pending, armed.Accept, armed.PromptText, "armed"); }
    }

    /// <summary>Answers a pending dialog (<paramref name="dialogId"/>, or the only one); false when none is pending.</summary>
    /// <exception cref="RouteException">The id is not pending, or several are pending and no id was given.</exception>
    public async Task<bool> RespondToDialogAsync(string? dialogId, bool accept, string? promptText)
    {
        PendingDialog? target;
        lock (_gate)
        {
            if (!string.IsNullOrEmpty(dialogId))
            {
                target = _pending.FirstOrDefault(d => d.Id == dialogId) ?? throw new RouteException(400, $"Dialog \"{dialogId}\" is not pending.", "dialog_not_pending");
            }
            else if (_pending.Count > 1) { throw new RouteException(400, "Multiple dialogs are pending; pass dialogId.", "dialog_ambiguous"); }
            else if (_pending.Count == 1) { target = _pending[0]; }
            else { return false; }
        }
        await SettleAsync(target, accept, promptText, "agent").ConfigureAwait(false);
        return true;
    }

    /// <summary>Arms a one-shot answer for the next dialog, valid for <paramref name="timeoutMs"/>.</summary>
    public void ArmDialog(bool accept, string? promptText, int timeoutMs)
    {
        lock (_gate) { _armed = new ArmedDialog(accept, promptText, DateTimeOffset.UtcNow.AddMilliseconds(Math.Max(1, timeoutMs))); }
    }

    private async Task SettleAsync(PendingDialog pending, bool accept, string? promptText, string closedBy)
    {
        lock (_gate) { _pending.Remove(pending); }
        try
        {
            if (accept) { await pending.Dialog.AcceptAsync(promptText).ConfigureAwait(false); }
            else { await pending.Dialog.DismissAsync().ConfigureAwait(false); }
        }
        catch (PlaywrightException ex) when (ex.Message.Contains("No dialog is showing", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("closed", StringComparison.OrdinalIgnoreCase))
        {
            closedBy = "remote";
        }
        lock (_gate)
        {
            var record = (JsonObject)pending.Record.DeepClone();
            record["closedAt"] = Now();
            record["closedBy"] = closedBy;
            _recent.Add(record);
            while (_recent.Count > MaxRecentDialogs) { _recent.RemoveAt(0); }
        }
    }

    /// <summary><c>{dialogs:{pending:[…], recent:[…]}}</c>, OpenClaw's observed browser state.</summary>
    public JsonObject BrowserState()
    {
        lock (_gate)
        {
            var pending = new JsonArray();
            foreach (PendingDialog d in _pending) { pending.Add(d.Record.DeepClone()); }
            var recent = new JsonArray();
            foreach (JsonObject r in _recent) { recent.Add(r.DeepClone()); }
            return new JsonObject { ["dialogs"] = new JsonObject { ["pending"] = pending, ["recent"] = recent } };
        }
    }

    /// <summary>Completes when the page opens a dialog that no armed answer handles (at once when one is already pending).</summary>
    public TaskCompletionSource<bool> WatchDialogs()
    {
        var w = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_pending.Count > 0) { w.TrySetResult(true); }
            else { _dialogWatchers.Add(w); }
        }
        return w;
    }

    /// <summary>Stops watching (the action finished first).</summary>
    public void Unwatch(TaskCompletionSource<bool> w)
    {
        lock (_gate) { _dialogWatchers.Remove(w); }
    }

    // ---- downloads ----------------------------------------------------------------------------------------------

    /// <summary>Called by Playwright when the page starts a download: hand it to the waiter, else save it under <paramref name="downloadsDirectory"/>.</summary>
    public void OnDownload(IDownload download, string downloadsDirectory)
    {
        lock (_gate)
        {
            if (_downloadWaiter is { } w)
            {
                _downloadWaiter = null;
                w.TrySetResult(download);
                return;
            }
            Task<JsonObject> save = SaveDownloadAsync(download, downloadsDirectory, null);
            save.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            _actionDownloads?.Add(save);
        }
    }

    /// <summary>Arms the waiter for the next download (replacing an earlier one, which then fails).</summary>
    public Task<IDownload> ArmDownload()
    {
        var w = new TaskCompletionSource<IDownload>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _downloadWaiter?.TrySetException(new RouteException(409, "Download was superseded by another waiter", "download_superseded"));
            _downloadWaiter = w;
        }
        return w.Task;
    }

    /// <summary>Drops the waiter if it is still <paramref name="waiter"/> (timed out or the trigger failed).</summary>
    public void DisarmDownload(Task<IDownload> waiter)
    {
        lock (_gate) { if (_downloadWaiter?.Task == waiter) { _downloadWaiter = null; } }
    }

    /// <summary>Starts collecting the downloads an action triggers.</summary>
    public void BeginActionDownloads()
    {
        lock (_gate) { _actionDownloads = new List<Task<JsonObject>>(); }
    }

    /// <summary>
    /// Ends the collection: waits <paramref name="graceMs"/> for a first download, then until none started for 250 ms
    /// (at most 1 s), then for the saves; null when the action downloaded nothing.
    /// </summary>
    public async Task<JsonArray?> EndActionDownloadsAsync(int graceMs)
    {
        List<Task<JsonObject>>? list;
        lock (_gate) { list = _actionDownloads; }
        if (list is null) { return null; }
        DateTimeOffset deadline = DateTimeOffset.UtcNow.AddMilliseconds(1000 + graceMs);
        int seen = -1;
        int count;
        lock (_gate) { count = list.Count; }
        if (count == 0 && graceMs > 0) { await Task.Delay(graceMs).ConfigureAwait(false); }
        while (DateTimeOffset.UtcNow < deadline)
        {
            lock (_gate) { count = list.Count; }
            if (count == seen || count == 0) { break; }
            seen = count;
            await Task.Delay(250).ConfigureAwait(false);
        }
        Task<JsonObject>[] saves;
        lock (_gate)
        {
            saves = list.ToArray();
            _actionDownloads = null;
        }
        if (saves.Length == 0) { return null; }
        var result = new JsonArray();
        foreach (Task<JsonObject> s in saves)
        {
            try { result.Add(await s.ConfigureAwait(false)); }
            catch (PlaywrightException) { }
        }
        return result.Count > 0 ? result : null;
    }

    /// <summary>
    /// Saves <paramref name="download"/> to <paramref name="path"/> (or <c>&lt;uuid&gt;-&lt;name&gt;</c> in
    /// <paramref name="directory"/>) through a temporary file renamed into place; <c>{url, suggestedFilename, path}</c>.
    /// </summary>
    public static async Task<JsonObject> SaveDownloadAsync(IDownload download, string directory, string? path)
    {
        string name = SafeFileName(download.SuggestedFilename, "download.bin");
        string target = path ?? Path.Combine(directory, $"{Guid.NewGuid()}-{name}");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Guid.NewGuid():N}.part");
        try
        {
            await download.SaveAsAsync(temp).ConfigureAwait(false);
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) { File.Delete(temp); }
        }
        return new JsonObject { ["url"] = download.Url, ["suggestedFilename"] = download.SuggestedFilename, ["path"] = target };
    }

    /// <summary>A file name with no directory parts or control characters (<paramref name="fallback"/> when nothing is left).</summary>
    public static string SafeFileName(string? name, string fallback)
    {
        string n = Path.GetFileName((name ?? "").Replace('\\', '/').Split('/').Last());
        var chars = n.Where(c => !char.IsControl(c) && Array.IndexOf(Path.GetInvalidFileNameChars(), c) < 0).ToArray();
        string s = new string(chars).Trim().TrimStart('.');
        if (s.Length > 180) { s = s[^180..]; }
        return s.Length == 0 ? fallback : s;
    }

    /// <summary>The page closed: fail the waiters.</summary>
    public void OnClosed()
    {
        lock (_gate)
        {
            _downloadWaiter?.TrySetException(new RouteException(409, "Page closed before the download started.", "tab_closed"));
            _downloadWaiter = null;
            _pending.Clear();
            _armed = null;
        }
    }

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
