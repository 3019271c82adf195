using System;
using System.CommandLine;
using System.IO;
using System.Text;
using OpenClaw.Node.Dsc;
using OpenClaw.Node.Service;

namespace OpenClaw.NodeHost;

/// <summary>
/// <c>openclaw-node dsc get|set|test|schema</c>: the entry point of the DSC v3 command resource <c>OpenClaw/Node</c>
/// (manifest <c>OpenClaw.Node.dsc.resource.json</c>, shipped next to this executable and in the module). Reads the
/// instance JSON from stdin (nothing, or no redirected stdin, means <c>{}</c>), writes JSON Lines to stdout (the state;
/// for test and set also the array of differing property names) and messages as <c>{"error"|"warn"|"info": "..."}</c>
/// JSON Lines to stderr. Exit codes (<see cref="NodeDscExitCodes"/>): 0 success, 1 unexpected failure, 2 invalid input
/// (the message names the property), 3 service manager failure, 78 unusable local file. The gateway token comes from the
/// instance's <c>tokenFile</c> or from <c>OPENCLAW_GATEWAY_TOKEN</c>, never from the instance itself.
/// </summary>
internal static class DscCommand
{
    /// <summary>Largest instance document read from stdin (1 MiB); more is invalid input.</summary>
    private const int MaxInput = 1 << 20;

    /// <summary>Builds the <c>dsc</c> command with its four subcommands.</summary>
    public static Command Create()
    {
        var dsc = new Command("dsc", "DSC v3 resource OpenClaw/Node: get, test or set the desired state of this node (instance JSON on stdin, JSON Lines on stdout).");
        foreach ((string name, string description) in new[]
        {
            ("get", "Print the actual state of the node the instance names (stateDirectory, scope)."),
            ("test", "Print the actual state with _inDesiredState, then the names of the properties that differ."),
            ("schema", "Print the JSON schema of an OpenClaw/Node instance."),
        })
        {
            var cmd = new Command(name, description);
            cmd.SetAction(_ => Run(name, whatIf: false));
            dsc.Add(cmd);
        }
        var whatIf = new Option<bool>("--what-if") { Description = "Print the state set would produce and what it would change, without changing anything." };
        var set = new Command("set", "Bring the node to the desired state (only what differs changes); print the new state, then the names of the changed properties.") { whatIf };
        set.SetAction(pr => Run("set", pr.GetValue(whatIf)));
        dsc.Add(set);
        return dsc;
    }

    private static int Run(string operation, bool whatIf)
    {
        string? input = null;
        if (operation != "schema" && Console.IsInputRedirected)
        {
            var buffer = new char[MaxInput + 1];
            int read = 0, n;
            using TextReader stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
            while (read < buffer.Length && (n = stdin.Read(buffer, read, buffer.Length - read)) > 0) { read += n; }
            if (read > MaxInput)
            {
                Console.Error.WriteLine("{\"error\":\"The instance JSON on stdin is larger than 1 MiB; send one small JSON object.\"}");
                return NodeDscExitCodes.InvalidInput;
            }
            input = new string(buffer, 0, read);
        }
        var resource = new NodeDscResource(new NodeDscContext
        {
            WithExecutable = WithExecutable,
            EnvironmentToken = Environment.GetEnvironmentVariable(Program.TokenVariable),
        });
        NodeDscResult result = resource.Invoke(operation, input, whatIf);
        foreach (string line in result.Messages) { Console.Error.WriteLine(line); }
        foreach (string line in result.Output) { Console.Out.WriteLine(line); }
        Console.Out.Flush();
        return result.ExitCode;
    }

    /// <summary>The executable the service runs: the instance's executablePath, else this process (with the dll when run through dotnet).</summary>
    private static NodeServiceOptions WithExecutable(NodeServiceOptions options, string? explicitPath)
    {
        if (explicitPath is not null) { return options with { ExecutablePath = NodeHostExecutable.Find(Path.GetFullPath(explicitPath), null) }; }
        string self = Environment.ProcessPath ?? throw new ArgumentException("The path of this process is unknown; give executablePath in the instance.");
        if (string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return options with { ExecutablePath = self, ExecutablePrefixArguments = new[] { Path.Combine(AppContext.BaseDirectory, "openclaw-node.dll") } };
        }
        return options with { ExecutablePath = self };
    }
}
