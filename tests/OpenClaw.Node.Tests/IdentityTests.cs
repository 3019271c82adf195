using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using OpenClaw.Node.Identity;
using OpenClaw.Node.Internal;
using Xunit;

namespace OpenClaw.Node.Tests;

public class IdentityTests
{
    private static JsonObject Vectors() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(System.AppContext.BaseDirectory, "data", "signature-test-vectors.json")))!;

    /// <summary>The spec vector's PKCS#8 private key as PEM, armoured here from its DER (no key text is committed).</summary>
    private static string PrivateKeyPem(JsonObject v) =>
        "-----BEGIN PRIVATE KEY-----\n" + Convert.ToBase64String(Hex.Parse(v.Str("privateKeyPkcs8DerHex (PEM body of the PKCS#8 private key)")!)) + "\n-----END PRIVATE KEY-----\n";

    [Fact]
    public void Seed_reproduces_the_spec_keys_device_id_and_pems()
    {
        JsonObject v = Vectors();
        var id = DeviceIdentity.FromSeed(Hex.Parse(v.Str("privateKeySeedHex")!), 0);
        Assert.Equal(v.Str("publicKeyRawHex"), Hex.Lower(id.PublicKeyRaw));
        Assert.Equal(v.Str("device.publicKey (raw, base64url, no padding)"), id.PublicKeyBase64Url);
        Assert.Equal(v.Str("device.id (sha256 hex of raw public key)"), id.DeviceId);
        Assert.Equal(PrivateKeyPem(v), id.PrivateKeyPkcs8Pem);
        Assert.Equal(v.Str("publicKeySpkiPem"), id.PublicKeySpkiPem);
    }

    [Fact]
    public void Pkcs8_pem_round_trips_to_the_same_identity()
    {
        JsonObject v = Vectors();
        var id = DeviceIdentity.FromPkcs8Pem(PrivateKeyPem(v), 0);
        Assert.Equal(v.Str("device.id (sha256 hex of raw public key)"), id.DeviceId);
        Assert.Equal(Hex.Parse(v.Str("publicKeyRawHex")!), DeviceIdentity.PublicKeyFromSpkiPem(v.Str("publicKeySpkiPem")!));
    }

    [Fact]
    public void Every_vector_payload_and_signature_is_reproduced_exactly()
    {
        JsonObject v = Vectors();
        var id = DeviceIdentity.FromSeed(Hex.Parse(v.Str("privateKeySeedHex")!), 0);
        JsonArray vectors = v.Arr("vectors")!;
        Assert.NotEmpty(vectors);
        foreach (JsonNode? vec in vectors)
        {
            JsonObject inputs = vec.Obj("inputs")!;
            string expected = vec.Str("payload")!;
            var scopes = inputs.StrArray("scopes")!;
            string payload = expected.StartsWith("v3|")
                ? SignaturePayload.V3(inputs.Str("deviceId")!, inputs.Str("clientId")!, inputs.Str("clientMode")!, inputs.Str("role")!, scopes,
                    inputs.Long("signedAtMs")!.Value, inputs.Str("token"), inputs.Str("nonce")!, inputs.Str("platform"), inputs.Str("deviceFamily"))
                : SignaturePayload.V2(inputs.Str("deviceId")!, inputs.Str("clientId")!, inputs.Str("clientMode")!, inputs.Str("role")!, scopes,
                    inputs.Long("signedAtMs")!.Value, inputs.Str("token"), inputs.Str("nonce")!);
            Assert.Equal(expected, payload);
            Assert.Equal(vec.Str("signatureBase64Url"), id.Sign(payload));
            Assert.True(DeviceIdentity.Verify(id.PublicKeyRaw, payload, id.Sign(payload)));
        }
    }

    [Fact]
    public void A_signature_does_not_verify_for_a_changed_payload()
    {
        var id = DeviceIdentity.Generate();
        string sig = id.Sign("v3|a|b");
        Assert.False(DeviceIdentity.Verify(id.PublicKeyRaw, "v3|a|c", sig));
    }

    [Fact]
    public void Normalise_lowercases_ascii_only_and_trims()
    {
        Assert.Equal("linux", SignaturePayload.Normalise(" Linux "));
        Assert.Equal("mac", SignaturePayload.Normalise("Mac"));
        Assert.Equal("Äbc", SignaturePayload.Normalise("ÄBC"));
        Assert.Equal(string.Empty, SignaturePayload.Normalise(null));
    }

    [Fact]
    public void Generated_identities_differ_and_have_hex_ids()
    {
        var a = DeviceIdentity.Generate();
        var b = DeviceIdentity.Generate();
        Assert.NotEqual(a.DeviceId, b.DeviceId);
        Assert.Equal(64, a.DeviceId.Length);
        Assert.True(a.DeviceId.All(c => "0123456789abcdef".Contains(c)));
        Assert.Equal(43, a.PublicKeyBase64Url.Length);
        Assert.Equal(86, a.Sign("x").Length);
    }
}
