// The Flex Consumption plan and the Linux Java 17 function app, its app settings, and the data-plane roles its
// identity needs on its own storage account and Application Insights.
//
// App settings come in five groups (the consistency test reads them by these names):
// - guardScopeSettings: what the guard guards, exactly one of three settings, the one scopeMode selects;
// - guardSettings: read by the guard's code, always set (dev.aksrouteguard.config.Settings.NAMES);
// - guardOptionalSettings: read by the guard's code, set only when their parameter is not empty;
// - hostSettings: read by the Functions host only, never by the guard's code;
// - storageByAccountName or storageByServiceUris: where the identity-based AzureWebJobsStorage connection points,
//   whichever hostDerivesStorageEndpoints picks (read by the host, its queue triggers and the guard's code).
// Flex Consumption sets the runtime in functionAppConfig; FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION
// and the WEBSITE_* content settings must not be set:
// https://learn.microsoft.com/azure/azure-functions/functions-app-settings

import { eventFunctionName, guardQueues } from 'contract.bicep'

param name string
param planName string
param location string
param tags object
@description('The azd service name in azure.yaml; azd deploy finds the app by this tag.')
param serviceName string
param identityId string
param identityClientId string
param identityPrincipalId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string

@allowed(['enforce', 'report'])
param remediationMode string
@allowed(['subscription', 'subscriptions', 'managementGroup'])
@description('What the guard guards (main.bicep\'s scopeMode): this subscription, a list, or a management group.')
param scopeMode string
@description('With scopeMode subscriptions: the guarded subscriptions\' IDs, comma-separated.')
param guardedSubscriptionIds string
@description('With scopeMode managementGroup: the management group\'s ID.')
param managementGroupId string
param sweepSchedule string
param sweepTimeBudget string
param eventTimeBudget string
param alertRepeatHours string
param recurrenceThreshold string
param recurrenceWindowDays string
param teamsWebhookSecretUri string
param teamsCardFormat string
param resourceManagerEndpoint string

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int
@minValue(0)
param alwaysReadyInstances int

// Built-in role IDs: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // host leases (timer), deployment package
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // the guard's alert memory
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb' // telemetry with Entra ID auth
// The retry and alert queues, each queue alone: the host's queue triggers get, delete and update messages (a failed
// one goes back with visibilityTimeout) and move poison messages; the guard sends. Only this built-in role has the
// update (queues/messages/write). docs/deploy.md, "The queues".
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'

// Microsoft.Storage/storageAccounts@2023-05-01:
// https://learn.microsoft.com/azure/templates/microsoft.storage/2023-05-01/storageaccounts
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

// Microsoft.Storage/storageAccounts/queueServices@2023-05-01:
// https://learn.microsoft.com/azure/templates/microsoft.storage/2023-05-01/storageaccounts/queueservices
resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

// Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01 (created by storage.bicep):
// https://learn.microsoft.com/azure/templates/microsoft.storage/2023-05-01/storageaccounts/queueservices/queues
resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = [for queueName in guardQueues: {
  parent: queueService
  name: queueName
}]

