using System;
using System.Collections.Generic;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Identity;
using OpenClaw.Node.Internal;
using OpenClaw.Node.Protocol;
using OpenClaw.Node.State;
using OpenClaw.Node.Status;
using Polly;
using Polly.Retry;

namespace OpenClaw.Node.Hosting;

/// <summary>
/// The headless node host: loads state and identity, connects to the gateway, gets paired, serves invocations and
/// reconnects with exponential back-off (1 s to 30 s, jittered) until cancelled. Device pairing is awaited by retrying,
/// so an approved node comes up by itself; command-surface approval is picked up from <c>node.pair.resolved</c> without
/// reconnecting. Returns an exit code from <see cref="NodeHostExitCodes"/>. While it runs it publishes its live state to
/// <c>node-status.json</c> in the state directory (on every change and every
/// <see cref="NodeHostOptions.StatusHeartbeatInterval"/>; read by <see cref="NodeStatusReader"/>).
/// While the gateway is still loading its start-up plugins it refuses <c>connect</c> with retryable <c>UNAVAILABLE</c>
/// <c>startup-sidecars</c> (spec 2.5): the host closes that socket with 1013 "gateway starting" and retries after the
/// gateway's <c>retryAfterMs</c> clamped to 100..2000 ms (500 ms when absent), as the reference client does. Any other
/// <c>retryAfterMs</c> is bounded to 100 ms .. <see cref="NodeHostOptions.ReconnectMaxDelay"/>.
/// </summary>
public sealed class NodeHost
{
    /// <summary>Capability categories declared in <c>connect.caps</c>.</summary>
    public static readonly IReadOnlyList<string> Caps = new[] { "system" };

    private readonly NodeHostOptions _options;
    private readonly INodeLog _log;
    private readonly NodeLogPipeline _pipeline;
    private Policy.MachinePolicy _machinePolicy = Policy.MachinePolicy.None;
    private IProgress<NodeHostStatus>? _progress;
    private volatile IReadOnlyCollection<string> _skillBins = Array.Empty<string>();
    private Browser.BrowserProxyFeature? _browser;
    private NodeConnectionState? _lastState;
    private string? _lastPairingRequest;
    private NodeStatusPublisher? _status;
    private bool _configUnsaved;

    /// <summary>Creates a host; nothing happens until <see cref="RunAsync"/>.</summary>
    public NodeHost(NodeHostOptions options, INodeLog? log = null)
    {
        _options = options;
        _pipeline = new NodeLogPipeline(log ?? NullNodeLog.Instance);
        _pipeline.Redactor.AddSecret(options.GatewayToken);
        _pipeline.Redactor.AddSecret(options.GatewayPassword);
        _pipeline.Redactor.AddSecret(options.SetupCode);
        _log = _pipeline;
    }

