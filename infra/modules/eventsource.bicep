// A guarded subscription other than the deployment's own, as a source of Azure Resource Manager events: its
// Microsoft.Resources.Subscriptions system topic, in a resource group of its own there (a system topic lives in the
// subscription it watches), or the subscription's existing topic. main.bicep deploys this once per such subscription
// (scope: subscription(id)); the event subscription on the topic comes later, from eventsubscription.bicep, because
// it needs the function's code deployed first.

targetScope = 'subscription'

@description('Resource group to create for the topic (when existingTopicId is empty).')
param resourceGroupName string
param location string
param tags object
@description('Name of the topic to create (when existingTopicId is empty).')
param topicName string
@description('Resource ID of the subscription\'s existing Microsoft.Resources.Subscriptions system topic, or empty to create one. Azure allows one per subscription; it needs a system-assigned identity.')
param existingTopicId string

var useExisting = !empty(existingTopicId)
// /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.EventGrid/systemTopics/{name}; the fallback only keeps
// the expressions valid when a topic is created.
var existingParts = split(useExisting ? existingTopicId : '/subscriptions/x/resourceGroups/x/providers/Microsoft.EventGrid/systemTopics/x', '/')

// Microsoft.Resources/resourceGroups@2024-03-01:
// https://learn.microsoft.com/azure/templates/microsoft.resources/2024-03-01/resourcegroups
resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = if (!useExisting) {
  name: resourceGroupName
  location: location
  tags: tags
}

module newTopic 'systemtopic.bicep' = if (!useExisting) {
  name: 'system-topic'
  scope: resourceGroup(resourceGroupName)
  params: {
    name: topicName
    tags: tags
  }
  dependsOn: [
    rg
  ]
}

// Microsoft.EventGrid/systemTopics@2022-06-15:
// https://learn.microsoft.com/azure/templates/microsoft.eventgrid/2022-06-15/systemtopics
resource existingTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = if (useExisting) {
  scope: resourceGroup(existingParts[4])
  name: existingParts[8]
}

output topicName string = useExisting ? existingParts[8] : newTopic!.outputs.name
// Writes the dead letters of the event subscription on it (deadletteraccess.bicep, in the guard's subscription).
output topicPrincipalId string = useExisting ? existingTopic!.identity.principalId : newTopic!.outputs.principalId
