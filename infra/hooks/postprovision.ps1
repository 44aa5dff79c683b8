# azd postprovision hook (Windows): the same as postprovision.sh. A guard of a management group gets its custom role
# at the group, from infra/managementgroup.bicep: a subscription deployment (infra/main.bicep) cannot write there.
$ErrorActionPreference = 'Stop'

if (-not $env:GUARD_MANAGEMENT_GROUP_ID) {
  exit 0
}
foreach ($name in 'GUARD_IDENTITY_PRINCIPAL_ID', 'AZURE_LOCATION') {
  if (-not [Environment]::GetEnvironmentVariable($name)) { throw "$name is not set: run azd provision first" }
}
if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
  throw "the Azure CLI is needed to give the guard its role at management group $env:GUARD_MANAGEMENT_GROUP_ID (docs/deploy.md, 'Many subscriptions'); install it, sign in with az login, and run azd provision again"
}

$mode = if ($env:GUARD_REMEDIATION_MODE) { $env:GUARD_REMEDIATION_MODE } else { 'report' }
Write-Host "aks-route-guard: defining and assigning the guard's role at management group $env:GUARD_MANAGEMENT_GROUP_ID"
az deployment mg create --name aks-route-guard-role --management-group-id $env:GUARD_MANAGEMENT_GROUP_ID `
  --location $env:AZURE_LOCATION --template-file infra/managementgroup.bicep `
  --parameters principalId=$env:GUARD_IDENTITY_PRINCIPAL_ID remediationMode=$mode --output none
if ($LASTEXITCODE -ne 0) { throw "az deployment mg create failed ($LASTEXITCODE)" }