    /// <summary>The product version sent as <c>client.version</c>.</summary>
    public static string Version { get; } =
        typeof(NodeHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "0.0.0";

    private sealed class Prepared
    {
        public Prepared(NodeStateStore store, NodeConfig config, DeviceIdentity identity, GatewaySettings gateway)
        {
            Store = store;
            Config = config;
            Identity = identity;
            Gateway = gateway;
        }

        public NodeStateStore Store { get; }
        public NodeConfig Config { get; }
        public DeviceIdentity Identity { get; }
        public GatewaySettings Gateway { get; }

        /// <summary>The setup code's bootstrap token until the first hello-ok; null once used (never sent again) or without a code.</summary>
        public string? BootstrapToken { get; set; }

        public string Url => GatewayEndpoint.ToUri(Gateway).ToString();
    }

    /// <summary>Raised by a connection attempt that should be retried (after <see cref="Delay"/> when set).</summary>
    private sealed class RetryException : Exception
    {
        public RetryException(string message, TimeSpan? delay, Exception? inner = null) : base(message, inner) => Delay = delay;

        public TimeSpan? Delay { get; }
    }

    /// <summary>Raised when retrying cannot help; ends the run with <see cref="ExitCode"/>.</summary>
    private sealed class FatalException : Exception
    {
        public FatalException(int exitCode, string message, Exception? inner = null) : base(message, inner) => ExitCode = exitCode;

        public int ExitCode { get; }
    }

    /// <summary>Runs until <paramref name="ct"/> is cancelled or a fatal error occurs.</summary>
    /// <param name="progress">Receives a <see cref="NodeHostStatus"/> on every state change.</param>
    /// <param name="ct">Cancel to stop: running invocations are killed and the socket is closed with 1000.</param>
    /// <returns>An exit code from <see cref="NodeHostExitCodes"/>.</returns>
    public async Task<int> RunAsync(IProgress<NodeHostStatus>? progress, CancellationToken ct)
    {
        _progress = progress;
        Prepared prep;
        System.IO.FileStream? instanceLock = null;
        // The machine policy is checked before anything is written: a run it forbids leaves no trace in the state directory.
        if (NodeHostPolicy.Check(_options, _log, out _machinePolicy) is string refused)
        {
            return Fail(null, NodeHostExitCodes.Configuration, refused);
        }
        _pipeline.Level = NodeLogLevels.Resolve(_options.LogLevel, _machinePolicy);
        try
        {
            string stateDirectory = StateDirectory.Resolve(_options.StateDirectory);
            instanceLock = LockStateDirectory(stateDirectory);
            NodeHostPolicy.OpenSinks(_pipeline, _options, stateDirectory, _log, _machinePolicy);
            // Only the host holding node.lock owns node-status.json.
            _status = new NodeStatusPublisher(stateDirectory, _options.StatusHeartbeatInterval, _log);
            prep = Prepare();
            _status.SetIdentity(prep.Identity.DeviceId, prep.Config.DisplayName ?? Environment.MachineName, prep.Url, prep.Gateway.Tls, prep.Gateway.TlsFingerprint);
        }
        catch (StateFileException ex)
        {
            int code = Fail(null, ex.StorageUnavailable ? NodeHostExitCodes.StateWriteFailed : NodeHostExitCodes.Configuration, ex.Message);
            StopPublishing();
            instanceLock?.Dispose();
            _pipeline.Dispose();   // closes the log file
            return code;
        }
        catch (GatewayException ex) when (ex.Kind == FailureKind.Configuration)
        {
            int code = Fail(null, NodeHostExitCodes.Configuration, ex.Message);
            StopPublishing();
            instanceLock?.Dispose();
            _pipeline.Dispose();   // closes the log file
            return code;
        }
        using (instanceLock)
        using (_browser)
        using (_pipeline)
        {
            try
            {
                return await RunPreparedAsync(prep, ct).ConfigureAwait(false);
            }
            finally
            {
                StopPublishing();
            }
        }
    }

    private void StopPublishing()
    {
        _status?.Dispose();
        _status = null;
    }

    /// <summary>
    /// Holds <c>node.lock</c> in the state directory for the life of the host, so two hosts never share one identity and
    /// one node.json (they would keep replacing each other's connection on the gateway).
    /// </summary>
    /// <exception cref="StateFileException">Another node host holds the lock.</exception>
    private static System.IO.FileStream LockStateDirectory(string stateDirectory)
    {
        try { SecureFile.EnsureDirectory(stateDirectory); }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(stateDirectory, $"Cannot create or use the state directory '{stateDirectory}': {ex.Message}", ex);
        }
        string path = System.IO.Path.Combine(stateDirectory, "node.lock");
        try
        {
            return new System.IO.FileStream(path, System.IO.FileMode.OpenOrCreate, System.IO.FileAccess.ReadWrite, System.IO.FileShare.None, 1, System.IO.FileOptions.DeleteOnClose);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StateFileException(path, $"Cannot write '{path}': {ex.Message} Check the owner of the state directory.", ex);
        }
        catch (System.IO.IOException ex) when (SecureFile.StorageProblem(ex) is string problem)
        {
            throw new StateFileException(path, $"Cannot create '{path}': {problem} ({ex.Message}). Free space or remount the state directory read-write, then start again.", ex)
            { StorageUnavailable = true };
        }
        catch (System.IO.IOException ex)
        {
            throw new StateFileException(path, $"Another node host is already running with the state directory '{stateDirectory}'. Stop it first, or give this one its own --state-dir.", ex);
        }
    }

