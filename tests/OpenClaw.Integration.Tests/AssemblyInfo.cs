[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
