using System;
#if NET
using System.Formats.Asn1;
#else
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
#endif

namespace OpenClaw.Node.Identity;

/// <summary>
/// DER encodings of Ed25519 keys (RFC 8410): PKCS#8 <c>PrivateKeyInfo</c> (v1, or v2 with the public key, read; v1
/// written) and X.509 <c>SubjectPublicKeyInfo</c>. On .NET this uses System.Formats.Asn1, because BouncyCastle's ASN.1
/// classes start its <c>BigInteger</c>, whose static constructor reaches an algorithm registry that is not AOT-safe
/// (Enum.GetValues(Type)); on netstandard2.0 (the PowerShell module) BouncyCastle's ASN.1 classes do it.
/// </summary>
internal static class Pkcs8
{
    private const string Ed25519Oid = "1.3.101.112";
    private const int KeySize = 32;

    /// <summary>The 32-byte private seed out of a PKCS#8 DER structure.</summary>
    /// <exception cref="FormatException">The structure is not an Ed25519 private key.</exception>
    public static byte[] ReadEd25519PrivateKey(byte[] der)
    {
#if NET
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        AsnReader info = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        info.ReadInteger();
        AsnReader alg = info.ReadSequence();
        if (alg.ReadObjectIdentifier() != Ed25519Oid) { throw new FormatException("The private key is not an Ed25519 key."); }
        byte[] raw = new AsnReader(info.ReadOctetString(), AsnEncodingRules.DER).ReadOctetString();
#else
        PrivateKeyInfo info = PrivateKeyInfo.GetInstance(der);
        if (!EdECObjectIdentifiers.id_Ed25519.Equals(info.PrivateKeyAlgorithm.Algorithm)) { throw new FormatException("The private key is not an Ed25519 key."); }
        byte[] raw = Asn1OctetString.GetInstance(info.ParsePrivateKey()).GetOctets();
#endif
        if (raw.Length != KeySize) { throw new FormatException($"The Ed25519 private key is {raw.Length} bytes, not {KeySize}."); }
        return raw;
    }

    /// <summary>The 32-byte public key out of a SubjectPublicKeyInfo DER structure.</summary>
    /// <exception cref="FormatException">The structure is not an Ed25519 public key.</exception>
    public static byte[] ReadEd25519PublicKey(byte[] der)
    {
#if NET
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        AsnReader spki = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        AsnReader alg = spki.ReadSequence();
        if (alg.ReadObjectIdentifier() != Ed25519Oid) { throw new FormatException("The public key is not an Ed25519 key."); }
        byte[] raw = spki.ReadBitString(out _);
#else
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.GetInstance(der);
        if (!EdECObjectIdentifiers.id_Ed25519.Equals(spki.AlgorithmID.Algorithm)) { throw new FormatException("The public key is not an Ed25519 key."); }
        byte[] raw = spki.PublicKeyData.GetOctets();
#endif
        if (raw.Length != KeySize) { throw new FormatException($"The Ed25519 public key is {raw.Length} bytes, not {KeySize}."); }
        return raw;
    }

    /// <summary>PKCS#8 v1 DER of a 32-byte seed (no embedded public key: the form OpenClaw and OpenSSL write).</summary>
    public static byte[] WriteEd25519PrivateKey(byte[] seed)
    {
#if NET
        var inner = new AsnWriter(AsnEncodingRules.DER);
        inner.WriteOctetString(seed);
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteInteger(0);
            using (w.PushSequence()) { w.WriteObjectIdentifier(Ed25519Oid); }
            w.WriteOctetString(inner.Encode());
        }
        return w.Encode();
#else
        return new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), new DerOctetString(seed)).GetDerEncoded();
#endif
    }

    /// <summary>SubjectPublicKeyInfo DER of a 32-byte public key.</summary>
    public static byte[] WriteEd25519PublicKey(byte[] publicKey)
    {
#if NET
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            using (w.PushSequence()) { w.WriteObjectIdentifier(Ed25519Oid); }
            w.WriteBitString(publicKey);
        }
        return w.Encode();
#else
        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), publicKey).GetDerEncoded();
#endif
    }
}