// Microsoft.Insights/components@2020-02-02:
// https://learn.microsoft.com/azure/templates/microsoft.insights/2020-02-02/components
resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Exactly one of the three settings the code reads for what it guards (dev.aksrouteguard.config.Settings fails on none,
// or more than one): the one scopeMode selects. The other two are empty and left out, as the optional settings are.
var guardScopeSettings = {
  AZURE_SUBSCRIPTION_ID: scopeMode == 'subscription' ? subscription().subscriptionId : ''
  AZURE_SUBSCRIPTION_IDS: scopeMode == 'subscriptions' ? guardedSubscriptionIds : ''
  AZURE_MANAGEMENT_GROUP_ID: scopeMode == 'managementGroup' ? managementGroupId : ''
}

var guardSettings = {
  // The cloud this deployment runs in: AzureCloud, AzureChinaCloud or AzureUSGovernment, the values
  // dev.aksrouteguard.config.AzureCloud accepts (it picks the ARM, sign-in and portal endpoints from it).
  AZURE_CLOUD: environment().name
  REMEDIATION_MODE: remediationMode
  AZURE_CLIENT_ID: identityClientId
  // Always set: the timer trigger binds its schedule with %SWEEP_SCHEDULE%, and the host fails to index the
  // function when the setting is missing.
  SWEEP_SCHEDULE: sweepSchedule
  SWEEP_TIME_BUDGET: sweepTimeBudget
  EVENT_TIME_BUDGET: eventTimeBudget
  ALERT_REPEAT_HOURS: alertRepeatHours
  RECURRENCE_THRESHOLD: recurrenceThreshold
  RECURRENCE_WINDOW_DAYS: recurrenceWindowDays
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
}

// Where the identity-based AzureWebJobsStorage connection points. __accountName works only where the endpoints made
// from it are the account's own: the Functions host makes https://<account>.blob|table.core.windows.net from it
// (azure-functions-host src/WebJobs.Script/StorageProvider/StorageServiceUriOptions.cs), and so do the Storage queue
// and table extensions for queue and table (azure-sdk-for-net
// sdk/extensions/Microsoft.Azure.WebJobs.Extensions.Clients/src/Shared/StorageClientProvider.cs): global Azure with
// standard DNS, as Learn says ("This doesn't work when the storage account is in a sovereign cloud or has a custom
// DNS": https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity).
// There the settings stay exactly what they always were. Anywhere else (Azure China, Azure US Government) the app
// gets the account's own blob, queue and table endpoints as the __blobServiceUri / __queueServiceUri /
// __tableServiceUri that page documents, and no __accountName: the queue extension took __accountName before
// __queueServiceUri until Azure/azure-sdk-for-net#58661 (April 2026), so with both an older one polls core.windows.net
// (Azure/azure-webjobs-sdk#3132; hashicorp/terraform-provider-azurerm#32062).
var hostDerivesStorageEndpoints = storage.properties.primaryEndpoints.blob == 'https://${storage.name}.blob.core.windows.net/' && storage.properties.primaryEndpoints.queue == 'https://${storage.name}.queue.core.windows.net/' && storage.properties.primaryEndpoints.table == 'https://${storage.name}.table.core.windows.net/'

var storageByAccountName = {
  AzureWebJobsStorage__accountName: storage.name
}

var storageByServiceUris = {
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
}

// Set only when not empty: an empty value would still be an app setting (the code treats blank as absent, but
// the portal and `az functionapp config appsettings list` would show a setting that means nothing).
var guardOptionalSettings = {
  AZURE_RESOURCE_MANAGER_ENDPOINT: resourceManagerEndpoint
  TEAMS_WEBHOOK_URL: empty(teamsWebhookSecretUri) ? '' : '@Microsoft.KeyVault(SecretUri=${teamsWebhookSecretUri})'
  TEAMS_CARD_FORMAT: teamsCardFormat
}

var hostSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

var appSettings = union(
  hostSettings,
  toObject(filter(items(guardScopeSettings), s => !empty(s.value)), s => s.key, s => s.value),
  guardSettings,
  hostDerivesStorageEndpoints ? storageByAccountName : storageByServiceUris,
  toObject(filter(items(guardOptionalSettings), s => !empty(s.value)), s => s.key, s => s.value)
)

// Microsoft.Web/serverfarms@2024-04-01:
// https://learn.microsoft.com/azure/templates/microsoft.web/2024-04-01/serverfarms
resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

// Microsoft.Web/sites@2024-04-01 (functionAppConfig is the Flex Consumption configuration):
// https://learn.microsoft.com/azure/templates/microsoft.web/2024-04-01/sites
resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references (TEAMS_WEBHOOK_URL) resolve with the user-assigned identity, not a system one.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: 2048
        // A warm instance for the event function, so a repair does not wait for a cold start. A single function
        // is named `function:<FunctionName>`: https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#always-ready-instances
        alwaysReady: [
          {
            name: 'function:${eventFunctionName}'
            instanceCount: alwaysReadyInstances
          }
        ]
      }
      runtime: {
        name: 'java'
        version: '17'
      }
    }
  }
}

// Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01 ('scm': basic-auth publishing; code is deployed
// with Entra ID, so publishing credentials stay off):
// https://learn.microsoft.com/azure/templates/microsoft.web/2024-04-01/sites/basicpublishingcredentialspolicies-scm
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// Microsoft.Web/sites/config@2024-04-01 ('appsettings' replaces all app settings with exactly these):
// https://learn.microsoft.com/azure/templates/microsoft.web/2024-04-01/sites/config-appsettings
resource siteAppSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
  dependsOn: [
    blobOwner
    tableContributor
    queueContributor
    metricsPublisher
  ]
}

// Microsoft.Authorization/roleAssignments@2022-04-01:
// https://learn.microsoft.com/azure/templates/microsoft.authorization/2022-04-01/roleassignments
resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Microsoft.Authorization/roleAssignments@2022-04-01 (same page as above).
resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Microsoft.Authorization/roleAssignments@2022-04-01 (same page as above), one per queue.
resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (queueName, i) in guardQueues: {
  name: guid(queues[i].id, identityPrincipalId, storageQueueDataContributor)
  scope: queues[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

// Microsoft.Authorization/roleAssignments@2022-04-01 (same page as above).
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identityPrincipalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = site.name
output id string = site.id
output defaultHostName string = site.properties.defaultHostName
