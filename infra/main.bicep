// aks-route-guard, once per subscription: a resource group with the Flex Consumption function app, its storage,
// monitoring, health alerts and identity; a least-privilege custom role at subscription scope; the subscription's
// Event Grid system topic (or an existing one) and the event subscription that feeds the Event Grid function.
//
// azd: `azd up` (see azure.yaml and infra/hooks/postdeploy.sh). Plain CLI: docs/deploy.md.

targetScope = 'subscription'

import { eventFunctionName } from 'modules/contract.bicep'

@minLength(1)
@maxLength(64)
@description('azd environment name; makes resource names unique and tags every resource.')
param environmentName string

@minLength(1)
@description('Region for the resource group and the function app (one that offers Flex Consumption).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group to create; default rg-<environmentName>.')
param resourceGroupName string = ''

@allowed(['enforce', 'report'])
@description('report: log and alert on drift, write nothing (read-only role). enforce: re-associate (adds the write actions to the role).')
param remediationMode string = 'report'

@description('NCRONTAB (six fields, UTC) for the drift sweep; bound by the timer trigger as %SWEEP_SCHEDULE%.')
param sweepSchedule string = '0 */5 * * * *'

@description('ISO-8601 duration after which a sweep starts no new write.')
param sweepTimeBudget string = 'PT4M'

@description('ISO-8601 duration (at most PT25S) within which the Event Grid function answers; the rest goes to the retry queue.')
param eventTimeBudget string = 'PT20S'

@description('Hours before an unresolved finding is alerted again.')
param alertRepeatHours string = '24'

@description('Strips of one subnet within recurrenceWindowDays that make its alert escalate ("fix the IaC").')
param recurrenceThreshold string = '3'

@description('Days over which the strips of one subnet are counted for recurrenceThreshold.')
param recurrenceWindowDays string = '7'

@description('Optional. Key Vault secret URI (https://<vault>.vault.azure.net/secrets/<name>) holding the Teams webhook URL. Empty: no Teams alerts.')
param teamsWebhookSecretUri string = ''

@description('Optional. Resource ID of the Key Vault (RBAC mode) that holds the secret, to grant the guard Key Vault Secrets User on it.')
param teamsWebhookKeyVaultId string = ''

@allowed(['', 'adaptive', 'messagecard'])
@description('Optional. Card format the Teams webhook accepts; empty: guessed from the URL.')
param teamsCardFormat string = ''

@description('Optional. Override of the Azure Resource Manager endpoint; empty: the cloud\'s own (normal in Azure).')
param resourceManagerEndpoint string = ''

@description('Create the event subscription. False on the first provision: it needs the function code deployed first (the azd postdeploy hook turns it on).')
param deployEventSubscription bool = false

@description('Optional. Name of the subscription\'s existing Microsoft.Resources.Subscriptions system topic (one is allowed per subscription). Empty: create one. It needs a system-assigned identity.')
param existingSystemTopicName string = ''

@description('Resource group of the existing system topic (with existingSystemTopicName).')
param existingSystemTopicResourceGroup string = ''

@minValue(1)
@maxValue(1000)
@description('Upper bound on Flex Consumption instances; the guard needs few.')
param maximumInstanceCount int = 40

@minValue(0)
@description('Always-ready instances for the Event Grid function (no cold start before a repair).')
param alwaysReadyInstances int = 1

@description('Optional. Email address the guard\'s health alerts go to (an action group is created for it). Empty: the alert rules are deployed but notify no one unless alertActionGroupId is set.')
param alertEmailAddress string = ''

@description('Optional. Resource ID of an existing action group for the guard\'s health alerts (takes precedence over alertEmailAddress).')
param alertActionGroupId string = ''

@description('How long without a successful drift sweep before the alert fires: three sweep schedule periods, ISO 8601. Change it with sweepSchedule (PT15M fits the default of every five minutes).')
param sweepMissingAlertWindow string = 'PT15M'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'aks-route-guard'
}
var useExistingTopic = !empty(existingSystemTopicName)
var deadLetterContainerName = 'deadletter'

