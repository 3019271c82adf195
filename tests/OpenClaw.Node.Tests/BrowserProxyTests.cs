using System;
using System.IO;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenClaw.Node.Browser;
using OpenClaw.Node.Commands;
using OpenClaw.Node.Internal;
using OpenClaw.Node.State;
using Xunit;

namespace OpenClaw.Node.Tests;

public class Json5ReaderTests
{
    [Fact]
    public void Reads_comments_trailing_commas_unquoted_keys_and_single_quotes()
    {
        JsonNode? n = Json5Reader.Parse("""
            // OpenClaw config
            {
              /* block
                 comment */
              nodeHost: { browserProxy: { enabled: false, allowProfiles: ['work', "home",], }, },
              'quoted key': 'it\'s',
              $id_1: 0x1F, neg: -.5, plus: +3, big: 1e3, inf: Infinity,
              multi: 'a\
            b',
            }
            """);
        Assert.False(n!["nodeHost"]!["browserProxy"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("home", n["nodeHost"]!["browserProxy"]!["allowProfiles"]![1]!.GetValue<string>());
        Assert.Equal("it's", n["quoted key"]!.GetValue<string>());
        Assert.Equal(31, n["$id_1"]!.GetValue<long>());
        Assert.Equal(-0.5, n["neg"]!.GetValue<double>());
        Assert.Equal(3, n["plus"]!.GetValue<long>());
        Assert.Equal(1000d, n["big"]!.GetValue<double>());
        Assert.Null(n["inf"]);
        Assert.Equal("ab", n["multi"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\n  a: 1,\n  b: nope\n}", "line 3, column 6: unexpected word 'nope'")]
    [InlineData("{\n  a: 1\n  b: 2\n}", "line 3, column 3: expected ',' or '}'")]
    [InlineData("{ a: 'open", "line 1, column 6: unterminated string")]
    [InlineData("{ a: 1 } x", "line 1, column 10: unexpected 'x'")]
    [InlineData("{ a: 1, a: 2 }", "the property 'a' appears twice")]
    [InlineData("", "the file is empty")]
    [InlineData("{ /* never closed ", "unterminated /* comment")]
    [InlineData("[1,,2]", "line 1, column 4: unexpected ','")]
    public void Rejects_what_is_not_JSON5_naming_line_and_column(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => Json5Reader.Parse(text));
        Assert.Contains(expected, ex.Message);
    }
}

public class BrowserProxySettingsTests
{
    [Fact]
    public void Missing_file_means_enabled_with_every_profile()
    {
        using var dir = new TempDir();
        BrowserProxySettings s = BrowserProxySettings.Load(dir.Path);
        Assert.True(s.Enabled);
        Assert.Empty(s.AllowProfiles);
        Assert.Null(s.ExecutablePath);
        Assert.True(s.Headless);
    }

    [Fact]
    public void Reads_the_keys_of_the_official_config()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("openclaw.json"), "{ nodeHost: { browserProxy: { allowProfiles: ['work'] } }, browser: { enabled: false, executablePath: '/opt/x/chrome', headless: false, profiles: { work: {} } } }");
        BrowserProxySettings s = BrowserProxySettings.Load(dir.Path);
        Assert.True(s.ProxyEnabled);
        Assert.False(s.BrowserEnabled);
        Assert.False(s.Enabled);
        Assert.Equal(new[] { "work" }, s.AllowProfiles);
        Assert.Equal("/opt/x/chrome", s.ExecutablePath);
        Assert.False(s.Headless);
        Assert.Equal(new[] { "work" }, s.Profiles);
    }

    [Theory]
    [InlineData("{ nodeHost: { browserProxy: { enabled: 'no' } } }", "nodeHost.browserProxy.enabled must be true or false")]
    [InlineData("{ nodeHost: { browserProxy: { allowProfiles: 'work' } } }", "nodeHost.browserProxy.allowProfiles must be an array")]
    [InlineData("{ browser: [] }", "browser must be an object")]
    [InlineData("{\n nodeHost: {\n  browserProxy: { enabled: fals },\n },\n}", "is not valid JSON5 at line 3, column 28")]
    public void Bad_file_is_a_state_file_error_naming_the_problem(string text, string expected)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("openclaw.json"), text);
        var ex = Assert.Throws<StateFileException>(() => BrowserProxySettings.Load(dir.Path));
        Assert.Contains(expected, ex.Message);
        Assert.Contains("openclaw.json", ex.Message);
    }

    [Fact]
    public void Configured_browser_that_does_not_exist_is_reported()
    {
        Assert.Null(BrowserLocator.Find("/nonexistent/chrome", out string? error));
        Assert.Contains("/nonexistent/chrome", error);
    }
}

