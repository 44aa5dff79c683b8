// aks-route-guard: one deployment guards this subscription (the default), a list of subscriptions, or every
// subscription below a management group. A resource group with the Flex Consumption function app, its storage,
// monitoring, health alerts and identity; a least-privilege custom role; in each guarded subscription whose events
// reach the guard, its Event Grid system topic (or an existing one) and an event subscription that feeds the one Event
// Grid function.
//
// A subscription deployment (azd deploys this file at subscription scope) can place modules in other subscriptions
// (scope: subscription(id)), which is how the topics, event subscriptions and role assignments of a list reach
// theirs; it cannot deploy to a management group (Bicep BCP115), so a guard of a management group gets its role from
// infra/managementgroup.bicep, run by the azd postprovision hook.
//
// azd: `azd up` (see azure.yaml and infra/hooks/). Plain CLI and many subscriptions: docs/deploy.md.

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

@description('ISO-8601 duration (at most PT6M30S, so that a sweep ends within functionTimeout) after which a sweep starts no new write.')
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

@description('Optional. Resource ID of the Key Vault (RBAC mode) that holds the secret, to grant the guard Key Vault Secrets User on the secret teamsWebhookSecretUri names (which must be in this vault).')
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

@description('Optional. Guard these subscriptions instead of only this one: their IDs, comma-separated (the app setting AZURE_SUBSCRIPTION_IDS). Each gets the Event Grid system topic and event subscription, and the role. Empty (with managementGroupId empty): guard this subscription alone (AZURE_SUBSCRIPTION_ID). Not with managementGroupId.')
param guardedSubscriptionIds string = ''

@description('Optional. Guard every subscription below this management group, at any depth, those moved in later included (its ID; the app setting AZURE_MANAGEMENT_GROUP_ID). Its role is defined and assigned at the group by infra/managementgroup.bicep (the azd postprovision hook). Not with guardedSubscriptionIds.')
param managementGroupId string = ''

@description('With managementGroupId: the subscriptions below the group to give an Event Grid system topic and event subscription now, comma-separated (a deployment cannot list the group itself; docs/deploy.md lists them with one command). One left out, or moved into the group later, is still guarded by the drift sweep; deploy again with it to add its events.')
param managementGroupSubscriptionIds string = ''

@description('Optional. Existing Microsoft.Resources.Subscriptions system topics of guarded subscriptions other than this one, by resource ID, comma-separated (one per subscription; each needs a system-assigned identity). This subscription\'s own: existingSystemTopicName.')
param existingSystemTopicIds string = ''

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

