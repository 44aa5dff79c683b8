# azd postdeploy hook (Windows): the same as postdeploy.sh. Creates the Event Grid event subscriptions (one per guarded
# subscription) once the function code is deployed, because Event Grid refuses a subscription to a function that does
# not exist yet.
$ErrorActionPreference = 'Stop'

if ($env:EVENT_SUBSCRIPTION_DEPLOYED -eq 'true') {
  Write-Host 'aks-route-guard: event subscription already deployed'
  exit 0
}
foreach ($name in 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'EVENT_FUNCTION_NAME') {
  if (-not [Environment]::GetEnvironmentVariable($name)) { throw "$name is not set: run azd provision first" }
}

if (Get-Command az -ErrorAction SilentlyContinue) {
  Write-Host "aks-route-guard: waiting for function $env:EVENT_FUNCTION_NAME on $env:AZURE_FUNCTION_APP_NAME"
  $listed = $false
  for ($i = 0; $i -lt 30 -and -not $listed; $i++) {
    az functionapp function show --resource-group $env:AZURE_RESOURCE_GROUP --name $env:AZURE_FUNCTION_APP_NAME `
      --function-name $env:EVENT_FUNCTION_NAME --output none 2>$null
    $listed = ($LASTEXITCODE -eq 0)
    if (-not $listed) { Start-Sleep -Seconds 10 }
  }
  if (-not $listed) {
    throw "$env:EVENT_FUNCTION_NAME is not listed after 5 minutes; check the deployment, then run: azd env set DEPLOY_EVENT_SUBSCRIPTION true; azd provision"
  }
} else {
  Write-Host 'aks-route-guard: Azure CLI not found; giving the Functions host 60 s to index the functions'
  Start-Sleep -Seconds 60
}

# $ErrorActionPreference does not stop on a native command's exit code, and a script run as `pwsh <file>` (as azd runs
# hooks) ends with exit code 0 unless it says otherwise: check each one, as `set -e` does in postdeploy.sh.
azd env set DEPLOY_EVENT_SUBSCRIPTION true
if ($LASTEXITCODE -ne 0) { throw "azd env set failed ($LASTEXITCODE)" }
azd provision --no-prompt
if ($LASTEXITCODE -ne 0) { throw "azd provision failed ($LASTEXITCODE): the event subscription is not deployed; run azd provision again" }