public class BrowserProxyCommandTests
{
    private static async Task<CommandResult> RunAsync(TempDir dir, string config, JsonObject p)
    {
        File.WriteAllText(dir.Combine("openclaw.json"), config);
        var feature = BrowserProxyFeature.Load(dir.Path);
        var cmd = new BrowserProxyCommand(dir.Path, feature);
        return await cmd.RunAsync(p, default);
    }

    [Fact]
    public async Task Disabled_by_config_is_unavailable_and_not_advertised()
    {
        using var dir = new TempDir();
        CommandResult r = await RunAsync(dir, "{ nodeHost: { browserProxy: { enabled: false } } }", new JsonObject { ["path"] = "/" });
        Assert.False(r.Ok);
        Assert.Equal("UNAVAILABLE", r.ErrorCode);
        Assert.Equal("UNAVAILABLE: node browser proxy disabled", r.ErrorMessage);
        var feature = BrowserProxyFeature.Load(dir.Path);
        Assert.False(feature.Advertised);
        Assert.Empty(feature.AddTo(Array.Empty<INodeCommand>()));
        Assert.DoesNotContain("browser", feature.AddCaps(new[] { "system" }));
    }

    [Fact]
    public async Task Missing_browser_status_route_says_so_and_other_routes_fail_clearly()
    {
        using var dir = new TempDir();
        const string config = "{ browser: { executablePath: '/nonexistent/chrome' } }";
        CommandResult status = await RunAsync(dir, config, new JsonObject { ["path"] = "/" });
        Assert.True(status.Ok);
        JsonNode result = JsonNode.Parse(status.PayloadJson!)!["result"]!;
        Assert.False(result.Bool("running"));
        Assert.Contains("/nonexistent/chrome", result.Str("detectError"));
        CommandResult open = await RunAsync(dir, config, new JsonObject { ["method"] = "POST", ["path"] = "/tabs/open", ["body"] = new JsonObject { ["url"] = "http://127.0.0.1/" } });
        Assert.Equal("UNAVAILABLE", open.ErrorCode);
        Assert.StartsWith("UNAVAILABLE: no browser available on this node: the configured browser.executablePath", open.ErrorMessage);
        Assert.False(BrowserProxyFeature.Load(dir.Path).Advertised);
    }

    [Theory]
    [InlineData("{}", "{\"path\":\"\"}", "INVALID_REQUEST: path required")]
    [InlineData("{}", "{\"path\":\"/\",\"method\":\"PUT\"}", "INVALID_REQUEST: method must be GET, POST, or DELETE")]
    [InlineData("{}", "{\"path\":\"/\",\"upload\":{}}", "INVALID_REQUEST: browser.proxy does not accept upload envelopes")]
    [InlineData("{}", "{\"path\":\"/profiles/create\",\"method\":\"POST\",\"body\":{\"name\":\"x\"}}", "INVALID_REQUEST: browser.proxy cannot mutate persistent browser profiles")]
    [InlineData("{}", "{\"path\":\"/profiles/work\",\"method\":\"DELETE\"}", "INVALID_REQUEST: browser.proxy cannot mutate persistent browser profiles")]
    [InlineData("{ nodeHost: { browserProxy: { allowProfiles: ['work'] } } }", "{\"path\":\"/\"}", "INVALID_REQUEST: browser profile not allowed")]
    [InlineData("{ nodeHost: { browserProxy: { allowProfiles: ['work'] } } }", "{\"path\":\"/snapshot\",\"query\":{\"profile\":\"openclaw\"}}", "INVALID_REQUEST: browser profile not allowed")]
    public async Task Refuses_bad_or_forbidden_requests_before_any_browser_work(string config, string paramsJson, string expected)
    {
        using var dir = new TempDir();
        CommandResult r = await RunAsync(dir, config, (JsonObject)JsonNode.Parse(paramsJson)!);
        Assert.False(r.Ok);
        Assert.Equal("INVALID_REQUEST", r.ErrorCode);
        Assert.Equal(expected, r.ErrorMessage);
    }
}
