// The guard says when it stops guarding. A guard that dies quietly brings back the very failure it exists to prevent
// (its identity loses its role, its storage connection breaks, its code fails to deploy, or the sweep throws every
// time), so three Azure Monitor alert rules watch it, always deployed:
// - no successful DriftSweep for three schedule periods (log search alert on the sweep's summary line);
// - any failed outcome (log search alert on the `failed ` lines and on a sweep that could not list the subscription);
// - failed function executions (metric alert on Application Insights' requests/failed: one request per invocation).
// They notify an action group: an existing one (alertActionGroupId), or one this module creates for an email address
// (alertEmailAddress). With neither, the rules still fire and show in Azure Monitor > Alerts, but notify no one: a
// deliberate default, because the deployment cannot guess who should be woken (docs/deploy.md, "Alerts").
// The queries and the log lines they read: infra/modules/contract.bicep and docs/deploy.md.
// Each log search alert rule runs its query as its own system-assigned identity, with Reader on the workspace it
// queries. Without an identity a rule's permissions are those of the last user to edit it, as of that edit; a
// system-assigned identity starts with no permissions and is granted its role after the rule is created
// (https://learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-log-alert-rule#managed-id; docs/deploy.md,
// "Alerts"). The identities need nothing on the action groups: they only run the query.

import { sweepSucceededQuery, failedQuery } from 'contract.bicep'

param namePrefix string
param location string
param tags object
@description('Name of the Log Analytics workspace (in this resource group) that holds the guard\'s Application Insights data (AppTraces).')
param workspaceName string
@description('Resource ID of the guard\'s (workspace-based) Application Insights.')
param applicationInsightsId string
@description('Optional. Email address the alerts go to, through an action group created here. Empty: none.')
param alertEmailAddress string
@description('Optional. Resource ID of an existing action group to notify instead. Empty: none.')
param alertActionGroupId string
@description('Three sweep schedule periods, ISO 8601 (PT15M for the default schedule of every five minutes).')
param sweepMissingWindow string

var createActionGroup = empty(alertActionGroupId) && !empty(alertEmailAddress)
var createdActionGroupId = resourceId('Microsoft.Insights/actionGroups', '${namePrefix}-ag')
var actionGroupIds = !empty(alertActionGroupId) ? [alertActionGroupId] : (createActionGroup ? [createdActionGroupId] : [])
// Built-in Reader: "a reader role for all workspaces that the query accesses" (Learn, above); its */read includes
// Microsoft.OperationalInsights/workspaces/query/read, which a workspace-context query needs
// (https://learn.microsoft.com/azure/azure-monitor/logs/manage-access).
var reader = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'

// Microsoft.OperationalInsights/workspaces@2023-09-01:
// https://learn.microsoft.com/azure/templates/microsoft.operationalinsights/2023-09-01/workspaces
resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

// Microsoft.Insights/actionGroups@2023-01-01:
// https://learn.microsoft.com/azure/templates/microsoft.insights/2023-01-01/actiongroups
resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (createActionGroup) {
  name: '${namePrefix}-ag'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'routeguard'
    enabled: true
    emailReceivers: [
      {
        name: 'route-guard-owner'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

// Microsoft.Insights/scheduledQueryRules@2023-12-01:
// https://learn.microsoft.com/azure/templates/microsoft.insights/2023-12-01/scheduledqueryrules
resource sweepMissing 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-sweep-missing'
  location: location
  tags: tags
  kind: 'LogAlert'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    displayName: 'aks-route-guard: no successful drift sweep'
    description: 'No DriftSweep has finished without error for three schedule periods: the guard is not guarding. Check the function app (deployment, storage, identity and its role). docs/deploy.md, "Verify the guard is alive".'
    severity: 1
    enabled: true
    evaluationFrequency: 'PT5M'
    windowSize: sweepMissingWindow
    scopes: [
      workspace.id
    ]
    criteria: {
      allOf: [
        {
          query: sweepSucceededQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'SucceededSweeps'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    // A new workspace has no AppTraces rows until the first telemetry arrives; validation would reject the query.
    skipQueryValidation: true
    autoMitigate: true
    actions: {
      actionGroups: actionGroupIds
    }
  }
  dependsOn: [
    actionGroup
  ]
}

// Microsoft.Insights/scheduledQueryRules@2023-12-01 (same page as above).
resource failed 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-failed'
  location: location
  tags: tags
  kind: 'LogAlert'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    displayName: 'aks-route-guard: failed outcome'
    description: 'The guard could not read or repair a subnet, a sweep could not list the subscription, work was dropped as unreadable, or a Teams alert was not delivered. The log line says why and what to do (e.g. the permission to grant).'
    severity: 2
    enabled: true
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      workspace.id
    ]
    criteria: {
      allOf: [
        {
          query: failedQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    skipQueryValidation: true
    autoMitigate: true
    actions: {
      actionGroups: actionGroupIds
    }
  }
  dependsOn: [
    actionGroup
  ]
}

// The rules' identities read the workspace they query, and nothing else. A system-assigned identity exists only once
// its rule does, so each assignment follows its rule; until it takes effect the rule's evaluations fail
// ("Unauthorized to run query" in the rule's Resource health:
// https://learn.microsoft.com/azure/azure-monitor/alerts/log-alert-rule-health).
// Microsoft.Authorization/roleAssignments@2022-04-01:
// https://learn.microsoft.com/azure/templates/microsoft.authorization/2022-04-01/roleassignments
resource sweepMissingReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, sweepMissing.id, reader)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', reader)
    principalId: sweepMissing.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Microsoft.Authorization/roleAssignments@2022-04-01 (same page as above).
resource failedReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, failed.id, reader)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', reader)
    principalId: failed.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Microsoft.Insights/metricAlerts@2018-03-01:
// https://learn.microsoft.com/azure/templates/microsoft.insights/2018-03-01/metricalerts
resource failedExecutions 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-failed-executions'
  location: 'global'
  tags: tags
  properties: {
    description: 'A function invocation failed (threw): Event Grid redelivers the event, but repeated failures mean the guard is not repairing. Flex Consumption has no failure metric of its own; this is Application Insights\' requests/failed.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'failed-executions'
          metricNamespace: 'microsoft.insights/components'
          metricName: 'requests/failed'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
    autoMitigate: true
    actions: [for id in actionGroupIds: {
      actionGroupId: id
    }]
  }
  dependsOn: [
    actionGroup
  ]
}

output actionGroupIds array = actionGroupIds