// Microsoft.Resources/resourceGroups@2024-03-01:
// https://learn.microsoft.com/azure/templates/microsoft.resources/2024-03-01/resourcegroups
resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-aks-route-guard-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-aks-route-guard-${resourceToken}'
    applicationInsightsName: 'appi-aks-route-guard-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'starg${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package'
    deadLetterContainerName: deadLetterContainerName
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: 'func-aks-route-guard-${resourceToken}'
    planName: 'plan-aks-route-guard-${resourceToken}'
    location: location
    tags: tags
    serviceName: 'guard'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    identityPrincipalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    remediationMode: remediationMode
    sweepSchedule: sweepSchedule
    sweepTimeBudget: sweepTimeBudget
    eventTimeBudget: eventTimeBudget
    alertRepeatHours: alertRepeatHours
    recurrenceThreshold: recurrenceThreshold
    recurrenceWindowDays: recurrenceWindowDays
    teamsWebhookSecretUri: teamsWebhookSecretUri
    teamsCardFormat: teamsCardFormat
    resourceManagerEndpoint: resourceManagerEndpoint
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyInstances: alwaysReadyInstances
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: 'alert-aks-route-guard-${resourceToken}'
    location: location
    tags: tags
    workspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    alertEmailAddress: alertEmailAddress
    alertActionGroupId: alertActionGroupId
    sweepMissingWindow: sweepMissingAlertWindow
  }
}

module role 'modules/role.bicep' = {
  name: 'aks-route-guard-role'
  params: {
    remediationMode: remediationMode
    principalId: identity.outputs.principalId
  }
}

// The vault's subscription and resource group come from its ID; the fallbacks only keep the expression valid when
// no vault is given (the module is then not deployed).
var keyVaultIdParts = split(empty(teamsWebhookKeyVaultId) ? '/subscriptions/${subscription().subscriptionId}/resourceGroups/${rg.name}/x/x/x/x' : teamsWebhookKeyVaultId, '/')

module keyVaultAccess 'modules/keyvaultaccess.bicep' = if (!empty(teamsWebhookKeyVaultId)) {
  name: 'keyvault-access'
  scope: resourceGroup(keyVaultIdParts[2], keyVaultIdParts[4])
  params: {
    keyVaultName: last(keyVaultIdParts)
    principalId: identity.outputs.principalId
  }
}

module newTopic 'modules/systemtopic.bicep' = if (!useExistingTopic) {
  name: 'system-topic'
  scope: rg
  params: {
    name: 'evgt-aks-route-guard-${resourceToken}'
    tags: tags
  }
}

// Microsoft.EventGrid/systemTopics@2022-06-15:
// https://learn.microsoft.com/azure/templates/microsoft.eventgrid/2022-06-15/systemtopics
resource existingTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = if (useExistingTopic) {
  scope: resourceGroup(useExistingTopic ? existingSystemTopicResourceGroup : rg.name)
  name: existingSystemTopicName
}

var topicName = useExistingTopic ? existingSystemTopicName : newTopic!.outputs.name
var topicResourceGroup = useExistingTopic ? existingSystemTopicResourceGroup : rg.name
var topicPrincipalId = useExistingTopic ? existingTopic!.identity.principalId : newTopic!.outputs.principalId

module deadLetterAccess 'modules/deadletteraccess.bicep' = {
  name: 'deadletter-access'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    containerName: deadLetterContainerName
    principalId: topicPrincipalId
  }
}

module eventSubscription 'modules/eventsubscription.bicep' = if (deployEventSubscription) {
  name: 'event-subscription'
  scope: resourceGroup(topicResourceGroup)
  params: {
    systemTopicName: topicName
    functionAppId: functionApp.outputs.id
    deadLetterStorageAccountId: storage.outputs.id
    deadLetterContainerName: deadLetterContainerName
  }
  dependsOn: [
    deadLetterAccess
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_ID string = functionApp.outputs.id
output GUARD_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output GUARD_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output GUARD_ROLE_DEFINITION_ID string = role.outputs.roleDefinitionId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output SYSTEM_TOPIC_NAME string = topicName
output SYSTEM_TOPIC_RESOURCE_GROUP string = topicResourceGroup
output EVENT_SUBSCRIPTION_DEPLOYED bool = deployEventSubscription
output EVENT_FUNCTION_NAME string = eventFunctionName
output ALERT_ACTION_GROUP_IDS array = alerts.outputs.actionGroupIds
