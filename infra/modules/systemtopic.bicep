// The subscription's Event Grid system topic for Azure Resource Manager events. Azure allows one system topic per
// source, so deploy this only when the subscription has none (main.bicep's existingSystemTopicName otherwise).
// Its system-assigned identity writes dead letters (deadletteraccess.bicep).

param name string
param tags object

// Microsoft.EventGrid/systemTopics@2022-06-15:
// https://learn.microsoft.com/azure/templates/microsoft.eventgrid/2022-06-15/systemtopics
resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  location: 'global'
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

output name string = topic.name
output principalId string = topic.identity.principalId