    private async Task<int> RunPreparedAsync(Prepared prep, CancellationToken ct)
    {
        _log.Write(NodeLogLevel.Info, $"Node host {Version} starting: device {prep.Identity.DeviceId}, gateway {prep.Url}, state {prep.Store.Directory}.");

        ResiliencePipeline pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RetryException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.ReconnectInitialDelay,
                MaxDelay = _options.ReconnectMaxDelay,
                DelayGenerator = args => new ValueTask<TimeSpan?>((args.Outcome.Exception as RetryException)?.Delay),
                OnRetry = args =>
                {
                    var ex = (RetryException)args.Outcome.Exception!;
                    _status?.OnAttemptFailed(ex.Message, (ex.InnerException as GatewayException)?.Kind.ToString() ?? nameof(FailureKind.Unknown));
                    if (_lastState != NodeConnectionState.PairingRequired)
                    {
                        Report(prep, NodeConnectionState.Reconnecting, $"{ex.Message} Retrying in {args.RetryDelay.TotalSeconds:0.#} s.", retryIn: args.RetryDelay);
                    }
                    return default;
                },
            })
            .Build();

        while (!ct.IsCancellationRequested)
        {
            Session session;
            try
            {
                session = await pipeline.ExecuteAsync(token => new ValueTask<Session>(ConnectOnceAsync(prep, token)), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (FatalException ex)
            {
                return Fail(prep, ex.ExitCode, ex.Message);
            }

            CloseInfo closed = await ServeAsync(prep, session, ct).ConfigureAwait(false);
            if (ct.IsCancellationRequested) { break; }
            _log.Write(NodeLogLevel.Info, $"Disconnected from the gateway ({closed}).");
            _status?.OnDisconnected($"Disconnected from the gateway ({closed}).");
            Report(prep, NodeConnectionState.Reconnecting, $"Disconnected from the gateway ({closed}); reconnecting.");
        }
        Report(prep, NodeConnectionState.Stopped, "The node host stopped.", exitCode: NodeHostExitCodes.Stopped);
        return NodeHostExitCodes.Stopped;
    }

    private static string? TlsFingerprintOrNull(string text)
    {
        try { return TlsFingerprint.Normalise(text); }
        catch (FormatException) { return null; }
    }

    private Prepared Prepare()
    {
        string stateDir = StateDirectory.Resolve(_options.StateDirectory);
        var store = new NodeStateStore(stateDir);
        NodeConfig config = store.LoadConfig() ?? NodeConfig.CreateNew();
        DeviceIdentity identity = store.LoadOrCreateIdentity(out bool created);
        if (created) { _log.Write(NodeLogLevel.Info, $"Created a new device identity {identity.DeviceId} in {store.IdentityPath}."); }

        _pipeline.Redactor.AddSecret(config.Token);
        GatewaySettings? saved = config.Gateway;
        Enrollment.SetupCode? code = null;
        if (!string.IsNullOrWhiteSpace(_options.SetupCode))
        {
            try { code = Enrollment.SetupCode.Parse(_options.SetupCode); }
            catch (Enrollment.SetupCodeException ex) { throw new GatewayException(FailureKind.Configuration, ex.ErrorId, ex.Message); }
            if (!string.IsNullOrWhiteSpace(_options.Host) || _options.Port is not null || _options.ContextPath is not null)
            {
                throw new GatewayException(FailureKind.Configuration, "SetupCodeWithGateway",
                    $"The setup code names its gateway ({code.Url}); do not give a host, port or context path as well.");
            }
            if (code.TlsFingerprint is not null && !string.IsNullOrWhiteSpace(_options.TlsFingerprint)
                && TlsFingerprintOrNull(_options.TlsFingerprint!) != code.TlsFingerprint)
            {
                throw new GatewayException(FailureKind.Configuration, "SetupCodePinConflict",
                    "The TLS fingerprint given differs from the one the setup code carries; drop --tls-fingerprint or ask for a new code.");
            }
        }
        // The machine policy's gateway takes the place of saved values; explicit ones were checked against it in RunAsync.
        (string? policyHost, int? policyPort, bool? policyTls, string? policyPin) = NodeHostPolicy.Gateway(_machinePolicy, _options);
        if (code is not null && policyHost is not null
            && (!string.Equals(code.Gateway.Host, policyHost, StringComparison.OrdinalIgnoreCase)
                || (policyPort is int pp && pp != code.Gateway.Port) || (policyTls is bool pt && pt != code.Gateway.Tls)))
        {
            throw new GatewayException(FailureKind.Configuration, "SetupCodeOutsidePolicy",
                $"The setup code names the gateway {code.Url}, but the machine policy only allows {policyHost}{(policyPort is int p2 ? ":" + p2.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty)}. Ask for a setup code of the gateway the policy names.");
        }
        bool tls = code?.Gateway.Tls ?? _options.Tls ?? policyTls ?? saved?.Tls ?? false;
        var settings = new GatewaySettings
        {
            Host = code?.Gateway.Host ?? (string.IsNullOrWhiteSpace(_options.Host) ? policyHost ?? saved?.Host ?? "127.0.0.1" : _options.Host!.Trim()),
            Port = code?.Gateway.Port ?? _options.Port ?? policyPort ?? (policyHost is null || string.Equals(saved?.Host, policyHost, StringComparison.OrdinalIgnoreCase) ? saved?.Port : null) ?? 18789,
            Tls = tls,
            ContextPath = code is not null ? code.Gateway.ContextPath : _options.ContextPath ?? saved?.ContextPath,
        };
        string? pin = null;
        if (code?.TlsFingerprint is not null)
        {
            if (policyPin is not null && TlsFingerprintOrNull(policyPin) != code.TlsFingerprint)
            {
                throw new GatewayException(FailureKind.Configuration, "SetupCodeOutsidePolicy",
                    "The setup code pins a different TLS certificate than the machine policy requires; ask for a setup code of the gateway the policy names.");
            }
            pin = code.TlsFingerprint;
        }
        else if (!string.IsNullOrWhiteSpace(_options.TlsFingerprint) || policyPin is not null)
        {
            try { pin = TlsFingerprint.Normalise(_options.TlsFingerprint ?? policyPin!); }
            catch (FormatException ex) { throw new GatewayException(FailureKind.Configuration, "InvalidTlsFingerprint", "The TLS fingerprint " + ex.Message); }
        }
        else if (tls && saved is not null && saved.SameOrigin(settings))
        {
            pin = saved.TlsFingerprint;
        }
        settings = settings with { TlsFingerprint = pin };
        GatewayEndpoint.Validate(settings, _options.AllowInsecurePrivate);
        NodeHostPolicy.CheckFinal(_machinePolicy, settings, _options.DisplayName ?? config.DisplayName ?? Environment.MachineName);

        if (saved is not null && !saved.SameOrigin(settings) && config.Token is not null)
        {
            _log.Write(NodeLogLevel.Info, "The gateway changed since the last run: the stored device token belongs to the old gateway and is dropped.");
            config.Token = null;
        }
        config.Gateway = settings;
        if (!string.IsNullOrWhiteSpace(_options.NodeId)) { config.NodeId = _options.NodeId!.Trim(); }
        if (!string.IsNullOrWhiteSpace(_options.DisplayName)) { config.DisplayName = _options.DisplayName!.Trim(); }
        // Unchanged settings are not rewritten, so a node whose token is already stored starts on a full or read-only disk.
        if (SecureFile.ReadAllTextOrNull(store.ConfigPath) != config.ToJson()) { store.SaveConfig(config); }
        _browser = Browser.BrowserProxyFeature.Load(stateDir);
        if (_options.Commands is IReadOnlyList<string> only)
        {
            var known = new List<string>();
            foreach (INodeCommand c in _browser?.AddTo(CreateCommands(PathResolver.FromEnvironment(), stateDir, () => RemoteEditPolicy.Allow)) ?? CreateCommands(PathResolver.FromEnvironment(), stateDir, () => RemoteEditPolicy.Allow)) { known.Add(c.Name); }
            foreach (string name in only)
            {
                if (!known.Contains(name))
                {
                    throw new GatewayException(FailureKind.Configuration, "UnknownNodeCommand",
                        $"This node host has no command '{name}'; --commands takes names from: {string.Join(", ", known)}.");
                }
            }
        }
        var prepared = new Prepared(store, config, identity, settings);
        if (code is not null)
        {
            if (config.Token is not null)
            {
                _log.Write(NodeLogLevel.Info, $"This node is already enrolled with {prepared.Url} (it holds a device token); the setup code is not needed and was not used.");
            }
            else
            {
                prepared.BootstrapToken = code.BootstrapToken;
                _pipeline.Redactor.AddSecret(code.BootstrapToken);
                _log.Write(NodeLogLevel.Info, $"Enrolling with a {code}.");
            }
        }
        return prepared;
    }

    private sealed class Session
    {
        public Session(GatewayConnection connection, HelloOk hello, InvokeDispatcher dispatcher)
        {
            Connection = connection;
            Hello = hello;
            Dispatcher = dispatcher;
        }

        public GatewayConnection Connection { get; }
        public HelloOk Hello { get; }
        public InvokeDispatcher Dispatcher { get; }
        public bool SurfaceApproved { get; set; }
    }

    /// <summary>The commands this host declares and serves, all guarded by the exec approvals in <paramref name="stateDirectory"/>.</summary>
    internal static IReadOnlyList<INodeCommand> CreateCommands(PathResolver resolver, string stateDirectory, Func<RemoteEditPolicy> remoteEdits,
        Func<IReadOnlyCollection<string>>? skillBins = null, Func<Policy.MachinePolicy>? machinePolicy = null)
    {
        var store = new Approvals.ExecApprovalsStore(stateDirectory);
        var gate = new Approvals.ExecApprovalGate(store, resolver, HostPlatform.IsWindows, skillBins: skillBins, machinePolicy: machinePolicy);
        return new INodeCommand[]
        {
            new SystemRunCommand(resolver, gate, EnvPolicy.Default),
            new SystemRunPrepareCommand(store, gate, EnvPolicy.Default),
            new SystemWhichCommand(resolver),
            new ExecApprovalsGetCommand(store),
            new ExecApprovalsSetCommand(store, remoteEdits, machinePolicy),
        };
    }

    private async Task<Session> ConnectOnceAsync(Prepared prep, CancellationToken ct)
    {
        if (_lastState != NodeConnectionState.PairingRequired) { Report(prep, NodeConnectionState.Connecting, $"Connecting to {prep.Url}."); }
        string? deviceToken = prep.Config.Token;
        string? bootstrap = deviceToken is null ? prep.BootstrapToken : null;
        ConnectCredentials creds = deviceToken is not null
            ? new ConnectCredentials(DeviceToken: deviceToken)
            : bootstrap is not null
                ? new ConnectCredentials(BootstrapToken: bootstrap)
                : new ConnectCredentials(Token: NullIfEmpty(_options.GatewayToken), Password: NullIfEmpty(_options.GatewayPassword));

        var resolver = PathResolver.FromEnvironment();
        IReadOnlyList<INodeCommand> commands = CreateCommands(resolver, prep.Store.Directory, () => prep.Config.RemoteEdits, () => _skillBins,
            () => Policy.MachinePolicyLoader.Load(_options.PolicyFile));
        if (_browser is not null) { commands = _browser.AddTo(commands); }
        if (_options.Commands is IReadOnlyList<string> only)
        {
            var keep = new List<INodeCommand>();
            foreach (INodeCommand c in commands) { if (System.Linq.Enumerable.Contains(only, c.Name)) { keep.Add(c); } }
            commands = keep;
        }
        var names = new List<string>();
        foreach (INodeCommand c in commands) { names.Add(c.Name); }
        names.Sort(StringComparer.Ordinal);
        var request = new ConnectRequest(
            new ClientInfo("node-host", "node", Version, prep.Config.DisplayName ?? Environment.MachineName, HostPlatform.Platform, HostPlatform.DeviceFamily, prep.Config.NodeId),
            "node", Array.Empty<string>(), _browser?.AddCaps(Caps) ?? Caps, names, resolver.PathValue, creds, prep.Identity);

        GatewayConnection conn;
        try
        {
            conn = await GatewayConnection.OpenAsync(prep.Gateway, _log, TimeSpan.FromSeconds(15), ct).ConfigureAwait(false);
        }
        catch (GatewayException ex) when (ex.Kind == FailureKind.TlsFailure)
        {
            _log.Write(NodeLogLevel.Error, ex.Message);
            throw new RetryException("The gateway's TLS certificate was not accepted (see the error above).", _options.ReconnectMaxDelay, ex);
        }
        catch (GatewayException ex)
        {
            throw new RetryException(ex.Message, null, ex);
        }

        Session? session = null;
        var dispatcher = new InvokeDispatcher(commands, prep.Identity.DeviceId,
            // The gateway's ack of a result only ends the invocation's bookkeeping, so it is handled on the receiving
            // thread (no thread-pool hop per invocation); node.event acks resume a command's own code, on the pool.
            (method, p, token) => conn.RequestAsync(method, p, TimeSpan.FromSeconds(30), token, answerOnReceiveThread: method == "node.invoke.result"), _log);
        conn.OnEvent = (name, frame) => OnEvent(prep, () => session, dispatcher, name, frame);
        try
        {
            // A single-use bootstrap token is consumed by the gateway while it answers: giving up on a slow (loaded)
            // gateway would lose both the token and the device token, so a bootstrap connect waits much longer.
            HelloOk hello = await Handshake.ConnectAsync(conn, request, ct, bootstrap is not null ? BootstrapConnectTimeout : null).ConfigureAwait(false);
            session = new Session(conn, hello, dispatcher);
            dispatcher.SetMaxPayload(hello.MaxPayload);
            _lastPairingRequest = null;
            if (bootstrap is not null)
            {
                // Single-use: whatever happens next, the bootstrap token is never sent again by this host.
                prep.BootstrapToken = null;
            }
            if ((hello.DeviceToken is not null && hello.DeviceToken != prep.Config.Token) || _configUnsaved)
            {
                if (hello.DeviceToken is not null) { prep.Config.Token = hello.DeviceToken; _pipeline.Redactor.AddSecret(hello.DeviceToken); }
                SaveConfigAfterConnect(prep, enrolled: bootstrap is not null);
            }
            return session;
        }
        catch (OperationCanceledException)
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch (GatewayException ex)
        {
            if (IsStartupUnavailable(ex))
            {
                // As the reference client: close with 1013 "gateway starting" (the gateway closes with the same code).
                await conn.CloseAsync(1013, "gateway starting", TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            }
            await conn.DisposeAsync().ConfigureAwait(false);
            throw Classify(prep, ex, usedDeviceToken: deviceToken is not null, usedBootstrap: bootstrap is not null);
        }
        catch (StateFileException ex)
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw new FatalException(NodeHostExitCodes.Configuration, ex.Message, ex);
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>
    /// Saves node.json with the device token the gateway issued. When the file system is full or read-only the session is
    /// kept (the token stays in memory and is used for reconnects), the error names the file and the cause, and the save
    /// is retried on every later connect; node.json keeps its previous content. Other write failures are fatal.
    /// </summary>
    private void SaveConfigAfterConnect(Prepared prep, bool enrolled)
    {
        try
        {
            prep.Store.SaveConfig(prep.Config);
            if (_configUnsaved) { _log.Write(NodeLogLevel.Info, $"Saved {prep.Store.ConfigPath} (it could not be written before)."); }
            else
            {
                _log.Write(NodeLogLevel.Info, enrolled
                    ? "Enrolled with the setup code: stored the device token issued by the gateway; the setup code is used up and not needed again."
                    : "Stored the device token issued by the gateway.");
            }
            _configUnsaved = false;
        }
        catch (StateFileException ex) when (ex.StorageUnavailable)
        {
            _configUnsaved = true;
            _log.Write(NodeLogLevel.Error, "Could not store the device token issued by the gateway: " + ex.Message +
                " This session keeps the token in memory; a restart before the save succeeds connects with the shared gateway token again.");
            _status?.OnWarning("Could not store the device token: " + ex.Message, "StateWriteFailed");
        }
    }

    /// <summary>
    /// True for the gateway's start-up refusal (spec 2.5): retryable <c>UNAVAILABLE</c> with
    /// <c>details.reason = "startup-sidecars"</c>, sent while its start-up plugins load.
    /// </summary>
    internal static bool IsStartupUnavailable(GatewayException ex) =>
        ex.Code == "UNAVAILABLE" && ex.Retryable && ex.Details.Str("reason") == "startup-sidecars";

    /// <summary>
    /// Delay before retrying after a start-up refusal: the gateway's <c>retryAfterMs</c> (500 ms when absent) clamped to
    /// 100..2000 ms, as the reference client does, so a bad value neither spins nor stalls the node.
    /// </summary>
    internal static TimeSpan StartupRetryDelay(int? retryAfterMs) => TimeSpan.FromMilliseconds(Math.Min(Math.Max(retryAfterMs ?? 500, 100), 2000));

    /// <summary>A gateway-suggested delay (<c>retryAfterMs</c>) bounded to 100 ms .. <see cref="NodeHostOptions.ReconnectMaxDelay"/>.</summary>
    private TimeSpan BoundedRetryAfter(int retryAfterMs) =>
        TimeSpan.FromMilliseconds(Math.Min(Math.Max(retryAfterMs, 100), Math.Max(100, _options.ReconnectMaxDelay.TotalMilliseconds)));

    /// <summary>How long a connect with the setup code's bootstrap token waits for the gateway's answer (2 minutes).</summary>
    internal static readonly TimeSpan BootstrapConnectTimeout = TimeSpan.FromMinutes(2);

    private Exception Classify(Prepared prep, GatewayException ex, bool usedDeviceToken, bool usedBootstrap = false)
    {
        string? code = ex.DetailsCode;
        if (usedBootstrap && ex.Kind == FailureKind.AuthFailed)
        {
            prep.BootstrapToken = null;
            if (!string.IsNullOrEmpty(_options.GatewayToken) || !string.IsNullOrEmpty(_options.GatewayPassword))
            {
                _log.Write(NodeLogLevel.Warning, "The gateway refused the setup code (" + (code ?? ex.Code) + "); continuing with the shared gateway token.");
                return new RetryException("The setup code was refused; retrying with the shared gateway token.", TimeSpan.FromMilliseconds(250), ex);
            }
            return new FatalException(NodeHostExitCodes.AuthenticationFailed,
                "The gateway refused the setup code (" + (code ?? ex.Code) + "): it was already used, has expired or was revoked. Setup codes work once and live 10 minutes; " +
                "ask an operator for a new one (New-OpenClawSetupCode or 'openclaw-node nodes setup-code') and start again.", ex);
        }
        bool tokenMismatch = code == "AUTH_DEVICE_TOKEN_MISMATCH"
            || (ex.CloseCode == 1008 && ex.Message.IndexOf("device token mismatch", StringComparison.OrdinalIgnoreCase) >= 0);
        if (tokenMismatch && usedDeviceToken)
        {
            prep.Config.Token = null;
            try { prep.Store.SaveConfig(prep.Config); _configUnsaved = false; }
            catch (StateFileException save) when (save.StorageUnavailable)
            {
                _configUnsaved = true;
                _log.Write(NodeLogLevel.Error, "Could not drop the rejected device token from node.json: " + save.Message);
            }
            bool haveShared = !string.IsNullOrEmpty(_options.GatewayToken) || !string.IsNullOrEmpty(_options.GatewayPassword);
            if (haveShared)
            {
                _log.Write(NodeLogLevel.Warning, "The gateway no longer accepts this node's device token (revoked or removed); dropped it and retrying with the shared gateway token.");
                return new RetryException("The device token was rejected; retrying with the shared gateway token.", TimeSpan.FromMilliseconds(250), ex);
            }
            return new FatalException(NodeHostExitCodes.AuthenticationFailed,
                "The gateway no longer accepts this node's device token (it was revoked or the node was removed) and no shared gateway token is configured. " +
                "Set OPENCLAW_GATEWAY_TOKEN and start the node again to request pairing anew.", ex);
        }
        if (IsStartupUnavailable(ex))
        {
            return new RetryException("The gateway is still starting (its start-up plugins are loading: startup-sidecars).", StartupRetryDelay(ex.RetryAfterMs), ex);
        }
        switch (ex.Kind)
        {
            case FailureKind.PairingRequired when code is null or "PAIRING_REQUIRED":
            {
                string? requestId = ex.Details.Str("requestId");
                if (requestId != _lastPairingRequest || _lastState != NodeConnectionState.PairingRequired)
                {
                    _lastPairingRequest = requestId;
                    string reason = ex.Details.Str("reason") ?? "not-paired";
                    Report(prep, NodeConnectionState.PairingRequired,
                        $"The gateway has not approved this device yet ({reason}): pairing request {requestId ?? "(no id)"}. " +
                        $"Approve it on the gateway with 'openclaw devices approve {requestId}' or Approve-OpenClawNodeRequest; this node connects by itself once approved.",
                        pairingRequestId: requestId, retryIn: _options.PairingRetryInterval);
                }
                return new RetryException("Waiting for pairing approval.", _options.PairingRetryInterval, ex);
            }
            case FailureKind.RateLimited:
                return new RetryException("The gateway rate-limited this node.", ex.RetryAfterMs is int r ? BoundedRetryAfter(r) : _options.ReconnectMaxDelay, ex);
            case FailureKind.AuthFailed:
            case FailureKind.PairingRequired:
                return new FatalException(NodeHostExitCodes.AuthenticationFailed, AuthAdvice(ex), ex);
            case FailureKind.Configuration:
                return new FatalException(NodeHostExitCodes.Configuration, ex.Message, ex);
            case FailureKind.InvalidArgument when code == "PROTOCOL_MISMATCH" || ex.Message.IndexOf("invalid connect params", StringComparison.Ordinal) >= 0:
                return new FatalException(NodeHostExitCodes.Failure, $"The gateway rejected this node's connect request as incompatible: {ex.Message}", ex);
            default:
                return new RetryException(ex.Message, ex.RetryAfterMs is int ms ? BoundedRetryAfter(ms) : null, ex);
        }
    }

    private static string AuthAdvice(GatewayException ex) => ex.DetailsCode switch
    {
        "AUTH_TOKEN_MISSING" => "The gateway requires a token and none was given. Set OPENCLAW_GATEWAY_TOKEN (or pass -Token) and start again.",
        "AUTH_TOKEN_MISMATCH" => "The gateway rejected the shared token. Check OPENCLAW_GATEWAY_TOKEN (or -Token) against the gateway's token and start again.",
        "AUTH_PASSWORD_MISSING" or "AUTH_PASSWORD_MISMATCH" => "The gateway rejected the password. Check OPENCLAW_GATEWAY_PASSWORD and start again.",
        _ => $"The gateway refused this node's credentials: {ex.Message} ({ex.DetailsCode ?? ex.Code}).",
    };

    private void OnEvent(Prepared prep, Func<Session?> session, InvokeDispatcher dispatcher, string name, JsonObject frame)
    {
        JsonObject? payload = frame["payload"] as JsonObject;
        switch (name)
        {
            case "node.invoke.request":
                if (_pipeline.IsEnabled(NodeLogLevel.Debug)) { _log.Write(NodeLogLevel.Debug, $"node.invoke.request {payload.Str("id")} {payload.Str("command")}"); }
                // The gateway only forwards invocations of an approved command surface: a node that concluded it was
                // waiting for approval (a publication refused while the gateway was still registering it) is serving.
                if (session() is Session invoked && !invoked.SurfaceApproved)
                {
                    invoked.SurfaceApproved = true;
                    SurfaceConfirmed(prep, "The gateway forwards invocations to this node, so its commands are approved; serving invocations.");
                }
                _ = dispatcher.OnRequest(payload);
                break;
            case "node.invoke.cancel":
                dispatcher.OnCancel(payload);
                break;
            case "node.pair.resolved":
                if (string.Equals(payload.Str("nodeId"), prep.Identity.DeviceId, StringComparison.OrdinalIgnoreCase) && payload.Str("decision") == "approved")
                {
                    if (session() is Session s) { s.SurfaceApproved = true; }
                    _status?.SetCommandSurfaceApproved(true);
                    Report(prep, NodeConnectionState.Connected, "The gateway approved this node's commands; serving invocations.");
                }
                break;
            case "shutdown":
                _log.Write(NodeLogLevel.Info, $"The gateway is shutting down ({payload.Str("reason") ?? "no reason given"}); will reconnect.");
                break;
            default:
                break;
        }
    }

    private async Task<CloseInfo> ServeAsync(Prepared prep, Session session, CancellationToken ct)
    {
        GatewayConnection conn = session.Connection;
        conn.StartWatchdog(session.Hello.TickIntervalMs);
        Report(prep, NodeConnectionState.Connected, $"Connected to {prep.Url} as {prep.Identity.DeviceId} (protocol {session.Hello.Protocol}, auth {session.Hello.AuthMethod ?? "unknown"}).");
        using var sessionCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task stats = PublishStatsAsync(prep, session, sessionCts.Token);
        var stop = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (ct.Register(() => stop.TrySetResult(true)))
        {
            await Task.WhenAny(conn.Closed, stop.Task).ConfigureAwait(false);
        }
        sessionCts.Cancel();
        session.Dispatcher.CancelAll();
        CloseInfo info;
        if (ct.IsCancellationRequested)
        {
            await conn.CloseAsync(1000, "node host stopping").ConfigureAwait(false);
            info = new CloseInfo(1000, "node host stopping", null);
        }
        else
        {
            info = await conn.Closed.ConfigureAwait(false);
        }
        try { await stats.ConfigureAwait(false); } catch (OperationCanceledException) { }
        await conn.DisposeAsync().ConfigureAwait(false);
        return info;
    }

    /// <summary>Refreshes the gateway's skill executables (<c>skills.bins</c>) used by autoAllowSkills; failures keep the last list.</summary>
    private async Task RefreshSkillBinsAsync(Session session, CancellationToken ct)
    {
        try
        {
            JsonNode? r = await session.Connection.RequestAsync("skills.bins", new JsonObject(), TimeSpan.FromSeconds(15), ct).ConfigureAwait(false);
            if (r.StrArray("bins") is List<string> bins) { _skillBins = bins; }
        }
        catch (GatewayException ex)
        {
            _log.Write(NodeLogLevel.Debug, "skills.bins not available: " + ex.Message);
        }
    }

    private async Task PublishStatsAsync(Prepared prep, Session session, CancellationToken ct)
    {
        await RefreshSkillBinsAsync(session, ct).ConfigureAwait(false);
        if (_options.HostStatsInterval <= TimeSpan.Zero) { return; }
        while (!ct.IsCancellationRequested)
        {
            JsonObject? stats = HostStats.Collect();
            if (stats is not null)
            {
                try
                {
                    await session.Connection.RequestAsync("node.event",
                        InvokeDispatcher.NodeEventParams("node.host.stats", stats), TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
                    // The gateway refuses the node's publications while its command surface awaits approval (spec 5.2).
                    SurfaceConfirmed(prep, "The gateway accepts this node's events, so its commands are approved; serving invocations.");
                }
                catch (GatewayException ex) when (ex.Kind == FailureKind.Unavailable && !session.SurfaceApproved)
                {
                    if (_lastState == NodeConnectionState.Connected)
                    {
                        Report(prep, NodeConnectionState.AwaitingApproval,
                            "Connected, but the gateway is waiting for an operator to approve this node's commands: run 'openclaw nodes pending' and 'openclaw nodes approve <requestId>' (or Approve-OpenClawNodeRequest).");
                    }
                }
                catch (GatewayException ex)
                {
                    _log.Write(NodeLogLevel.Debug, "Host stats not accepted: " + ex.Message);
                }
            }
            await Task.Delay(_options.HostStatsInterval, ct).ConfigureAwait(false);
            await RefreshSkillBinsAsync(session, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Records that the command surface is approved and, when the host had reported <see cref="NodeConnectionState.AwaitingApproval"/>
    /// (a refused publication can also be the gateway still registering a reconnecting node), reports Connected again.
    /// </summary>
    private void SurfaceConfirmed(Prepared prep, string message)
    {
        _status?.SetCommandSurfaceApproved(true);
        if (_lastState == NodeConnectionState.AwaitingApproval) { Report(prep, NodeConnectionState.Connected, message); }
    }

    private int Fail(Prepared? prep, int exitCode, string message)
    {
        _log.Write(NodeLogLevel.Error, message);
        Report(prep, NodeConnectionState.Failed, message, exitCode: exitCode);
        return exitCode;
    }

    private void Report(Prepared? prep, NodeConnectionState state, string message, string? pairingRequestId = null, TimeSpan? retryIn = null, int? exitCode = null)
    {
        _lastState = state;
        if (state is not NodeConnectionState.Failed) { _log.Write(NodeLogLevel.Info, message); }
        _status?.OnState(state, message, pairingRequestId, exitCode);
        _progress?.Report(new NodeHostStatus
        {
            State = state,
            DeviceId = prep?.Identity.DeviceId ?? string.Empty,
            Gateway = prep?.Url ?? string.Empty,
            DisplayName = prep?.Config.DisplayName,
            PairingRequestId = pairingRequestId,
            Message = message,
            RetryIn = retryIn,
            ExitCode = exitCode,
        });
    }
}
