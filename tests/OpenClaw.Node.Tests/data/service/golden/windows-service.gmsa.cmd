rem OpenClaw Node Host as a boot-start Windows service. The token is in an ACL'd file, not here.
rem Each line is one program and its argv (CommandLineToArgvW quoting). Install-OpenClawNode runs them elevated WITHOUT a shell;
rem do not paste them into cmd.exe, which would treat %, &, < and > in values specially.
sc.exe create openclaw-node binPath= "\"C:\Program Files\OpenClaw\bin\win-x64\openclaw-node.exe\" run --host gw.example.com --port 18789 --tls --tls-fingerprint sha256:067ec7aa11bb22cc33dd44ee55ff66007788990011223344556677889900aabb --node-id node-1 --display-name \"Build \\\"Box\\\" 100% $HOME's <a&b> \ x\" --state-dir C:\ProgramData\OpenClaw\node --token-file C:\ProgramData\OpenClaw\node\gateway.token --windows-service" start= delayed-auto obj= CONTOSO\svc-openclaw$ DisplayName= "OpenClaw Node Host" password= ""
sc.exe description openclaw-node "Runs the OpenClaw node host (openclaw-node run) for the gateway. Installed by Install-OpenClawNode."
sc.exe failure openclaw-node reset= 86400 actions= restart/5000/restart/30000/restart/60000
sc.exe failureflag openclaw-node 1
sc.exe sidtype openclaw-node unrestricted
icacls.exe C:\ProgramData\OpenClaw\node /inheritance:r /grant:r CONTOSO\svc-openclaw$:(OI)(CI)F /grant:r *S-1-5-18:(OI)(CI)F /grant:r *S-1-5-32-544:(OI)(CI)F
reg.exe add "HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\OpenClaw Node" /v EventMessageFile /t REG_EXPAND_SZ /d %SystemRoot%\Microsoft.NET\Framework64\v4.0.30319\EventLogMessages.dll /f
reg.exe add "HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\OpenClaw Node" /v TypesSupported /t REG_DWORD /d 7 /f
rem Registry: HKLM\SYSTEM\CurrentControlSet\Services\openclaw-node
rem   Type         REG_DWORD     0x10 (own process)
rem   Start        REG_DWORD     0x2 (automatic), DelayedAutostart REG_DWORD 0x1
rem   ErrorControl REG_DWORD     0x1
rem   ImagePath    REG_EXPAND_SZ "C:\Program Files\OpenClaw\bin\win-x64\openclaw-node.exe" run --host gw.example.com --port 18789 --tls --tls-fingerprint sha256:067ec7aa11bb22cc33dd44ee55ff66007788990011223344556677889900aabb --node-id node-1 --display-name "Build \"Box\" 100% $HOME's <a&b> \ x" --state-dir C:\ProgramData\OpenClaw\node --token-file C:\ProgramData\OpenClaw\node\gateway.token --windows-service
rem   ObjectName   REG_SZ        CONTOSO\svc-openclaw$
rem   ServiceSidType REG_DWORD   0x1, FailureActionsOnNonCrashFailures REG_DWORD 0x1
