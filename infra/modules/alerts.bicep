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

import { sweepSucceededQuery, failedQuery } from 'contract.bicep'

param namePrefix string
param location string
param tags object
@description('Resource ID of the Log Analytics workspace that holds the guard\'s Application Insights data (AppTraces).')
param workspaceId string
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
  properties: {
    displayName: 'aks-route-guard: no successful drift sweep'
    description: 'No DriftSweep has finished without error for three schedule periods: the guard is not guarding. Check the function app (deployment, storage, identity and its role). docs/deploy.md, "Verify the guard is alive".'
    severity: 1
    enabled: true
    evaluationFrequency: 'PT5M'
    windowSize: sweepMissingWindow
    scopes: [
      workspaceId
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
  properties: {
    displayName: 'aks-route-guard: failed outcome'
    description: 'The guard could not read or repair a subnet, a sweep could not list the subscription, work was dropped as unreadable, or a Teams alert was not delivered. The log line says why and what to do (e.g. the permission to grant).'
    severity: 2
    enabled: true
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      workspaceId
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
