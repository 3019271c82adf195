# Reads PowerShell scripts with PowerShell's own parser and prints, as one JSON line, what a static check needs:
# every command call (name, named parameters, splatted hashtable keys), every exit statement (line, and whether it
# sits inside a function or script block), member reads of variables assigned from a command, the script's param
# block and #Requires version. Run by IntuneScriptTests through openclaw-pshost; the scripts to read are in
# $env:OPENCLAW_USAGE_FILES, separated by the platform's path separator.
# Nothing is executed.
using namespace System.Management.Automation.Language

$ErrorActionPreference = 'Stop'
$Files = $env:OPENCLAW_USAGE_FILES -split [System.IO.Path]::PathSeparator
$report = foreach ($file in $Files) {
    $tokens = $null
    $errors = $null
    $ast = [Parser]::ParseFile($file, [ref]$tokens, [ref]$errors)

    # Keys of hashtables used for splatting: $x = @{ K = ... } plus later $x.K = ... assignments.
    $hashKeys = @{}
    $sources = @{}
    foreach ($a in $ast.FindAll({ param($n) $n -is [AssignmentStatementAst] }, $true)) {
        if ($a.Left -is [VariableExpressionAst]) {
            $name = $a.Left.VariablePath.UserPath
            if ($a.Right -is [CommandExpressionAst] -and $a.Right.Expression -is [HashtableAst]) {
                if (-not $hashKeys.ContainsKey($name)) { $hashKeys[$name] = New-Object System.Collections.Generic.List[string] }
                foreach ($pair in $a.Right.Expression.KeyValuePairs) { $hashKeys[$name].Add($pair.Item1.Value) }
            }
            if ($a.Right -is [PipelineAst] -and $a.Right.PipelineElements[0] -is [CommandAst]) {
                $sources[$name] = $a.Right.PipelineElements[0].GetCommandName()
            }
        }
        elseif ($a.Left -is [MemberExpressionAst] -and $a.Left.Expression -is [VariableExpressionAst] -and $a.Left.Member -is [StringConstantExpressionAst]) {
            $name = $a.Left.Expression.VariablePath.UserPath
            if (-not $hashKeys.ContainsKey($name)) { $hashKeys[$name] = New-Object System.Collections.Generic.List[string] }
            $hashKeys[$name].Add($a.Left.Member.Value)
        }
    }

    $commands = foreach ($c in $ast.FindAll({ param($n) $n -is [CommandAst] }, $true)) {
        $named = @($c.CommandElements | Where-Object { $_ -is [CommandParameterAst] } | ForEach-Object { $_.ParameterName })
        $splat = @($c.CommandElements | Where-Object { $_ -is [VariableExpressionAst] -and $_.Splatted } | ForEach-Object {
                $v = $_.VariablePath.UserPath
                if ($hashKeys.ContainsKey($v)) { $hashKeys[$v] } else { "<unknown splat @$v>" }
            })
        [pscustomobject]@{ Name = $c.GetCommandName(); Line = $c.Extent.StartLineNumber; Parameters = @($named + $splat) }
    }

    $exits = foreach ($e in $ast.FindAll({ param($n) $n -is [ExitStatementAst] }, $true)) {
        $nested = $false
        for ($p = $e.Parent; $null -ne $p; $p = $p.Parent) {
            if ($p -is [FunctionDefinitionAst] -or $p -is [ScriptBlockExpressionAst]) { $nested = $true }
        }
        [pscustomobject]@{ Line = $e.Extent.StartLineNumber; Nested = $nested }
    }

    $members = foreach ($m in $ast.FindAll({ param($n) $n -is [MemberExpressionAst] -and $n.Expression -is [VariableExpressionAst] -and $n.Member -is [StringConstantExpressionAst] }, $true)) {
        $v = $m.Expression.VariablePath.UserPath
        if ($sources.ContainsKey($v)) { [pscustomobject]@{ Variable = $v; Command = $sources[$v]; Member = $m.Member.Value; Line = $m.Extent.StartLineNumber } }
    }

    $parameters = @()
    if ($ast.ParamBlock) {
        $parameters = foreach ($p in $ast.ParamBlock.Parameters) {
            $mandatory = @($p.Attributes | Where-Object { $_ -is [AttributeAst] -and $_.TypeName.Name -eq 'Parameter' } |
                    ForEach-Object { $_.NamedArguments | Where-Object { $_.ArgumentName -eq 'Mandatory' } }).Count -gt 0
            [pscustomobject]@{ Name = $p.Name.VariablePath.UserPath; Mandatory = $mandatory }
        }
    }

    [pscustomobject]@{
        File            = $file
        ParseErrors     = @($errors | ForEach-Object { "$($_.Extent.StartLineNumber): $($_.Message)" })
        RequiredVersion = if ($ast.ScriptRequirements -and $ast.ScriptRequirements.RequiredPSVersion) { $ast.ScriptRequirements.RequiredPSVersion.ToString() } else { $null }
        HasCmdletBinding = [bool]($ast.ParamBlock -and ($ast.ParamBlock.Attributes | Where-Object { $_.TypeName.Name -eq 'CmdletBinding' }))
        Parameters      = @($parameters)
        Commands        = @($commands)
        Exits           = @($exits)
        Members         = @($members)
    }
}
ConvertTo-Json -InputObject @($report) -Depth 6 -Compress
