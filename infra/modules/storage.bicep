// The function app's storage account: host state and the alert memory (Table storage), the guard's retry and alert
// queues (Queue storage), the Flex Consumption deployment package, and the Event Grid dead-letter container.
// Shared-key access is off; everything uses Microsoft Entra ID (the guard's identity, and the system topic's
// identity for dead letters).

import { guardQueues } from 'contract.bicep'

param name string
param location string
param tags object
param deploymentContainerName string
param deadLetterContainerName string

// Microsoft.Storage/storageAccounts@2023-05-01:
// https://learn.microsoft.com/azure/templates/microsoft.storage/2023-05-01/storageaccounts
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Standard endpoints: in global Azure the app then names its storage by AzureWebJobsStorage__accountName, as it
    // always did (functionapp.bicep, hostDerivesStorageEndpoints); an Azure DNS zone endpoint would not match.
    dnsEndpointType: 'Standard'
  }
}

// Microsoft.Storage/storageAccounts/blobServices@2023-05-01:
// https://learn.microsoft.com/azure/templates/microsoft.storage/2023-05-01/storageaccounts/blobservices
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01:
// https://learn.microsoft.com/azure/templates/microsoft.storage/2023-05-01/storageaccounts/blobservices/containers
resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01 (same page as above).
resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Microsoft.Storage/storageAccounts/queueServices@2023-05-01:
// https://learn.microsoft.com/azure/templates/microsoft.storage/2023-05-01/storageaccounts/queueservices
resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01 (the guard's retry and alert queues and their
// poison queues, contract.bicep):
// https://learn.microsoft.com/azure/templates/microsoft.storage/2023-05-01/storageaccounts/queueservices/queues
resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for queueName in guardQueues: {
  parent: queueService
  name: queueName
}]

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output deadLetterContainerName string = deadLetterContainer.name
output deploymentContainerName string = deploymentContainer.name
