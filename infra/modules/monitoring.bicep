// Log Analytics workspace and workspace-based Application Insights. Local (instrumentation key) auth is off: the
// Functions host sends telemetry with the guard's identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING) and the
// Monitoring Metrics Publisher role assigned in functionapp.bicep.

param logAnalyticsName string
param applicationInsightsName string
param location string
param tags object

// Microsoft.OperationalInsights/workspaces@2023-09-01:
// https://learn.microsoft.com/azure/templates/microsoft.operationalinsights/2023-09-01/workspaces
resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

// Microsoft.Insights/components@2020-02-02:
// https://learn.microsoft.com/azure/templates/microsoft.insights/2020-02-02/components
resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

output applicationInsightsName string = appInsights.name
output applicationInsightsId string = appInsights.id
output logAnalyticsWorkspaceName string = workspace.name