// ---- What is guarded: exactly one of the three settings the code reads (dev.aksrouteguard.config.Settings), chosen by
// the inputs. Both a list and a management group, or a group's subscriptions without the group, stop the deployment.
var scopeMode = !empty(guardedSubscriptionIds) && !empty(managementGroupId) ? fail('Set guardedSubscriptionIds or managementGroupId, not both: the guard reads exactly one of AZURE_SUBSCRIPTION_IDS and AZURE_MANAGEMENT_GROUP_ID.') : !empty(managementGroupSubscriptionIds) && empty(managementGroupId) ? fail('managementGroupSubscriptionIds needs managementGroupId.') : !empty(managementGroupId) ? 'managementGroup' : !empty(guardedSubscriptionIds) ? 'subscriptions' : 'subscription'
var ownSubscriptionId = toLower(subscription().subscriptionId)
// union() with an empty array drops repeated IDs.
var listedSubscriptionIds = union(map(filter(split(guardedSubscriptionIds, ','), id => !empty(trim(id))), id => toLower(trim(id))), [])
var groupSubscriptionIds = union(map(filter(split(managementGroupSubscriptionIds, ','), id => !empty(trim(id))), id => toLower(trim(id))), [])
// The subscriptions whose ARM events reach the guard: each gets its system topic (or uses its existing one) and an
// event subscription to the one function. For a management group, the ones given; the sweep guards the rest.
var eventSourceSubscriptionIds = scopeMode == 'subscription' ? [ownSubscriptionId] : scopeMode == 'subscriptions' ? listedSubscriptionIds : groupSubscriptionIds
var guardsOwnSubscription = contains(eventSourceSubscriptionIds, ownSubscriptionId)
var otherSubscriptionIds = filter(eventSourceSubscriptionIds, id => id != ownSubscriptionId)
var existingTopicIds = filter(map(split(existingSystemTopicIds, ','), id => trim(id)), id => !empty(id))
var existingTopicBySubscription = toObject(existingTopicIds, id => toLower(split(id, '/')[2]), id => id)
// Where each other subscription's topic is: its existing topic's resource group, or one created for it. Known at the
// start of the deployment, as a module's scope must be.
var eventsResourceGroupName = empty(resourceGroupName) ? 'rg-${environmentName}-events' : '${resourceGroupName}-events'
var otherTopicResourceGroups = map(otherSubscriptionIds, id => contains(existingTopicBySubscription, id) ? split(existingTopicBySubscription[id], '/')[4] : eventsResourceGroupName)

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
  // The app settings carry the webhook's Key Vault reference: resolved at start, so the role to read it comes first.
  dependsOn: [
    keyVaultAccess
  ]
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
    scopeMode: scopeMode
    guardedSubscriptionIds: join(listedSubscriptionIds, ',')
    managementGroupId: managementGroupId
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
    workspaceName: monitoring.outputs.logAnalyticsWorkspaceName
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    alertEmailAddress: alertEmailAddress
    alertActionGroupId: alertActionGroupId
    sweepMissingWindow: sweepMissingAlertWindow
  }
}

// One subscription or a list: the role is written here, assignable in every guarded subscription, and assigned in each.
// A management group: infra/managementgroup.bicep defines and assigns it at the group.
module role 'modules/role.bicep' = if (scopeMode != 'managementGroup') {
  name: 'aks-route-guard-role'
  params: {
    remediationMode: remediationMode
    guardedSubscriptionIds: eventSourceSubscriptionIds
    listed: scopeMode == 'subscriptions'
  }
}

module roleAssignments 'modules/roleassignment.bicep' = [for id in eventSourceSubscriptionIds: if (scopeMode != 'managementGroup') {
  name: 'aks-route-guard-role-${id}'
  scope: subscription(id)
  params: {
    roleDefinitionName: role!.outputs.roleDefinitionName
    principalId: identity.outputs.principalId
  }
}]

// The vault's subscription and resource group come from its ID; the fallbacks only keep the expression valid when
// no vault is given (the module is then not deployed).
var keyVaultIdParts = split(empty(teamsWebhookKeyVaultId) ? '/subscriptions/${subscription().subscriptionId}/resourceGroups/${rg.name}/x/x/x/x' : teamsWebhookKeyVaultId, '/')

// The secret the reference names (https://<vault>.vault.azure.net/secrets/<name>[/<version>]) must be in the vault
// the role is given on: else the app would resolve nothing and send no alert.
var teamsWebhookSecretUriParts = split(teamsWebhookSecretUri, '/')
var teamsWebhookSecretName = empty(teamsWebhookKeyVaultId) ? '' : length(teamsWebhookSecretUriParts) < 5 ? fail('teamsWebhookKeyVaultId needs teamsWebhookSecretUri, the secret\'s URI in that vault (https://<vault>.vault.azure.net/secrets/<name>).') : toLower(split(teamsWebhookSecretUriParts[2], '.')[0]) != toLower(last(keyVaultIdParts)) ? fail('teamsWebhookSecretUri names a secret in vault ${split(teamsWebhookSecretUriParts[2], '.')[0]}, but teamsWebhookKeyVaultId is vault ${last(keyVaultIdParts)}.') : teamsWebhookSecretUriParts[4]

module keyVaultAccess 'modules/keyvaultaccess.bicep' = if (!empty(teamsWebhookKeyVaultId)) {
  name: 'keyvault-access'
  scope: resourceGroup(keyVaultIdParts[2], keyVaultIdParts[4])
  params: {
    keyVaultName: last(keyVaultIdParts)
    secretName: teamsWebhookSecretName
    principalId: identity.outputs.principalId
  }
}

