using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using OpenClaw.Node.Internal;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Utilities.IO.Pem;

namespace OpenClaw.Node.Identity;

/// <summary>
/// A device's Ed25519 key pair (RFC 8032, pure Ed25519) and the identifiers the gateway derives from it (spec §4.5):
/// the device id is the lowercase hex SHA-256 of the raw 32-byte public key, the public key travels as raw base64url.
/// </summary>
public sealed class DeviceIdentity
{
    private readonly Ed25519PrivateKeyParameters _private;

    private DeviceIdentity(Ed25519PrivateKeyParameters key, long createdAtMs)
    {
        _private = key;
        PublicKeyRaw = key.GeneratePublicKey().GetEncoded();
        DeviceId = Hex.Sha256(PublicKeyRaw);
        CreatedAtMs = createdAtMs;
    }

    /// <summary>64 lowercase hex characters: SHA-256 of <see cref="PublicKeyRaw"/>. The gateway's node id.</summary>
    public string DeviceId { get; }

    /// <summary>The raw 32-byte Ed25519 public key.</summary>
    public byte[] PublicKeyRaw { get; }

    /// <summary>The public key as the <c>device.publicKey</c> field sends it: base64url without padding (43 characters).</summary>
    public string PublicKeyBase64Url => Base64Url.Encode(PublicKeyRaw);

    /// <summary>When the key pair was created, in Unix milliseconds.</summary>
    public long CreatedAtMs { get; }

    /// <summary>Creates a new random identity.</summary>
    public static DeviceIdentity Generate()
    {
        var seed = new byte[32];
        using (var rng = RandomNumberGenerator.Create()) { rng.GetBytes(seed); }
        return FromSeed(seed, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    /// <summary>Builds an identity from a 32-byte private seed.</summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public static DeviceIdentity FromSeed(byte[] seed, long createdAtMs)
    {
        if (seed.Length != 32) { throw new ArgumentException("An Ed25519 private seed is 32 bytes.", nameof(seed)); }
        return new DeviceIdentity(new Ed25519PrivateKeyParameters(seed, 0), createdAtMs);
    }

    /// <summary>Builds an identity from a PKCS#8 PEM private key (<c>-----BEGIN PRIVATE KEY-----</c>).</summary>
    /// <exception cref="FormatException">The text is not an Ed25519 PKCS#8 PEM key.</exception>
    public static DeviceIdentity FromPkcs8Pem(string pem, long createdAtMs)
    {
        try
        {
            using var reader = new StringReader(pem);
            PemObject? obj = new PemReader(reader).ReadPemObject();
            if (obj is null || obj.Type != "PRIVATE KEY") { throw new FormatException("Expected a PEM block of type PRIVATE KEY."); }
            byte[] raw = Pkcs8.ReadEd25519PrivateKey(obj.Content);
            return new DeviceIdentity(new Ed25519PrivateKeyParameters(raw, 0), createdAtMs);
        }
        catch (Exception ex) when (ex is not FormatException)
        {
            throw new FormatException("The private key PEM could not be parsed: " + ex.Message, ex);
        }
    }

    /// <summary>The private key as canonical PKCS#8 PEM (64-character lines, trailing newline).</summary>
    public string PrivateKeyPkcs8Pem =>
        // PKCS#8 v1 (no embedded public key), the form OpenClaw and OpenSSL write for Ed25519.
        ToPem("PRIVATE KEY", Pkcs8.WriteEd25519PrivateKey(_private.GetEncoded()));

    /// <summary>The public key as canonical SPKI PEM (64-character lines, trailing newline).</summary>
    public string PublicKeySpkiPem =>
        ToPem("PUBLIC KEY", Pkcs8.WriteEd25519PublicKey(PublicKeyRaw));

    /// <summary>Reads the raw 32-byte key out of an SPKI PEM public key.</summary>
    /// <exception cref="FormatException">The text is not an Ed25519 SPKI PEM key.</exception>
    public static byte[] PublicKeyFromSpkiPem(string pem)
    {
        try
        {
            using var reader = new StringReader(pem);
            PemObject? obj = new PemReader(reader).ReadPemObject();
            if (obj is null || obj.Type != "PUBLIC KEY") { throw new FormatException("Expected a PEM block of type PUBLIC KEY."); }
            return Pkcs8.ReadEd25519PublicKey(obj.Content);
        }
        catch (Exception ex) when (ex is not FormatException)
        {
            throw new FormatException("The public key PEM could not be parsed: " + ex.Message, ex);
        }
    }

    /// <summary>Signs the UTF-8 bytes of <paramref name="payload"/>; returns the 64-byte signature as base64url (86 characters).</summary>
    public string Sign(string payload)
    {
        byte[] data = Encoding.UTF8.GetBytes(payload);
        var signer = new Ed25519Signer();
        signer.Init(true, _private);
        signer.BlockUpdate(data, 0, data.Length);
        return Base64Url.Encode(signer.GenerateSignature());
    }

    /// <summary>Verifies a base64url signature of <paramref name="payload"/> against a raw public key.</summary>
    public static bool Verify(byte[] publicKeyRaw, string payload, string signatureBase64Url)
    {
        byte[] data = Encoding.UTF8.GetBytes(payload);
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(publicKeyRaw, 0));
        verifier.BlockUpdate(data, 0, data.Length);
        return verifier.VerifySignature(Base64Url.Decode(signatureBase64Url));
    }

    private static string ToPem(string type, byte[] der)
    {
        using var sw = new StringWriter { NewLine = "\n" };
        var writer = new PemWriter(sw);
        writer.WriteObject(new PemObject(type, der));
        return sw.ToString().Replace("\r\n", "\n");
    }
}