// ---- This subscription's ARM events, when it is guarded (always, for a guard of one subscription) ----

module newTopic 'modules/systemtopic.bicep' = if (guardsOwnSubscription && !useExistingTopic) {
  name: 'system-topic'
  scope: rg
  params: {
    name: 'evgt-aks-route-guard-${resourceToken}'
    tags: tags
  }
}

// Microsoft.EventGrid/systemTopics@2022-06-15:
// https://learn.microsoft.com/azure/templates/microsoft.eventgrid/2022-06-15/systemtopics
resource existingTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = if (guardsOwnSubscription && useExistingTopic) {
  scope: resourceGroup(useExistingTopic ? existingSystemTopicResourceGroup : rg.name)
  name: existingSystemTopicName
}

var topicName = !guardsOwnSubscription ? '' : useExistingTopic ? existingSystemTopicName : newTopic!.outputs.name
var topicResourceGroup = useExistingTopic ? existingSystemTopicResourceGroup : rg.name
var topicPrincipalId = !guardsOwnSubscription ? '' : useExistingTopic ? existingTopic!.identity.principalId : newTopic!.outputs.principalId

module deadLetterAccess 'modules/deadletteraccess.bicep' = if (guardsOwnSubscription) {
  name: 'deadletter-access'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    containerName: deadLetterContainerName
    principalId: topicPrincipalId
  }
}

module eventSubscription 'modules/eventsubscription.bicep' = if (deployEventSubscription && guardsOwnSubscription) {
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

// ---- The other guarded subscriptions' ARM events: a topic in each (in its own resource group there, or its existing
// one), written to the same dead-letter container, and an event subscription on each to the same function ----

module otherTopics 'modules/eventsource.bicep' = [for id in otherSubscriptionIds: {
  name: 'aks-route-guard-events-${id}'
  scope: subscription(id)
  params: {
    resourceGroupName: eventsResourceGroupName
    location: location
    tags: tags
    topicName: 'evgt-aks-route-guard-${toLower(uniqueString('/subscriptions/${id}', environmentName, location))}'
    existingTopicId: existingTopicBySubscription[?id] ?? ''
  }
}]

module otherDeadLetterAccess 'modules/deadletteraccess.bicep' = [for (id, i) in otherSubscriptionIds: {
  name: 'deadletter-access-${id}'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    containerName: deadLetterContainerName
    principalId: otherTopics[i].outputs.topicPrincipalId
  }
}]

module otherEventSubscriptions 'modules/eventsubscription.bicep' = [for (id, i) in otherSubscriptionIds: if (deployEventSubscription) {
  name: 'event-subscription-${id}'
  scope: resourceGroup(id, otherTopicResourceGroups[i])
  params: {
    systemTopicName: otherTopics[i].outputs.topicName
    functionAppId: functionApp.outputs.id
    deadLetterStorageAccountId: storage.outputs.id
    deadLetterContainerName: deadLetterContainerName
  }
  dependsOn: [
    otherDeadLetterAccess
  ]
}]

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_ID string = functionApp.outputs.id
output GUARD_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output GUARD_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output GUARD_ROLE_DEFINITION_ID string = scopeMode == 'managementGroup' ? '' : role!.outputs.roleDefinitionId
// Read by the postprovision hook: a guard of a management group gets its role from infra/managementgroup.bicep.
output GUARD_MANAGEMENT_GROUP_ID string = scopeMode == 'managementGroup' ? managementGroupId : ''
output GUARD_REMEDIATION_MODE string = remediationMode
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output SYSTEM_TOPIC_NAME string = topicName
output SYSTEM_TOPIC_RESOURCE_GROUP string = topicResourceGroup
output EVENT_SUBSCRIPTION_DEPLOYED bool = deployEventSubscription
output EVENT_FUNCTION_NAME string = eventFunctionName
output ALERT_ACTION_GROUP_IDS array = alerts.outputs.actionGroupIds
